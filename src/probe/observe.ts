/**
 * The `--observe` protocol: how the probe asks a receiver what it did with an event, since
 * idempotency and ordering cannot be seen from outside.
 *
 *   GET <observe-url>?id=<event id>
 *   200 {"processed": <whole number ≥ 0>, "status": <string or null>}
 *
 * - `id` is the event id: the `webhook-id` header (Standard Webhooks) or the body's `id` (Stripe).
 * - `processed`: how many times the receiver acted on that event (0 if it never did, or refused
 *   it). Count an event when you accept it for processing, before you answer 2xx: that is the
 *   moment deduplication has to happen anyway, so the count is final when the 2xx is sent.
 * - `status`: the status the receiver now holds for the object the event is about (`data.id`),
 *   after everything received so far; null when it knows nothing of that object.
 * - 404 reads as `{"processed": 0, "status": null}`. Anything else is an error of the endpoint.
 */
import { exchange, type Answer, type Target } from "./wire.js";

export interface Observation {
  processed: number;
  status: string | null;
}

export type ObserveAnswer = { ok: true; value: Observation } | { ok: false; problem: string };

export async function observe(target: Target, eventId: string, timeoutMs: number, signal?: AbortSignal): Promise<ObserveAnswer> {
  const answer = await exchange(target, { method: "GET", headers: { accept: "application/json" }, query: { id: eventId }, keepBytes: 16 * 1024 }, timeoutMs, signal);
  return readObservation(answer);
}

/** Pure: the observe endpoint's answer, checked against the protocol above. */
export function readObservation(answer: Answer): ObserveAnswer {
  if (answer.kind === "timeout") return { ok: false, problem: "the observe endpoint did not answer in time" };
  if (answer.kind !== "answered") return { ok: false, problem: `the observe endpoint could not be reached (${answer.code})` };
  if (answer.status === 404) return { ok: true, value: { processed: 0, status: null } };
  if (answer.status !== 200) return { ok: false, problem: `the observe endpoint answered ${answer.status}` };
  let value: unknown;
  try {
    value = JSON.parse(answer.body);
  } catch {
    return { ok: false, problem: "the observe endpoint's answer is not JSON" };
  }
  const { processed, status } = (value ?? {}) as { processed?: unknown; status?: unknown };
  if (typeof processed !== "number" || !Number.isSafeInteger(processed) || processed < 0) return { ok: false, problem: 'the observe endpoint\'s answer has no whole-number "processed"' };
  if (status !== undefined && status !== null && typeof status !== "string") return { ok: false, problem: 'the observe endpoint\'s "status" is not a string or null' };
  return { ok: true, value: { processed, status: typeof status === "string" ? status : null } };
}

/** `processed 1, status succeeded` */
export function describeObservation(o: Observation): string {
  return `processed ${o.processed}${o.status !== null ? `, status ${o.status}` : ""}`;
}
