import { UsageError } from "../errors.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { envelope } from "../contract/envelope.js";
import type { StrategyResult, SweepPoint, SweepResult } from "../contract/result.js";
import { runStrategy, type RunOptions } from "./strategy-run.js";

/** `apiwh sweep` without `--intervals`: from a nervous poller to a relaxed one. */
export const DEFAULT_SWEEP_INTERVALS_MS = [250, 500, 1000, 2000, 5000];

/** The one strategy whose cost a poll interval sets. */
const SWEPT: StrategyName = "polling";

/**
 * Runs polling once per interval, each against a fresh provider with the scenario's seed, so
 * every point faces the same settlements; then the webhook once, as the reference point. Runs go
 * one after another: concurrent runs would share the event loop and blur each other's latency.
 */
export async function sweepIntervals(scenario: Scenario, intervalsMs: number[], options: RunOptions): Promise<SweepResult> {
  validateIntervals(intervalsMs);
  const points: SweepPoint[] = [];
  for (const intervalMs of intervalsMs) {
    if (options.signal?.aborted) break;
    const result = await run({ ...scenario, polling: { intervalMs } }, SWEPT, options);
    points.push(pointOf(result, intervalMs));
  }
  let webhook: SweepPoint | null = null;
  if (!options.signal?.aborted) webhook = pointOf(await run(scenario, "webhook", options), null);
  const partial = Boolean(options.signal?.aborted) || points.length < intervalsMs.length || webhook === null;
  return {
    ...envelope(scenario, "real", partial, [SWEPT, "webhook"]),
    strategy: SWEPT,
    points,
    webhook,
  };
}

async function run(scenario: Scenario, name: StrategyName, options: RunOptions): Promise<StrategyResult> {
  const result = await runStrategy(scenario, name, options);
  // As compare() does, so a live view or timeline listening to the sweep sees each run end.
  options.onEvent?.({ kind: "strategy-end", strategy: name, result });
  return result;
}

function pointOf(r: StrategyResult, intervalMs: number | null): SweepPoint {
  return {
    intervalMs,
    requests: { total: r.requests.total, wasted: r.requests.wasted, perPayment: r.requests.perPayment },
    latencyMs: r.latencyMs ? { mean: r.latencyMs.mean, p50: r.latencyMs.p50, p95: r.latencyMs.p95 } : null,
    payments: { total: r.payments.total, detected: r.payments.detected, missed: r.payments.missed },
    durationMs: r.durationMs,
  };
}

/** Pure: names the flag and the expected form, as every other validation does. */
export function validateIntervals(intervalsMs: number[]): void {
  if (intervalsMs.length === 0) throw new UsageError("--intervals names no interval; expected a list such as 250ms,500ms,1s,2s,5s");
  for (const ms of intervalsMs) {
    if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--intervals: ${ms} ms is not a poll interval; expected durations above zero, such as 250ms or 2s`);
  }
  if (new Set(intervalsMs).size !== intervalsMs.length) throw new UsageError("--intervals names an interval twice; each interval runs once");
}

export { parseIntervalList } from "../scenario/fields.js";
