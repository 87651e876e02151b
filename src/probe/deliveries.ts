/**
 * The deliveries the probe sends: payment events shaped as apiwh's provider sends them, signed the
 * right way or one of the wrong ways. Every event gets a fresh event id and payment id, so no check
 * depends on what an earlier one left in the receiver.
 */
import { randomBytes } from "node:crypto";
import type { SignatureFormat } from "../scenario/types.js";
import { VERSION } from "../version.js";
import { generateSecret, signStandard, signStripe, standardKey, TOLERANCE_SECONDS } from "./sign.js";

export interface ProbeEvent {
  /** The id a receiver deduplicates on: `webhook-id` (Standard Webhooks) or the body's `id` (Stripe). */
  eventId: string;
  paymentId: string;
  status: "succeeded" | "failed";
  body: string;
}

export interface ProbeRequest {
  event: ProbeEvent;
  headers: Record<string, string>;
  body: string;
  /** A delivery a correct receiver accepts (signed right, in time, JSON): only these are worth re-sending after a Retry-After. */
  genuine: boolean;
}

/** How a signature header is spoilt, or not. */
export type Signing =
  | { kind: "valid" }
  | { kind: "missing" }
  | { kind: "random" }
  | { kind: "wrong-secret" }
  | { kind: "truncated" }
  /** Another secret's signature first, then the right one: what a sender sends while rotating secrets. */
  | { kind: "rotated" };

/** The byte the tampered-body check changes: `"amount":1000` becomes `"amount":9000` after signing. */
const AMOUNT = '"amount":1000';
const TAMPERED = '"amount":9000';

export const OVERSIZED_BYTES = 2 * 1024 * 1024;

export class Deliveries {
  private seq = 0;
  /** Distinguishes this run's ids from any earlier run's, which a receiver may still remember. */
  private readonly run = randomBytes(4).toString("hex");
  private readonly key: Buffer;

  constructor(
    private readonly secret: string,
    readonly format: SignatureFormat,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = standardKey(secret);
  }

  /** The name of the signature header, for messages. */
  get header(): string {
    return this.format === "stripe" ? "Stripe-Signature" : "webhook-signature";
  }

  /** What names an event for deduplication, for messages. */
  get idName(): string {
    return this.format === "stripe" ? "event id" : "webhook-id";
  }

  /**
   * A `payment.<status>` event. `ageMs` backdates the event's own time (what ordering is judged
   * by); `payment` reuses a payment id, for two events about the same payment.
   */
  event(status: "succeeded" | "failed" = "succeeded", options: { payment?: string; ageMs?: number; padToBytes?: number } = {}): ProbeEvent {
    const n = ++this.seq;
    const eventId = `evt_probe_${this.run}_${n}`;
    const paymentId = options.payment ?? `pay_probe_${this.run}_${n}`;
    const at = new Date(this.nowMs() - (options.ageMs ?? 0));
    const payment = { id: paymentId, object: "payment", amount: 1000, currency: "usd", status, created_at: new Date(at.getTime() - 2000).toISOString(), updated_at: at.toISOString() };
    // Standard Webhooks payload: {type, timestamp, data}. Stripe's events carry their id (what a Stripe receiver deduplicates on) in the body.
    const envelope =
      this.format === "stripe"
        ? { id: eventId, object: "event", type: `payment.${status}`, created: Math.floor(at.getTime() / 1000), timestamp: at.toISOString(), data: payment }
        : { type: `payment.${status}`, timestamp: at.toISOString(), data: payment };
    let body = JSON.stringify(envelope);
    if (options.padToBytes) body = pad(body, options.padToBytes);
    return { eventId, paymentId, status, body };
  }

  /** The event as a delivery: signed `offsetSeconds` from now, the signature spoilt as `signing` says. */
  request(event: ProbeEvent, signing: Signing = { kind: "valid" }, options: { offsetSeconds?: number; contentType?: string; body?: string } = {}): ProbeRequest {
    const timestamp = Math.floor(this.nowMs() / 1000) + (options.offsetSeconds ?? 0);
    const body = options.body ?? event.body;
    const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json", "user-agent": `apiwh-probe/${VERSION}` };
    if (this.format === "stripe") {
      const signature = this.stripeHeader(signing, timestamp, body);
      if (signature !== undefined) headers["stripe-signature"] = signature;
    } else {
      headers["webhook-id"] = event.eventId;
      headers["webhook-timestamp"] = String(timestamp);
      const signature = this.standardHeader(signing, event.eventId, timestamp, body);
      if (signature !== undefined) headers["webhook-signature"] = signature;
    }
    const inTime = Math.abs(options.offsetSeconds ?? 0) < TOLERANCE_SECONDS;
    const genuine = (signing.kind === "valid" || signing.kind === "rotated") && inTime && body === event.body && headers["content-type"] === "application/json";
    return { event, headers, body, genuine };
  }

  /** Signed over the event's body, then one byte of the body changed: the signature no longer matches what arrives. */
  tampered(event: ProbeEvent): ProbeRequest {
    const signed = this.request(event);
    return { ...signed, body: event.body.replace(AMOUNT, TAMPERED), genuine: false };
  }

  private standardHeader(signing: Signing, id: string, timestamp: number, body: string): string | undefined {
    const right = signStandard(this.key, id, timestamp, body);
    switch (signing.kind) {
      case "valid":
        return right;
      case "missing":
        return undefined;
      case "random":
        return `v1,${randomBytes(32).toString("base64")}`;
      case "wrong-secret":
        return signStandard(standardKey(generateSecret()), id, timestamp, body);
      case "truncated":
        // Half the base64: a receiver comparing as a prefix, or without checking lengths, accepts it.
        return right.slice(0, 3 + (right.length - 3) / 2);
      case "rotated":
        return `${signStandard(standardKey(generateSecret()), id, timestamp, body)} ${right}`;
    }
  }

  private stripeHeader(signing: Signing, timestamp: number, body: string): string | undefined {
    const right = signStripe(this.secret, timestamp, body);
    const other = () => signStripe(generateSecret(), timestamp, body).split(",v1=")[1]!;
    switch (signing.kind) {
      case "valid":
        return right;
      case "missing":
        return undefined;
      case "random":
        return `t=${timestamp},v1=${randomBytes(32).toString("hex")}`;
      case "wrong-secret":
        return signStripe(generateSecret(), timestamp, body);
      case "truncated":
        return right.slice(0, right.indexOf(",v1=") + 4 + 32);
      case "rotated":
        return `t=${timestamp},v1=${other()},v1=${right.split(",v1=")[1]!}`;
    }
  }
}

/** A JSON body grown to exactly `bytes` with a `padding` string, still a valid event. */
function pad(body: string, bytes: number): string {
  const open = `${body.slice(0, -1)},"padding":"`;
  const close = `"}`;
  return open + "x".repeat(Math.max(0, bytes - Buffer.byteLength(open) - close.length)) + close;
}

/** A correctly signed body that is not JSON: an event cut off in the middle. */
export function malformedBody(event: ProbeEvent): string {
  return event.body.slice(0, Math.floor(event.body.length / 2));
}
