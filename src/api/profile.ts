/**
 * The vocabulary of a provider profile: what a profile sets (signature, retries, timeouts, what
 * counts as success, endpoint disabling, the API's rate limit, conditional requests, polling
 * hints, the event envelope), each value with where it comes from. The profiles themselves are
 * in profiles.ts; the signing and the envelopes that read these values are in src/webhooks/.
 *
 * Shared by the provider, its consumers and the renderer (`--profile <name> --explain`), so it
 * lives below all of them and holds data only.
 */
import type { PaymentStatus } from "./payment.js";
import type { ProfileName } from "../scenario/fields.js";

export { PROFILE_NAMES, type ProfileName } from "../scenario/fields.js";

/**
 * Where a value comes from. `published`: the provider says so, as quoted in the shared FACTS.md.
 * `derived`: computed from what is published, `note` says how. `ours`: the provider publishes no
 * value (none in FACTS.md), so apiwh chooses one, and `note` says what and why.
 */
export interface Source {
  basis: "published" | "derived" | "ours";
  /** The provider's page as FACTS.md names it, or the FACTS.md section; for `ours`, what the choice rests on. */
  ref: string;
  note?: string;
}

export interface Sourced<T> {
  value: T;
  source: Source;
}

/** How a delivery is signed. Svix signs as Standard Webhooks does, under its own header names. */
export type SchemeName = "standard-webhooks" | "stripe" | "github" | "shopify" | "slack" | "square";

export interface SignatureSpec {
  scheme: SchemeName;
  /** Header names, lower-case as node:http hands them over. `id`/`timestamp` only where the scheme signs them. */
  headers: { signature: string; id?: string; timestamp?: string };
  /** The signature as the header writes it, for people. */
  form: string;
  /** A signed timestamp further than this from the receiver's clock is refused; null where the scheme signs none. */
  toleranceSeconds: number | null;
}

/** The envelopes a payment event travels in. */
export type EnvelopeKind = "standard-webhooks" | "stripe-event" | "github" | "shopify-order" | "slack-event-callback" | "square-event";

/** One payment status on the wire: the event's name and the status word the provider's object carries. */
export interface WireEvent {
  type: string;
  status: string;
}

export interface EnvelopeSpec {
  kind: EnvelopeKind;
  /** The event each status of our payment becomes. */
  events: Record<PaymentStatus, WireEvent>;
  /** Where a receiver finds the id it dedupes on: a header (lower-case) or a top-level body field. */
  eventId: { header: string } | { field: string };
  /** A header naming the event's type, where the provider sends one (GitHub's event, Shopify's topic). */
  typeHeader?: string;
}

/**
 * When the provider stops delivering to an endpoint altogether. `failing-for`: after failing this
 * long (`ms` null where no length is published); `no-success-for`: after this long without a 2xx;
 * `success-below`: when the share of successes within `windowMs` falls below `share`; `never`:
 * nothing is published, and apiwh does not disable.
 */
export type DisableRule =
  | { kind: "never" }
  | { kind: "failing-for"; ms: number | null }
  | { kind: "no-success-for"; ms: number }
  | { kind: "success-below"; share: number; windowMs: number };

export interface SuccessRule {
  /** Only a 2xx answer is a success. */
  statuses: "2xx";
  /** A 3xx is a failed attempt and its Location is not followed. */
  redirects: "failure";
  /** A 410 Gone disables the endpoint at once. */
  goneDisables: boolean;
}

/** The API's rate limit that bounds a poller; `scope` says what it counts. */
export interface RateLimitSpec {
  perSecond: number;
  /** As published, for people: `5,000 requests per hour`. */
  stated: string;
  scope: string;
}

export interface ConditionalSpec {
  /** A 304 to `If-None-Match` counts against the rate limit (and so is counted as a request that cost something). */
  notModifiedCounts: boolean;
}

export interface PollHintSpec {
  /** The response header, lower-case. */
  header: string;
  /** The value the provider sends, in seconds. */
  seconds: number;
}

/** A receiver's way to stop a message's retries (Svix: `webhook-delivery: abort-message`). */
export interface AbortSpec {
  header: string;
  value: string;
}

export interface Profile {
  name: ProfileName;
  /** The provider, as people name it. */
  title: string;
  signature: Sourced<SignatureSpec>;
  /** Wait before each delivery attempt, the first included, each after the previous attempt failed (milliseconds). */
  retries: Sourced<number[]>;
  /** Headers a retry carries: its number (1 for the first retry) and the reason the last attempt failed. */
  retryHeaders: Sourced<{ number: string; reason: string } | null>;
  abortRetries: Sourced<AbortSpec | null>;
  /** How long one attempt may take, answer included (milliseconds). */
  timeoutMs: Sourced<number>;
  /** How long connecting may take, within timeoutMs; null: no limit of its own. */
  connectTimeoutMs: Sourced<number | null>;
  success: Sourced<SuccessRule>;
  disabling: Sourced<DisableRule>;
  /** null: no limit (the provider's default, unlimited, unless the scenario sets one). */
  rateLimit: Sourced<RateLimitSpec | null>;
  conditional: Sourced<ConditionalSpec>;
  pollHint: Sourced<PollHintSpec | null>;
  envelope: Sourced<EnvelopeSpec>;
}

/**
 * `attempts` attempts whose waits double, the last one `spanMs` after the first: the schedule a
 * provider describes as "N tries over T, exponential" (2^(n−1) − 1 times the first wait in all).
 */
export function doublingOver(attempts: number, spanMs: number): number[] {
  const first = spanMs / (2 ** (attempts - 1) - 1);
  return [0, ...Array.from({ length: attempts - 1 }, (_, i) => Math.round(first * 2 ** i))];
}

/**
 * Waits that double from `firstMs`, then hold at `holdMs`, for as long as the next attempt still
 * falls within `spanMs` of the first: "after 1, 2, 4 … min, then hourly up to 72 h".
 */
export function doublingThenEvery(firstMs: number, doublings: number, holdMs: number, spanMs: number): number[] {
  const waits = [0, ...Array.from({ length: doublings }, (_, i) => firstMs * 2 ** i)];
  let at = waits.reduce((sum, w) => sum + w, 0);
  while (at + holdMs <= spanMs) {
    waits.push(holdMs);
    at += holdMs;
  }
  return waits;
}

/** Waits that double from `firstMs` for as long as the next attempt still falls within `spanMs` of the first. */
export function doublingWithin(firstMs: number, spanMs: number): number[] {
  const waits = [0];
  for (let wait = firstMs, at = firstMs; at <= spanMs; wait *= 2, at += wait) waits.push(wait);
  return waits;
}

/** When each attempt starts, from the first (the running sum of the waits after it). */
export function attemptTimes(waits: readonly number[]): number[] {
  let at = 0;
  return waits.map((w, i) => (at += i === 0 ? 0 : w));
}
