import { describe, expect, it } from "vitest";
import { LatencyAggregate } from "../src/contract/latency.js";
import type { StrategyResult } from "../src/contract/result.js";
import { predict } from "../src/model/predict.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { STRATEGY_NAMES, type Scenario } from "../src/scenario/types.js";
import { simulateScenario, simulateStrategy } from "../src/virtual/simulate.js";

/**
 * The virtual clock aggregates in streaming form (issue 18): counters and one latency aggregate,
 * no per-payment arrays but with --details, the payments' draws taken once and shared by every
 * strategy and its model, the per-payment arrays of one strategy reused by the next. Each figure
 * is checked against what the same run's --details records give exactly, and against the same
 * strategy simulated alone in a world of its own.
 */
const STRATEGIES = [...STRATEGY_NAMES];

function moderate(patch: (s: Scenario) => void = () => {}): Scenario {
  const s = defaultScenario();
  s.payments = { count: 4000, arrival: { kind: "rate", perSecond: 400, source: "400/s" } };
  // Jitter reorders creations and settlements; webhook faults give misses with a reason; a
  // deadline under the slowest settlements gives late detections.
  s.network = { latencyMs: 5, jitterMs: 20 };
  s.faults.webhook.failureRate = 0.2;
  s.faults.webhook.duplicateRate = 0.1;
  s.deadlineMs = 3500;
  s.strategies = STRATEGIES;
  patch(s);
  return s;
}

/** The ceil(p·N)-th smallest value, the order statistic an HDR percentile stands for. */
function orderStatistic(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe("the virtual clock's streaming aggregate", () => {
  const scenario = moderate();
  const streaming = simulateScenario(scenario);
  const detailed = simulateScenario(scenario, { details: true });

  it("exercises what it checks: misses, late detections, duplicates and every strategy", () => {
    expect(streaming.strategies.map((r) => r.name)).toEqual(STRATEGIES);
    const webhook = streaming.strategies.find((r) => r.name === "webhook")!;
    expect(webhook.payments.missed).toBeGreaterThan(0);
    expect(webhook.payments.duplicates).toBeGreaterThan(0);
    expect(streaming.strategies.some((r) => r.payments.missedByReason.deadline > 0)).toBe(true);
  });

  it.each(STRATEGIES)("%s: --details only adds the records; every other figure is the same", (name) => {
    const a = streaming.strategies.find((r) => r.name === name)!;
    const { details, load, ...b } = detailed.strategies.find((r) => r.name === name)!;
    expect(details).toHaveLength(scenario.payments.count);
    const { perSecond, ...loadWithout } = load;
    expect(perSecond!.reduce((x, y) => x + y, 0)).toBe(a.requests.total);
    expect({ ...b, load: loadWithout }).toEqual(a);
  });

  it.each(STRATEGIES)("%s: counts and latencies agree with the run's own records", (name) => {
    const r = detailed.strategies.find((s) => s.name === name)! as Required<StrategyResult>;
    const known = r.details.filter((d) => d.latencyMs !== null);
    expect(r.payments.detected).toBe(known.length);
    expect(r.payments.missed).toBe(r.details.length - known.length);
    expect(r.payments.succeeded + r.payments.failed).toBe(known.length);
    expect(r.payments.failed).toBe(known.filter((d) => d.status === "failed").length);
    expect(r.requests.total).toBe(r.details.reduce((sum, d) => sum + d.requests, 0) + r.requests.unattributed);
    const latencies = known.map((d) => d.latencyMs!).sort((x, y) => x - y);
    const s = r.latencyMs!;
    // min, max and the mean are exact; the mean summed in payment order, as the aggregate does.
    expect(s.min).toBe(latencies[0]);
    expect(s.max).toBe(latencies.at(-1));
    expect(s.mean).toBeCloseTo(known.reduce((sum, d) => sum + d.latencyMs!, 0) / known.length, 9);
    for (const p of [50, 90, 95, 99] as const) {
      const exact = orderStatistic(latencies, p);
      // The stated precision (README, "At scale"): the value in whole µs, then at most its bucket's
      // width above it (1/1024 of it, or 1 µs below 2.048 ms), never outside [min, max].
      expect(s[`p${p}`]).toBeGreaterThanOrEqual(Math.min(exact, Math.round(exact * 1000) / 1000) - 1e-9);
      expect(s[`p${p}`]).toBeLessThanOrEqual(Math.round(exact * 1000) / 1000 + Math.max(0.001, exact / 1024) + 1e-9);
      // And exactly what the aggregate gives for these values.
      const aggregate = new LatencyAggregate();
      for (const d of known) aggregate.add(d.latencyMs!);
      expect(s[`p${p}`]).toBe(aggregate.summary()![`p${p}`]);
    }
  });

  it.each(STRATEGIES)("%s: the same as simulated alone, in a world and with draws of its own", (name) => {
    // In the run above it shared the draws, the settlement order and the tally arrays with the strategies before it.
    const alone = simulateStrategy(scenario, name);
    expect(streaming.strategies.find((r) => r.name === name)).toEqual(alone);
    expect(alone.model).toEqual(predict(scenario, name));
  });
});
