import { sample } from "../scenario/distribution.js";
import { Stream, rngFor } from "../scenario/random.js";
import type { DowntimeWindow, WebhookFaults } from "../scenario/types.js";

/**
 * The seeded webhook fault plan. Every decision is a pure function of (seed, payment index,
 * delivery chain, attempt), so each strategy faces the same faults, a run repeats exactly, and a
 * test can compute what the seed prescribes without running anything.
 *
 * Draw indices per payment i (64 slots): chain 0 attempt a → i·64 + a, chain 1 (the duplicate)
 * attempt a → i·64 + 32 + a, and slot i·64 + 63 for per-event draws (duplicate?, reorder hold).
 */
const SLOTS = 64;
const MAX_ATTEMPT_SLOT = 30;

/** Deliveries held back by `reorder` wait up to this long (scenario ms), enough to swap neighbours. */
export const REORDER_WINDOW_MS = 1000;

export const NO_WEBHOOK_FAULTS: WebhookFaults = { downtime: [], failureRate: 0, duplicateRate: 0, reorder: false, delay: null };

function slot(paymentIndex: number, chain: number, attempt: number): number {
  return paymentIndex * SLOTS + chain * 32 + Math.min(attempt, MAX_ATTEMPT_SLOT);
}

/** Whether attempt `attempt` of delivery chain `chain` for payment `paymentIndex` fails (the endpoint answers 500). */
export function attemptFails(seed: number, faults: WebhookFaults, paymentIndex: number, chain: number, attempt: number): boolean {
  if (faults.failureRate <= 0) return false;
  return rngFor(seed, Stream.webhookFault, slot(paymentIndex, chain, attempt)).next() < faults.failureRate;
}

/** Extra delay (scenario ms) added before that attempt leaves. */
export function attemptDelayMs(seed: number, faults: WebhookFaults, paymentIndex: number, chain: number, attempt: number): number {
  if (!faults.delay) return 0;
  return Math.max(0, sample(faults.delay, rngFor(seed, Stream.faultDelay, slot(paymentIndex, chain, attempt))));
}

/** Whether the event of payment `paymentIndex` is delivered twice (two chains with the same webhook-id). */
export function isDuplicated(seed: number, faults: WebhookFaults, paymentIndex: number): boolean {
  if (faults.duplicateRate <= 0) return false;
  return rngFor(seed, Stream.webhookFault, paymentIndex * SLOTS + 63).next() < faults.duplicateRate;
}

/**
 * With `reorder`, each event's first attempt is held for uniform(0, REORDER_WINDOW_MS), so events
 * settling within a second of each other may leave in either order, as Stripe warns they can.
 */
export function reorderHoldMs(seed: number, faults: WebhookFaults, paymentIndex: number): number {
  if (!faults.reorder) return 0;
  return REORDER_WINDOW_MS * rngFor(seed, Stream.faultDelay, paymentIndex * SLOTS + 63).next();
}

/** The downtime window covering `scenarioMs` (from the start of the run), if any. */
export function downtimeAt(windows: readonly DowntimeWindow[], scenarioMs: number): DowntimeWindow | undefined {
  return windows.find((w) => scenarioMs >= w.fromMs && scenarioMs < w.toMs);
}

export type PlannedOutcome = "delivered" | "refused" | "503" | "500";

export interface PlannedAttempt {
  chain: number;
  attempt: number;
  /** Scenario ms from the start of the run when the attempt reaches the endpoint. */
  atMs: number;
  outcome: PlannedOutcome;
}

/** Whether the plan ever has the endpoint answer 500 or 503 (a drawn failure, a `503` downtime window). */
export function scriptsFailures(faults: WebhookFaults): boolean {
  return faults.failureRate > 0 || faults.downtime.some((w) => w.mode === "503");
}

/**
 * The planned outcomes of the attempts that reach the endpoint (refused ones never do), in the
 * order they arrive: by time, the two chains of a duplicate by chain on a tie. Without a fault
 * `delay` both chains keep the same schedule, so two tied attempts arriving the other way round
 * swap outcomes between chains and change no count.
 */
export function arrivingOutcomes(plan: readonly PlannedAttempt[]): Array<Exclude<PlannedOutcome, "refused">> {
  return plan
    .filter((a) => a.outcome !== "refused")
    .sort((a, b) => a.atMs - b.atMs || a.chain - b.chain)
    .map((a) => a.outcome as Exclude<PlannedOutcome, "refused">);
}
