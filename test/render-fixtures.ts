/** Hand-built results shared by the renderer tests: live numbers vary, the layout should not. */
import type { CheckResult, CompareResult, ExpectationResult, ScenarioCheck, StrategyResult } from "../src/contract/result.js";
import type { StrategyName } from "../src/scenario/types.js";
import { makePalette } from "../src/render/color.js";

export const ANSI = /\x1b\[[0-9;]*m/g;
export const strip = (text: string) => text.replace(ANSI, "");
export const plain = makePalette(false);
export const coloured = makePalette(true, 1);

/** Hand-built figures close to a real `checkout` run: 20 payments, poll every second. */
export const polling: StrategyResult = {
  name: "polling",
  requests: { total: 118, consumerToProvider: 118, providerToConsumer: 0, wasted: 98, perPayment: 5.9, unattributed: 0, free: 0 },
  bytes: { total: 27_258, consumerToProvider: 12_980, providerToConsumer: 14_278 },
  latencyMs: { min: 3.2, mean: 471.94, p50: 452.3, p90: 903.1, p95: 951.2, p99: 991.7, max: 998.4 },
  payments: { total: 20, detected: 20, missed: 0, duplicates: 0, succeeded: 18, failed: 2, missedByReason: { "retries-exhausted": 0, deadline: 0, "endpoint-disabled": 0, interrupted: 0 } },
  deliveries: { attempted: 0, succeeded: 0, retried: 0 },
  errors: { rateLimited: 0, server: 0, rejected: 0 },
  durationMs: 9184.2,
  load: { requestsPerSecond: 12.85, peakRequestsPerSecond: 20, connectionsHeld: 0 },
  model: { requests: { total: 117, wasted: 97 }, latencyMs: { mean: 455.2 }, basis: "⌈D/T⌉ + 1 polls per payment; waits T/2 on average, plus the network" },
};

export const webhook: StrategyResult = {
  name: "webhook",
  requests: { total: 23, consumerToProvider: 1, providerToConsumer: 22, wasted: 3, perPayment: 1.15, unattributed: 1, free: 0 },
  bytes: { total: 14_214, consumerToProvider: 212, providerToConsumer: 14_002 },
  latencyMs: { min: 0.41, mean: 0.6812345, p50: 0.61, p90: 0.97, p95: 1.12, p99: 1.46, max: 1.52 },
  payments: { total: 20, detected: 20, missed: 0, duplicates: 1, succeeded: 18, failed: 2, missedByReason: { "retries-exhausted": 0, deadline: 0, "endpoint-disabled": 0, interrupted: 0 } },
  deliveries: { attempted: 22, succeeded: 20, retried: 2 },
  errors: { rateLimited: 0, server: 0, rejected: 0 },
  durationMs: 8412.7,
  load: { requestsPerSecond: 2.73, peakRequestsPerSecond: 6, connectionsHeld: 0 },
  model: { requests: { total: 21, wasted: 1 }, latencyMs: { mean: 0 }, basis: "one delivery per payment (no retries on a sunny day), one registration; latency is the one-way delay" },
};

/** A strategy scaled from `base`: the fields the verdict reads, overridden. */
export function variant(base: StrategyResult, name: StrategyName, change: { requests?: number; p50?: number | null; detected?: number } = {}): StrategyResult {
  const total = change.requests ?? base.requests.total;
  const p50 = change.p50 === undefined ? base.latencyMs?.p50 ?? null : change.p50;
  const detected = change.detected ?? base.payments.detected;
  const scale = base.latencyMs && p50 !== null ? p50 / base.latencyMs.p50 : 1;
  const l = base.latencyMs;
  return {
    ...base,
    name,
    requests: { ...base.requests, total, perPayment: total / base.payments.total },
    latencyMs:
      p50 === null || l === null
        ? null
        : { min: l.min * scale, mean: l.mean * scale, p50, p90: l.p90 * scale, p95: l.p95 * scale, p99: l.p99 * scale, max: l.max * scale },
    payments: { ...base.payments, detected, missed: base.payments.total - detected, missedByReason: { ...base.payments.missedByReason, deadline: base.payments.total - detected } },
    // The model has formulas for polling and webhook only.
    model: name === base.name ? base.model : null,
  };
}

export function compareResult(strategies: StrategyResult[], extra: Partial<CompareResult> = {}): CompareResult {
  return {
    schemaVersion: 1,
    tool: { name: "apiwh", version: "0.1.0" },
    clock: "real",
    partial: false,
    scenario: {
      name: "checkout",
      description: "card payments that settle after a few seconds",
      payments: 20,
      seed: 42,
      pollIntervalMs: 1000,
      arrival: "burst",
      settlementDelay: "lognormal(median=2s, p95=8s)",
      failureRate: 0.1,
      networkLatencyMs: 0,
      networkJitterMs: 0,
      deadlineMs: 30_000,
      speed: 1,
      strategies: strategies.map((s) => s.name),
      reconcileEveryMs: 30_000,
      profile: "standard",
    },
    strategies,
    ...extra,
  };
}

export const two = compareResult([polling, webhook]);
export const seven = compareResult([
  polling,
  variant(polling, "polling-backoff", { requests: 71, p50: 903.7 }),
  variant(polling, "conditional", { requests: 118, p50: 448.1 }),
  variant(polling, "long-polling", { requests: 41, p50: 1.84 }),
  variant(webhook, "sse", { requests: 1, p50: 0.42 }),
  webhook,
  variant(webhook, "hybrid", { requests: 31, p50: 0.63 }),
]);

/** Visible lines wider than 80 columns, colour codes aside. */
export function overWide(text: string): string[] {
  return strip(text)
    .split("\n")
    .filter((line) => [...line].length > 80);
}

export const heldLatency: ExpectationResult = { text: "webhook.latencyMs.p95 < 50ms", ok: true, details: ["got 1.12 ms, expected < 50 ms"] };
export const heldMissed: ExpectationResult = {
  text: "*.payments.missed == 0",
  ok: true,
  details: ["polling: got 0, expected == 0", "webhook: got 0, expected == 0"],
};
export const failedRatio: ExpectationResult = {
  text: "polling.requests.total >= 10 * webhook.requests.total",
  ok: false,
  details: ["got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)"],
};
export const failedMany: ExpectationResult = {
  text: "*.latencyMs.p99 < 500ms",
  ok: false,
  details: ["polling: got 991.7 ms, expected < 500 ms", "webhook: got 1.46 ms, expected < 500 ms"],
};

/** One scenario of `apiwh check`, built from a compare result. */
export function scenarioCheck(name: string, expectations: ExpectationResult[], extra: Partial<ScenarioCheck> = {}): ScenarioCheck {
  const result = compareResult([polling, webhook], { scenario: { ...two.scenario, name }, expectations });
  return {
    file: `examples/${name}.json`,
    name,
    description: "card payments that settle after a few seconds",
    status: expectations.every((e) => e.ok) ? "passed" : "failed",
    durationMs: 9_412.5,
    expectations,
    result,
    ...extra,
  };
}

/** A check result whose summary is counted from its scenarios, as `check()` does. */
export function checkResult(scenarios: ScenarioCheck[], durationMs = 41_234.5): CheckResult {
  const count = (status: ScenarioCheck["status"]) => scenarios.filter((s) => s.status === status).length;
  // Expectations of an interrupted scenario are not judged, so not counted.
  const all = scenarios.filter((s) => s.status !== "partial").flatMap((s) => s.expectations);
  return {
    schemaVersion: 1,
    tool: { name: "apiwh", version: "0.1.0" },
    ok: scenarios.every((s) => s.status === "passed"),
    partial: scenarios.some((s) => s.status === "partial"),
    durationMs,
    summary: {
      scenarios: scenarios.length,
      passed: count("passed"),
      failed: count("failed"),
      errors: count("error"),
      partial: count("partial"),
      expectations: all.length,
      expectationsFailed: all.filter((e) => !e.ok).length,
    },
    scenarios,
  };
}

export const brokenScenario: ScenarioCheck = {
  file: "examples/broken.yaml",
  name: "examples/broken.yaml",
  description: "",
  status: "error",
  error: 'examples/broken.yaml:3:12: settlement.delay: "lognormal(median=2s" is not a distribution; expected fixed(2s), uniform(500ms, 4s), exponential(mean=2s) or lognormal(median=2s, p95=8s)',
  durationMs: 3.2,
  expectations: [],
};

/** Six scenarios: four pass, one fails an expectation, one could not run. */
export const mixedCheck = checkResult([
  scenarioCheck("checkout", [heldLatency, heldMissed]),
  scenarioCheck("bank-transfer", [heldLatency]),
  scenarioCheck("lazy-poller", [heldLatency, failedRatio, failedMany]),
  scenarioCheck("classroom", [heldMissed]),
  scenarioCheck("flash-sale", [heldLatency, heldMissed]),
  brokenScenario,
]);
