import { settlementFor, settlementRule } from "../scenario/plan.js";
import type { Scenario, StrategyName } from "../scenario/types.js";

import type { ModelPrediction } from "../run/result.js";

export type Prediction = ModelPrediction;

/**
 * Predictions use the very delays the provider will draw (payment #i settles after D_i), so
 * the only gap between model and measurement is what the model leaves out: request processing,
 * timer drift and the event loop. With one-way network delay d and poll interval T, the shop
 * learns a payment's id d after creation, its k-th poll reaches the provider at 2d + kT and the
 * answer is back at 3d + kT; the first poll to see the settlement is k = ⌈(D − 2d)/T⌉.
 */
export function predict(scenario: Scenario, name: StrategyName): Prediction | null {
  const rule = settlementRule(scenario);
  const n = scenario.payments.count;
  const d = scenario.network.latencyMs + scenario.network.jitterMs / 2;
  switch (name) {
    case "polling": {
      const T = scenario.polling.intervalMs;
      let polls = 0;
      let latency = 0;
      for (let i = 0; i < n; i++) {
        const D = settlementFor(rule, i).delayMs;
        const k = Math.max(0, Math.ceil((D - 2 * d) / T));
        polls += k + 1;
        latency += 3 * d + k * T - D;
      }
      return { requests: { total: polls, wasted: polls - n }, latencyMs: { mean: n > 0 ? latency / n : 0 }, basis: "⌈D/T⌉ + 1 polls per payment; waits T/2 on average, plus the network" };
    }
    case "webhook":
      // One delivery per payment plus the endpoint registration; the event travels one way.
      return { requests: { total: n + 1, wasted: 1 }, latencyMs: { mean: d }, basis: "one delivery per payment (no retries on a sunny day), one registration; latency is the one-way delay" };
    default:
      return null;
  }
}
