import { UsageError } from "../errors.js";
import { formatCount } from "../contract/format.js";
import { REAL_CLOCK_MAX_PAYMENTS } from "../scenario/bounds.js";
import { formatDurationShort } from "../scenario/duration.js";
import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { LONG_POLL_CONNECTIONS } from "./strategy-run.js";
import { backoffOf } from "../policy/polling.js";

/**
 * What one machine can run faithfully over loopback HTTP (issue 13, H3), measured with the real
 * CLI (`compare --force --format json`, reading each run's health) on the project's 2-core machine:
 *
 * - requests: 20,000 payments pending and polled every second (20,000 polls a second) kept poll
 *   round trips at p50 1.6 ms and both loops' delay p99 near 5 ms; 40,000 a second queued them
 *   (p50 203 ms, so every latency carried the tool's own wait). Deliveries: 40,000 payments settling
 *   within 0.5–4 s (about 11,700 a second at the peak) arrived 0.8 ms after settling (p50);
 *   100,000 (about 29,000 a second), 2.4 ms. Those runs had the machine nearly to themselves (load
 *   average 2.5); with other work on it (load average 12), 10,000 polls a second already queued
 *   (p50 466 ms), which the run's health warnings then say.
 * - payments: 100,000 held 338 MB in one process (webhook); 1,000,000 took 94 s and 1,187 MB.
 *
 * Above either limit the real clock asks for `--force`, and points to `--clock virtual`, which
 * replays the same scenario as a simulation and has no such limit.
 */
export const REAL_CLOCK_LIMITS = { payments: 100_000, requestsPerSecond: 20_000 } as const;

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
        return { strategy, perSecond: polls(scenario.polling.intervalMs), what: `${pendingText}, each polled every ${formatDurationShort(scenario.polling.intervalMs)}` };
      case "polling-backoff": {
        // An estimate: its first sleep is drawn within base (full jitter, base/2 on average) and later
        // ones grow toward cap, so one poll per base while pending, as polling at that interval.
        const { baseMs } = backoffOf(scenario);
        return { strategy, perSecond: polls(baseMs), what: `${pendingText}, each polled again within ${formatDurationShort(baseMs)} at first` };
      }
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
export function checkRealClock(scenario: Scenario, force: boolean, where = "the scenario", simulable = true): void {
  // Past a million, --force cannot help: the provider refuses the next payment (503), and a million took 1.2 GB.
  if (scenario.payments.count > REAL_CLOCK_MAX_PAYMENTS)
    throw new UsageError(
      `${where} has ${formatCount(scenario.payments.count)} payments; the real clock runs at most ${formatCount(REAL_CLOCK_MAX_PAYMENTS)}, even with --force${simulable ? "; use --clock virtual to simulate it" : ""}`,
    );
  if (force) return;
  const { payments, requestsPerSecond } = REAL_CLOCK_LIMITS;
  // `apiwh sweep` has no virtual clock to offer.
  const escape = simulable ? "use --clock virtual to simulate it, or --force to run it on the real clock anyway" : "use --force to run it anyway";
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
