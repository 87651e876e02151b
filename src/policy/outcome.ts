import { missReason } from "../contract/miss.js";
import type { MissedByReason } from "../contract/result.js";

/**
 * When a payment counts as detected, and why one that does not was missed, for both engines and
 * the model. Times in scenario ms on one clock.
 */

/** A detection counts only within the deadline after the payment's creation; a later one is a miss, and the requests that brought it are wasted. */
export function inTime(detectedAt: number, createdAt: number, deadlineMs: number): boolean {
  return detectedAt === detectedAt && detectedAt - createdAt <= deadlineMs;
}

/**
 * Why a payment not detected in time was missed: its webhook's fate when that settles it
 * (retries exhausted, endpoint disabled); else `interrupted` when the run stopped before its
 * deadline had passed (Ctrl-C), else the deadline.
 */
export function missFor(fate: number, interruptedBeforeDeadline: boolean): keyof MissedByReason {
  const reason = missReason(fate);
  return reason === "deadline" && interruptedBeforeDeadline ? "interrupted" : reason;
}

/**
 * When a run ends, as the real runner decides it: once every outcome is known (in time or not), or
 * at `cutoff` (the last creation's answer plus the deadline) if one is still unknown by then.
 * `detectedAt` holds NaN for never.
 */
export function endOfRun(detectedAt: ArrayLike<number>, cutoff: number): number {
  const end = new RunEnd(cutoff);
  for (let i = 0; i < detectedAt.length; i++) end.add(detectedAt[i]!);
  return end.at;
}

/** endOfRun one detection at a time, for walks that keep no per-payment array. */
export class RunEnd {
  private last = 0;
  private unknown = false;

  constructor(readonly cutoff: number) {}

  /** One payment's detection (NaN: never). */
  add(detectedAt: number): void {
    if (!(detectedAt <= this.cutoff)) this.unknown = true;
    else if (detectedAt > this.last) this.last = detectedAt;
  }

  /** When the run ends, given the detections added. */
  get at(): number {
    return this.unknown ? this.cutoff : this.last;
  }
}
