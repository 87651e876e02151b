import { parseDistribution } from "./distribution.js";
import type { Scenario } from "./types.js";

/** The Standard Webhooks example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const STANDARD_RETRIES_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];

/**
 * The built-in scenario: 20 payments created at once, settling after 0.5–4 s, 5% failing,
 * polled every second. Two strategies finish in about ten seconds.
 */
export function defaultScenario(): Scenario {
  return {
    name: "checkout",
    description: "20 card payments created at once, settling within 0.5–4 s; a 1 s poller against a webhook.",
    seed: 42,
    payments: { count: 20, arrival: { kind: "burst" } },
    settlement: { delay: parseDistribution("uniform(500ms, 4s)"), failureRate: 0.05 },
    polling: { intervalMs: 1000 },
    webhook: { retriesMs: [...STANDARD_RETRIES_MS], timeoutMs: 15_000, signature: "standard-webhooks" },
    network: { latencyMs: 0, jitterMs: 0 },
    deadlineMs: 30_000,
    speed: 1,
    strategies: ["polling", "webhook"],
    expect: [],
    // Backoff 250 ms to 10 s, long polls of 30 s, reconcile every 30 s, no rate limit, no faults.
    pollingBackoff: { baseMs: 250, capMs: 10_000 },
    longPolling: { waitMs: 30_000 },
    hybrid: { reconcileEveryMs: 30_000 },
    provider: { rateLimitPerSecond: null },
    faults: {
      webhook: { downtime: [], failureRate: 0, duplicateRate: 0, reorder: false, delay: null },
      api: { errorRate: 0, latency: null },
    },
  };
}
