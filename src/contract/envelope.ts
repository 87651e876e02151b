import type { Scenario, StrategyName } from "../scenario/types.js";
import { VERSION } from "../version.js";
import type { Envelope, ScenarioEcho, Stamp } from "./result.js";

export function stamp(): Stamp {
  return { schemaVersion: 1, tool: { name: "apiwh", version: VERSION } };
}

/**
 * The head of a compare or sweep result, built here only, so both engines and every command open
 * their JSON the same way. `strategies` names what ran when it differs from the scenario's list
 * (a sweep runs polling and the webhook).
 */
export function envelope(scenario: Scenario, clock: Envelope["clock"], partial: boolean, strategies: readonly StrategyName[] = scenario.strategies): Envelope {
  return { ...stamp(), clock, partial, scenario: echoScenario(scenario, strategies) };
}

function echoScenario(s: Scenario, strategies: readonly StrategyName[]): ScenarioEcho {
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
    strategies: [...strategies],
    reconcileEveryMs: s.hybrid.reconcileEveryMs,
    profile: s.profile,
  };
}
