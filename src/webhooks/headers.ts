import type { SignatureFormat } from "../scenario/types.js";
import { signStandard, signStripe, verifyStandard, verifyStripe, type VerifyFailure } from "./signature.js";

/** Header names of each signature format, lower-case as node:http hands them over. */
export const Header = {
  /** Standard Webhooks: the event id (the idempotency key), the send time and the signatures. */
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
  /** Stripe: `t=<unix>,v1=<hex>`, the one header it adds. */
  stripeSignature: "stripe-signature",
} as const;

/**
 * The headers of one signed delivery in `format`, besides `content-type`: only what that format
 * sends (Stripe: `Stripe-Signature` alone; its event id is in the body). `secret` is the
 * endpoint's `whsec_…` string (Stripe keys its HMAC with it whole), `key` its decoded bytes
 * (Standard Webhooks keys with those); `timestamp` is unix seconds.
 */
export function signedHeaders(format: SignatureFormat, secret: string, key: Buffer, eventId: string, timestamp: number, body: string): Record<string, string> {
  if (format === "stripe") return { [Header.stripeSignature]: signStripe(secret, timestamp, body) };
  return { [Header.id]: eventId, [Header.timestamp]: String(timestamp), [Header.signature]: signStandard(key, eventId, timestamp, body) };
}

/** Verifies a delivery's headers and raw body in `format`; null when it verifies, else why not. */
export function verifyDelivery(
  format: SignatureFormat,
  secret: string,
  key: Buffer,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds: number,
): VerifyFailure | null {
  if (format === "stripe") return verifyStripe(secret, first(headers[Header.stripeSignature]), body, nowSeconds);
  return verifyStandard(key, { id: first(headers[Header.id]), timestamp: first(headers[Header.timestamp]), signature: first(headers[Header.signature]) }, body, nowSeconds);
}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The sender's connection warm-up: one plain `OPTIONS` to the endpoint's URL when it is
 * registered, so the first delivery of a run does not pay the TCP handshake and both sides' cold
 * HTTP code (about 8 ms against 1 ms for the others on loopback). It happens before the run's t0
 * and carries nothing special: a receiver answers it on its own path with `Allow: POST` and
 * nothing else happens (it is no delivery, and no rejection). A real provider's connection to a
 * busy endpoint is warm too; a cold first delivery would only measure this tool's start-up.
 */
export const WARM_UP_METHOD = "OPTIONS";
