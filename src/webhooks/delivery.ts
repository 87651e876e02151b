/**
 * One delivery as a profile sends it and as a receiver of that profile reads it: the envelope
 * (envelopes.ts) signed in the profile's scheme (schemes.ts), with the retry headers the profile
 * publishes. The sender and the receiver both call these two functions, so what one writes the
 * other can read.
 */
import type { PaymentView } from "../api/payment.js";
import type { Profile } from "../api/profile.js";
import { envelopeOf, parseEnvelope, type ProfileEvent } from "./envelopes.js";
import { signWith, verifyWith, type HeaderBag } from "./schemes.js";
import type { VerifyFailure } from "./signature.js";

export interface OutgoingDelivery {
  secret: string;
  eventId: string;
  payment: PaymentView;
  /** Unix seconds of this attempt. */
  timestamp: number;
  /** The endpoint's URL as registered. */
  url: string;
  /** On a retry: its number (1 for the first) and why the attempt before it failed, for profiles that say so (Slack). */
  retry?: { number: number; reason: string };
}

/** The body and every header of one attempt, `content-type` included. */
export function deliveryOf(profile: Profile, d: OutgoingDelivery): { body: string; headers: Record<string, string> } {
  const { body, headers } = envelopeOf(profile.envelope.value, d.eventId, d.payment);
  const retry = profile.retryHeaders.value && d.retry ? { [profile.retryHeaders.value.number]: String(d.retry.number), [profile.retryHeaders.value.reason]: d.retry.reason } : {};
  const signed = signWith(profile.signature.value, { secret: d.secret, eventId: d.eventId, timestamp: d.timestamp, body, url: d.url });
  return { body, headers: { "content-type": "application/json", ...headers, ...retry, ...signed } };
}

export type ReadFailure = VerifyFailure | "malformed";

export interface IncomingDelivery {
  secret: string;
  headers: HeaderBag;
  /** The raw body, exactly as received. */
  body: string;
  /** The URL this endpoint was registered with (Square signs it). */
  url: string;
  nowSeconds: number;
}

/** A delivery's verified event, or why it was refused: its signature first, then its envelope. */
export function readDelivery(profile: Profile, d: IncomingDelivery): { event: ProfileEvent; failure?: undefined } | { event?: undefined; failure: ReadFailure } {
  const failure = verifyWith(profile.signature.value, d);
  if (failure) return { failure };
  const event = parseEnvelope(profile.envelope.value, d.headers, d.body);
  return event ? { event } : { failure: "malformed" };
}

/**
 * Bytes of a delivery's request as undici writes it: request line, `host`, `connection:
 * keep-alive`, the headers as given, `content-length`, the body. Shared by the sender's count of
 * what it sent (a user's own receiver counts nothing for the run) and the virtual clock's.
 */
export function deliveryRequestSize(path: string, host: string, headers: Record<string, string>, body: string): number {
  let head = `POST ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  const length = Buffer.byteLength(body);
  return Buffer.byteLength(head) + `content-length: ${length}\r\n\r\n`.length + length;
}
