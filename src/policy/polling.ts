import { Stream } from "../scenario/random.js";
import { KeyedDraws } from "./draws.js";

/**
 * What a poller decides after each answer, shared by the real strategies (src/strategies/) and the
 * virtual clock (src/virtual/): the next slot of a fixed schedule, the backoff's next sleep, and
 * how long to hold off after a refusal. Units are the caller's (wall ms for a real poller, scenario
 * ms on the virtual clock), except where a name says scenario ms.
 */

/** After a refusal, long pollers and event streams wait this long (scenario ms), doubling on repeated errors. */
export const REFUSAL_BASE_MS = 250;

/** Consecutive errors beyond which the hold-off stops doubling: 32× the base. */
const MAX_DOUBLINGS = 5;

/** An answer that refused the request: 429, a 5xx, or no answer at all (0: the wire failed). */
export function isRefusal(http: number): boolean {
  return http === 429 || http === 0 || http >= 500;
}

/**
 * How long to hold off after an answer: at least what `Retry-After` asks on a 429 (and at least
 * `baseMs`); on consecutive 5xx or wire failures `baseMs` doubling (up to 32×), or longer if
 * `Retry-After` says so. 0 when the answer was not a refusal.
 */
export function holdOffMs(http: number, retryAfterMs: number, errorsInRow: number, baseMs: number): number {
  if (http === 429) return Math.max(retryAfterMs, baseMs);
  if (http === 0 || http >= 500) return Math.max(retryAfterMs, baseMs * 2 ** Math.min(MAX_DOUBLINGS, Math.max(0, errorsInRow - 1)));
  return 0;
}

/**
 * The next slot of a fixed schedule (slot k is due at anchor + k·interval) after slot `k`, not
 * before `earliest`: slot k + 1 when it is still ahead, otherwise the first slot at or after
 * `earliest`. An overloaded or refused poller thus skips the slots it missed rather than firing a
 * burst to catch up. Returns the slot; it is due at anchor + slot·interval.
 */
export function nextFixedSlot(anchor: number, k: number, intervalMs: number, earliest: number): number {
  const next = k + 1;
  if (anchor + next * intervalMs >= earliest) return next;
  return Math.ceil((earliest - anchor) / intervalMs);
}

/**
 * The fixed poll that first sees a settlement when every message takes `oneWayMs` and the
 * provider answers `serviceMs` after a request arrives: poll k leaves at anchor + k·T, reaches the
 * provider oneWayMs later and reads the payment serviceMs after that. Valid while each answer is
 * back before the next slot (2·oneWay + service ≤ T), so no slot is skipped.
 */
export function firstSeeingPoll(anchor: number, settleAt: number, intervalMs: number, oneWayMs: number, serviceMs: number): number {
  return Math.max(0, Math.ceil((settleAt - anchor - oneWayMs - serviceMs) / intervalMs));
}

/**
 * `polling-backoff`: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff and Jitter"). After the step-th answer without news (step 0 first) the poller sleeps
 * random(0, min(cap, base·2^step)); base defaults to the poll interval, so the first sleep is at
 * most one interval and the ceiling doubles while the payment stays pending.
 */
export function backoffCeilingMs(baseMs: number, capMs: number, step: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(step, 1024));
}

/** polling-backoff's cap, unless given: ten times its base. */
export const BACKOFF_CAP_PER_BASE = 10;

/** polling-backoff's base and cap as a run uses them: the base defaults to the poll interval, the cap to ten times the base. */
export function backoffOf(scenario: { polling: { intervalMs: number }; pollingBackoff: { baseMs: number | null; capMs: number | null } }): { baseMs: number; capMs: number } {
  const baseMs = scenario.pollingBackoff.baseMs ?? scenario.polling.intervalMs;
  return { baseMs, capMs: scenario.pollingBackoff.capMs ?? BACKOFF_CAP_PER_BASE * baseMs };
}

/** The seeded full-jitter draws of `polling-backoff`, keyed by (seed, payment index, step). */
export class BackoffDraws {
  private readonly draws: KeyedDraws;
  /** backoffCeilingMs for the first steps, computed once: the virtual clock asks for tens of millions. */
  private readonly ceilings: Float64Array;

  constructor(
    seed: number,
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {
    this.draws = new KeyedDraws(seed, Stream.backoff);
    this.ceilings = Float64Array.from({ length: 64 }, (_, step) => backoffCeilingMs(baseMs, capMs, step));
  }

  /** Scenario ms payment `index` sleeps after its step-th answer without news. */
  sleepMs(index: number, step: number): number {
    const ceiling = step < this.ceilings.length ? this.ceilings[step]! : backoffCeilingMs(this.baseMs, this.capMs, step);
    return ceiling * this.draws.unit(index, step);
  }
}
