import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/types.js";
import type { CompareResult, ScenarioEcho, StrategyResult } from "../contract/result.js";
import { runStrategy, type RunOptions } from "./strategy-run.js";
import { verdict } from "../render/verdict.js";
import { VERSION } from "../version.js";
import { checkExpectations } from "./expectations.js";
import { foldRepeats } from "./repeat.js";

/**
 * Runs the scenario once per strategy, one after the other, each against a fresh provider with
 * the same seed, so every strategy faces identical settlements.
 */
export async function compare(scenario: Scenario, options: RunOptions): Promise<CompareResult> {
  const strategies: StrategyResult[] = [];
  for (const name of scenario.strategies) {
    if (options.signal?.aborted) break;
    const result = await runStrategy(scenario, name, options);
    strategies.push(result);
    options.onEvent?.({ kind: "strategy-end", strategy: name, result });
  }
  const partial = Boolean(options.signal?.aborted);
  return { schemaVersion: 1, tool: { name: "apiwh", version: VERSION }, clock: "real", partial, scenario: echoScenario(scenario), strategies, verdict: verdict({ strategies }) };
}

/**
 * The whole job behind `apiwh compare` and each scenario of `apiwh check`: `repeat` runs with
 * seeds seed…seed+repeat−1 (folded into means ± sd), then every expectation evaluated.
 */
export async function compareScenario(scenario: Scenario, options: RunOptions, repeat = 1, expectations: Expectation[] = [], clock: "real" | "virtual" = "real"): Promise<CompareResult> {
  // The virtual clock replays the same scenario as a discrete-event simulation: no sockets, no waiting.
  const simulate = clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  const runs: CompareResult[] = [];
  const seeds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    if (i > 0 && options.signal?.aborted) break;
    seeds.push(scenario.seed + i);
    const seeded = { ...scenario, seed: scenario.seed + i };
    runs.push(simulate ? simulate(seeded, { details: options.details }) : await compare(seeded, options));
  }
  const result = runs.length === 1 ? runs[0]! : foldRepeats(runs, seeds);
  if (runs.length > 1) result.verdict = verdict(result);
  if (runs.length < repeat) result.partial = true;
  if (expectations.length > 0) result.expectations = checkExpectations(expectations, result);
  return result;
}

export function echoScenario(s: Scenario): ScenarioEcho {
  return {
    name: s.name,
    description: s.description,
    payments: s.payments.count,
    seed: s.seed,
    pollIntervalMs: s.polling.intervalMs,
    arrival: s.payments.arrival.kind === "burst" ? "burst" : s.payments.arrival.source,
    settlementDelay: s.settlement.delay.source,
    failureRate: s.settlement.failureRate,
    networkLatencyMs: s.network.latencyMs,
    networkJitterMs: s.network.jitterMs,
    deadlineMs: s.deadlineMs,
    speed: s.speed,
    strategies: [...s.strategies],
  };
}
