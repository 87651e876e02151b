import type { Scenario } from "../scenario/types.js";
import type { CompareResult, ScenarioEcho, StrategyResult } from "./result.js";
import { runStrategy, type RunOptions } from "./strategy-run.js";
import { verdict } from "../render/verdict.js";
import { VERSION } from "../version.js";

/**
 * Runs the scenario once per strategy, one after the other, each against a fresh provider with
 * the same seed, so every strategy faces identical settlements.
 */
export async function compare(scenario: Scenario, options: RunOptions): Promise<CompareResult> {
  const strategies: StrategyResult[] = [];
  let partial = false;
  for (const name of scenario.strategies) {
    if (options.signal?.aborted) {
      partial = true;
      break;
    }
    const result = await runStrategy(scenario, name, options);
    strategies.push(result);
    options.onEvent?.({ kind: "strategy-end", strategy: name, result });
  }
  if (options.signal?.aborted) partial = true;
  return { schemaVersion: 1, tool: { name: "apiwh", version: VERSION }, clock: "real", partial, scenario: echoScenario(scenario), strategies, verdict: verdict({ strategies }) };
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
