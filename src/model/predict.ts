import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import { Stream, rngFor } from "../scenario/random.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { planDeliveries } from "../webhooks/fault-plan.js";

import type { ModelPrediction } from "../contract/result.js";

export type Prediction = ModelPrediction;

/**
 * Predictions use the very delays the provider will draw (payment #i settles after D_i), so
 * the only gap between model and measurement is what the model leaves out: request processing,
 * timer drift and the event loop. With one-way network delay d and poll interval T, the shop
 * learns a payment's id d after creation, its k-th poll reaches the provider at 2d + kT and the
 * answer is back at 3d + kT; the first poll to see the settlement is k = ⌈(D − 2d)/T⌉.
 *
 * A strategy whose cost depends on timing the model does not capture (429s, injected 5xx, the
 * hybrid's reconciliation over the run's length) gets null rather than a made-up figure.
 */
export function predict(scenario: Scenario, name: StrategyName): Prediction | null {
  const rule = settlementRule(scenario);
  const n = scenario.payments.count;
  const d = scenario.network.latencyMs + scenario.network.jitterMs / 2;
  const delays = Array.from({ length: n }, (_, i) => settlementFor(rule, i).delayMs);
  const api = scenario.faults.api;
  const apiIsClean = scenario.provider.rateLimitPerSecond === null && api.errorRate === 0 && api.latency === null;
  const mean = (sum: number) => (n > 0 ? sum / n : 0);
  switch (name) {
    case "polling":
    case "conditional": {
      if (!apiIsClean) return null;
      const T = scenario.polling.intervalMs;
      let polls = 0;
      let latency = 0;
      for (const D of delays) {
        const k = Math.max(0, Math.ceil((D - 2 * d) / T));
        polls += k + 1;
        latency += 3 * d + k * T - D;
      }
      const basis =
        name === "polling"
          ? "⌈D/T⌉ + 1 polls per payment; waits T/2 on average, plus the network"
          : "the same polls as fixed polling (⌈D/T⌉ + 1 per payment); only the bytes shrink, 304s carrying no body";
      return { requests: { total: polls, wasted: polls - n }, latencyMs: { mean: mean(latency) }, basis };
    }
    case "polling-backoff": {
      if (!apiIsClean) return null;
      // The jitter is seeded per payment, so the model replays the very sleeps the poller draws.
      const { baseMs, capMs } = scenario.pollingBackoff;
      let polls = 0;
      let latency = 0;
      delays.forEach((D, i) => {
        const rng = rngFor(scenario.seed, Stream.backoff, i);
        let reach = 2 * d;
        let k = 0;
        while (reach < D) reach += d + Math.min(capMs, baseMs * 2 ** k++) * rng.next() + d;
        polls += k + 1;
        latency += reach + d - D;
      });
      return { requests: { total: polls, wasted: polls - n }, latencyMs: { mean: mean(latency) }, basis: "the seeded full-jitter sleeps replayed: poll until a poll reaches the provider after D" };
    }
    case "long-polling": {
      if (!apiIsClean) return null;
      const W = Math.min(scenario.longPolling.waitMs, 60_000);
      let polls = 0;
      let latency = 0;
      for (const D of delays) {
        let reach = 2 * d;
        let k = 0;
        while (reach + W < D) {
          reach += W + 2 * d;
          k++;
        }
        polls += k + 1;
        latency += Math.max(reach, D) + d - D;
      }
      return { requests: { total: polls, wasted: polls - n }, latencyMs: { mean: mean(latency) }, basis: "one held request per wait window a payment stays pending, plus the one that answers; told within d" };
    }
    case "sse":
      if (!apiIsClean) return null;
      return { requests: { total: 1, wasted: 0 }, latencyMs: { mean: d }, basis: "one stream for every payment (no drops); each event travels one way" };
    case "webhook": {
      // Walk the seeded fault plan: each attempt that reaches the receiver is a request.
      const { faults } = scenario;
      const offsets = arrivalOffsets(scenario.payments.arrival, n, scenario.seed);
      let requests = 1;
      let useful = 0;
      let latency = 0;
      delays.forEach((D, i) => {
        const settled = offsets[i]! + D;
        const plan = planDeliveries(scenario.seed, faults.webhook, scenario.webhook.retriesMs, i, settled);
        requests += plan.filter((a) => a.outcome !== "refused").length;
        const first = plan.filter((a) => a.outcome === "delivered").sort((a, b) => a.atMs - b.atMs)[0];
        if (first && first.atMs - offsets[i]! <= scenario.deadlineMs) {
          useful++;
          latency += first.atMs - settled + d;
        }
      });
      const clean = requests === n + 1;
      return {
        requests: { total: requests, wasted: requests - useful },
        latencyMs: { mean: useful > 0 ? latency / useful : 0 },
        basis: clean
          ? "one delivery per payment (no retries on a sunny day), one registration; latency is the one-way delay"
          : "the seeded fault plan walked attempt by attempt (retries, duplicates, outages), one registration; instant answers assumed",
      };
    }
    default:
      return null;
  }
}
