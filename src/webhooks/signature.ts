import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** `whsec_` + base64 of 32 random bytes (the Standard Webhooks form allows 24–64). */
export function generateSecret(bytes = 32): string {
  return `whsec_${randomBytes(bytes).toString("base64")}`;
}

/** The HMAC key of a Standard Webhooks secret: the base64-decoded part after `whsec_`. */
export function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per the Standard Webhooks spec. */
export function signStandard(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed with the whole secret string as Stripe does. */
export function signStripe(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Equal bytes, compared in constant time once the lengths match (the length is no secret). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export type VerifyFailure = "missing-headers" | "bad-signature" | "stale-timestamp";

/** Timestamps further than this from now (either way) are rejected, as the reference library does. */
export const TOLERANCE_SECONDS = 300;

/**
 * Verifies a Standard Webhooks delivery. The signature header may hold several space-separated
 * `v1,…` entries (secret rotation); any valid one passes. Compares in constant time.
 */
export function verifyStandard(
  key: Buffer,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = TOLERANCE_SECONDS,
): VerifyFailure | null {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return "missing-headers";
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - ts) > toleranceSeconds) return "stale-timestamp";
  const expected = Buffer.from(signStandard(key, id, ts, body).slice(3), "base64");
  for (const entry of signature.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    if (safeEqual(Buffer.from(entry.slice(comma + 1), "base64"), expected)) return null;
  }
  return "bad-signature";
}

/** Verifies a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`); `v0` entries are ignored as Stripe's libraries do. */
export function verifyStripe(secret: string, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = TOLERANCE_SECONDS): VerifyFailure | null {
  if (!header) return "missing-headers";
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === "t") t = v;
    else if (k === "v1") v1.push(v);
  }
  if (!t || v1.length === 0) return "missing-headers";
  const ts = Number(t);
  if (!/^\d{1,12}$/.test(t) || Math.abs(nowSeconds - ts) > toleranceSeconds) return "stale-timestamp";
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"), "utf8");
  return v1.some((sig) => safeEqual(Buffer.from(sig, "utf8"), expected)) ? null : "bad-signature";
}
