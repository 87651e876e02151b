import { UsageError } from "../errors.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { envelope } from "../contract/envelope.js";
import { costOf, projectStrategy } from "../contract/projection.js";
import type { ProjectionBasis, StrategyResult, SweepPoint, SweepResult } from "../contract/result.js";
import { evaluate, type Target } from "../expect/index.js";
import { runStrategy, type RunOptions } from "./strategy-run.js";

/** `apiwh sweep` without `--intervals`: from a nervous poller to a relaxed one. */
export const DEFAULT_SWEEP_INTERVALS_MS = [250, 500, 1000, 2000, 5000];

/** The one strategy whose cost a poll interval sets. */
const SWEPT: StrategyName = "polling";

/**
 * The intervals `--target` chooses from: the round figures a person would configure, from 10 ms
 * to 7 days, about eight to a decade.
 */
export const TARGET_GRID_MS: readonly number[] = (() => {
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8];
  const ms: number[] = [];
  for (const decade of [10, 100, 1000]) for (const step of steps) ms.push(step * decade);
  for (const s of [10, 15, 20, 30, 45]) ms.push(s * 1000);
  for (const m of [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45]) ms.push(m * 60_000);
  for (const h of [1, 1.5, 2, 3, 4, 6, 8, 12]) ms.push(h * 3_600_000);
  for (const d of [1, 2, 3, 4, 5, 6, 7]) ms.push(d * 86_400_000);
  return ms;
})();

/** A run of the sweep, as it starts and as it ends (for progress lines). */
export interface SweepStep {
  phase: "start" | "done";
  /** `virtual` for the search's simulations, `real` for the runs over loopback. */
  clock: "real" | "virtual";
  strategy: StrategyName;
  /** Null for the webhook. */
  intervalMs: number | null;
  /** 0-based; `total` is undefined while a search cannot know how many steps it will take. */
  index: number;
  total: number | undefined;
  point?: SweepPoint;
}

export interface SweepOptions extends RunOptions {
  onStep?: (step: SweepStep) => void;
  /** Scales each point's figures to a day (and prices them). */
  projection?: ProjectionBasis;
  /**
   * Called before each real run `--target` chooses, with the scenario as it will run; throws to
   * refuse it (the real clock's limit, src/run/capacity.ts: the interval is known only then).
   */
  admit?: (scenario: Scenario) => void;
}

/**
 * Runs polling once per interval, each against a fresh provider with the scenario's seed, so
 * every point faces the same settlements; then the webhook once, as the reference point. Runs go
 * one after another: concurrent runs would share the event loop and blur each other's latency.
 */
export async function sweepIntervals(scenario: Scenario, intervalsMs: number[], options: SweepOptions): Promise<SweepResult> {
  validateIntervals(intervalsMs);
  const points: SweepPoint[] = [];
  const total = intervalsMs.length + 1;
  for (const [index, intervalMs] of intervalsMs.entries()) {
    if (options.signal?.aborted) break;
    points.push(await realPoint(scenario, SWEPT, intervalMs, index, total, options));
  }
  let webhook: SweepPoint | null = null;
  if (!options.signal?.aborted) webhook = await realPoint(scenario, "webhook", null, intervalsMs.length, total, options);
  const partial = Boolean(options.signal?.aborted) || points.length < intervalsMs.length || webhook === null;
  return {
    ...envelope(scenario, "real", partial, [SWEPT, "webhook"]),
    strategy: SWEPT,
    points,
    webhook,
    ...(options.projection ? { projection: options.projection } : {}),
  };
}

/** How many real runs `--target` may spend confirming: the chosen interval, then up to two smaller ones. */
const MAX_CONFIRMATIONS = 3;

/**
 * `apiwh sweep --target`: the largest interval of TARGET_GRID_MS (up to the deadline) that meets
 * the target. The search runs on the virtual clock (`simulate`), by bisection, taking the figure
 * to worsen as the interval grows (each step is kept, so a reader sees where it was not); then one
 * real run confirms the choice, and when the machine's own overhead makes it miss, the next
 * smaller interval is tried, up to three real runs. The webhook runs once, for reference.
 */
export async function sweepTarget(scenario: Scenario, target: Target, options: SweepOptions & { simulate: (scenario: Scenario) => StrategyResult }): Promise<SweepResult> {
  const grid = TARGET_GRID_MS.filter((ms) => ms <= scenario.deadlineMs);
  if (grid.length === 0) grid.push(scenario.deadlineMs);
  const searched = new Map<number, SweepPoint>();
  let steps = 0;
  const meets = (i: number): boolean => {
    const intervalMs = grid[i]!;
    const known = searched.get(intervalMs);
    if (known) return known.meets!;
    options.onStep?.({ phase: "start", clock: "virtual", strategy: SWEPT, intervalMs, index: steps, total: undefined });
    const result = options.simulate(at(scenario, intervalMs));
    const point = { ...pointOf(result, intervalMs, options.projection), meets: evaluate(target.expectation, { strategies: [result] }).ok };
    searched.set(intervalMs, point);
    options.onStep?.({ phase: "done", clock: "virtual", strategy: SWEPT, intervalMs, index: steps++, total: undefined, point });
    return point.meets;
  };
  let best: number | null = null;
  if (meets(0)) {
    if (meets(grid.length - 1)) best = grid.length - 1;
    else {
      let lo = 0;
      let hi = grid.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (meets(mid)) lo = mid;
        else hi = mid;
      }
      best = lo;
    }
  }
  const points: SweepPoint[] = [];
  let recommended: NonNullable<SweepResult["target"]>["recommended"] = null;
  for (let i = best, tries = 0; i !== null && i >= 0 && tries < MAX_CONFIRMATIONS && !options.signal?.aborted; i--, tries++) {
    if (!meets(i)) continue;
    const intervalMs = grid[i]!;
    options.admit?.(at(scenario, intervalMs));
    options.onStep?.({ phase: "start", clock: "real", strategy: SWEPT, intervalMs, index: steps, total: undefined });
    const result = await runStrategy(at(scenario, intervalMs), SWEPT, options);
    options.onEvent?.({ kind: "strategy-end", strategy: SWEPT, result });
    const outcome = evaluate(target.expectation, { strategies: [result] });
    const point = { ...pointOf(result, intervalMs, options.projection), meets: outcome.ok };
    points.push(point);
    options.onStep?.({ phase: "done", clock: "real", strategy: SWEPT, intervalMs, index: steps++, total: undefined, point });
    if (outcome.ok && !options.signal?.aborted) {
      recommended = { intervalMs, details: outcome.checks.map((c) => c.detail) };
      break;
    }
  }
  let webhook: SweepPoint | null = null;
  if (!options.signal?.aborted) webhook = await realPoint(scenario, "webhook", null, steps, undefined, options);
  return {
    ...envelope(scenario, "real", Boolean(options.signal?.aborted), [SWEPT, "webhook"]),
    strategy: SWEPT,
    points,
    webhook,
    target: { text: target.text, expectation: target.expectation.text, searched: [...searched.values()].sort((a, b) => a.intervalMs! - b.intervalMs!), recommended },
    ...(options.projection ? { projection: options.projection } : {}),
  };
}

function at(scenario: Scenario, intervalMs: number): Scenario {
  return { ...scenario, polling: { intervalMs } };
}

async function realPoint(scenario: Scenario, name: StrategyName, intervalMs: number | null, index: number, total: number | undefined, options: SweepOptions): Promise<SweepPoint> {
  options.onStep?.({ phase: "start", clock: "real", strategy: name, intervalMs, index, total });
  const result = await runStrategy(intervalMs === null ? scenario : at(scenario, intervalMs), name, options);
  // As compare() does, so a live view or timeline listening to the sweep sees each run end.
  options.onEvent?.({ kind: "strategy-end", strategy: name, result });
  const point = pointOf(result, intervalMs, options.projection);
  options.onStep?.({ phase: "done", clock: "real", strategy: name, intervalMs, index, total, point });
  return point;
}

function pointOf(r: StrategyResult, intervalMs: number | null, projection: ProjectionBasis | undefined): SweepPoint {
  const point: SweepPoint = {
    intervalMs,
    requests: { total: r.requests.total, wasted: r.requests.wasted, perPayment: r.requests.perPayment },
    latencyMs: r.latencyMs ? { mean: r.latencyMs.mean, p50: r.latencyMs.p50, p95: r.latencyMs.p95 } : null,
    payments: { total: r.payments.total, detected: r.payments.detected, missed: r.payments.missed },
    durationMs: r.durationMs,
    bytes: { total: r.bytes.total },
    load: { requestsPerSecond: r.load.requestsPerSecond, peakRequestsPerSecond: r.load.peakRequestsPerSecond, connectionsHeld: r.load.connectionsHeld },
  };
  if (!projection) return point;
  const scaled = projectStrategy(r, projection);
  return { ...point, projection: scaled, ...(projection.price ? { cost: costOf(scaled, projection.price.terms, projection.daysPerMonth) } : {}) };
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
