import { UsageError } from "../errors.js";
import { formatCount, formatMs } from "../contract/format.js";
import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { LONG_POLL_CONNECTIONS } from "./strategy-run.js";

/**
 * What one machine can run faithfully over loopback HTTP (issue 13, H3), measured with the real
 * CLI on the project's 2-core machine while other work kept its load average near 12 (README,
 * "Measurement fidelity"):
 *
 * - requests: polling 5,000 pending payments every second (5,000 polls a second) kept poll round
 *   trips at p50 1.3 ms; 10,000 a second queued them (p50 466 ms, so every latency carried the
 *   tool's own wait). Deliveries: 10,000 payments settling within 0.5–4 s (about 2,900 a second at
 *   the peak) arrived 1.5 ms after settling (p50); 50,000 (about 14,000 a second) 245 ms after.
 * - payments: 100,000 held 373 MB in one process (webhook); 1,000,000 reached 930 MB, with every
 *   figure distorted long before.
 *
 * Above either limit the real clock asks for `--force`, and points to `--clock virtual`, which
 * replays the same scenario as a simulation and has no such limit.
 */
export const REAL_CLOCK_LIMITS = { payments: 100_000, requestsPerSecond: 5_000 } as const;

export interface PeakLoad {
  strategy: StrategyName;
  /** Requests a second of wall time the strategy needs at the scenario's busiest moment. */
  perSecond: number;
  /** What those requests are, for the message. */
  what: string;
  /** Long polling: requests held open at once at the peak (one connection each). */
  held?: number;
}

/**
 * The busiest second of wall time each strategy would face, from the very offsets and settlement
 * delays the run will draw: polls are the payments pending at the peak divided by the interval;
 * pushed events are the most settlements in one wall second. Creation is left out: a burst the
 * provider creates over a few seconds is stamped as created, and no figure depends on it being instant.
 */
export function peakLoads(scenario: Scenario): PeakLoad[] {
  const n = scenario.payments.count;
  const offsets = arrivalOffsets(scenario.payments.arrival, n, scenario.seed);
  const rule = settlementRule(scenario);
  const settled = new Float64Array(n);
  for (let i = 0; i < n; i++) settled[i] = offsets[i]! + settlementFor(rule, i).delayMs;
  const pending = maxPending(offsets, settled);
  const settling = maxInWindow(settled, 1000 * scenario.speed);
  const polls = (everyMs: number) => (pending * 1000 * scenario.speed) / Math.max(1, everyMs);
  const pendingText = `${formatCount(pending)} ${pending === 1 ? "payment" : "payments"} pending`;
  return scenario.strategies.map((strategy): PeakLoad => {
    switch (strategy) {
      case "polling":
      case "conditional":
        return { strategy, perSecond: polls(scenario.polling.intervalMs), what: `${pendingText}, each polled every ${formatMs(scenario.polling.intervalMs)}` };
      case "polling-backoff":
        return { strategy, perSecond: polls(scenario.pollingBackoff.baseMs), what: `${pendingText}, each polled again after ${formatMs(scenario.pollingBackoff.baseMs)} at first` };
      case "long-polling":
        return { strategy, perSecond: settling + polls(scenario.longPolling.waitMs), what: `${formatCount(settling)} answered as payments settle, and ${pendingText} renewing their wait`, held: pending };
      default:
        return { strategy, perSecond: settling, what: `${formatCount(settling)} payments settling within one second` };
    }
  });
}

/** Payments created and not yet settled at the busiest instant. */
function maxPending(created: Float64Array, settled: Float64Array): number {
  const n = created.length;
  if (n === 0) return 0;
  // A burst creates every payment at 0, before the first settles.
  if (created[n - 1] === 0) return n;
  const starts = created.slice().sort();
  const ends = settled.slice().sort();
  let open = 0;
  let most = 0;
  for (let i = 0, j = 0; i < n; ) {
    if (starts[i]! <= ends[j]!) {
      most = Math.max(most, ++open);
      i++;
    } else {
      open--;
      j++;
    }
  }
  return most;
}

/** The most values within any window of `width` (sliding over the sorted values). */
function maxInWindow(values: Float64Array, width: number): number {
  const sorted = values.slice().sort();
  let most = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= width) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

/**
 * Refuses, with one line naming the limit and the way out, a real-clock run above what this
 * machine can run faithfully; `force` runs it anyway (the health warnings will say what it cost).
 */
export function checkRealClock(scenario: Scenario, force: boolean, where = "the scenario"): void {
  if (force) return;
  const { payments, requestsPerSecond } = REAL_CLOCK_LIMITS;
  const escape = "use --clock virtual to simulate it, or --force to run it on the real clock anyway";
  if (scenario.payments.count > payments)
    throw new UsageError(`${where} has ${formatCount(scenario.payments.count)} payments, more than the ${formatCount(payments)} the real clock runs faithfully on one machine; ${escape}`);
  const loads = peakLoads(scenario);
  const held = loads.find((l) => l.held !== undefined && l.held > LONG_POLL_CONNECTIONS);
  // Measured: 5,001 pending long polls over 256 connections were answered 808 ms after settling (p50), where the model says at once.
  if (held)
    throw new UsageError(
      `${where} holds ${formatCount(held.held!)} long polls at once at its peak, more than the ${LONG_POLL_CONNECTIONS} connections the consumer opens, so the rest would queue and their latency measure the queue; ${escape}, or create fewer payments at once`,
    );
  const worst = loads.sort((a, b) => b.perSecond - a.perSecond)[0];
  if (worst && worst.perSecond > requestsPerSecond)
    throw new UsageError(
      `${where} needs about ${formatCount(Math.round(worst.perSecond))} requests a second for ${worst.strategy} at its peak (${worst.what}), more than the ${formatCount(requestsPerSecond)} one machine serves faithfully over loopback; ${escape}, or slow it down (fewer payments, a longer interval, a lower --speed)`,
    );
}
