import type { CompareResult } from "../../src/contract/result.js";
import type { MatrixCase } from "./matrix.js";

/**
 * The matrix's cases, small and quick: ten payments arriving as a Poisson process (20/s), settling
 * within 0.1–1.2 s, every exchange 20 ms each way, polled every 300 ms. About 1.5 s of wall time
 * per strategy. Each case names the strategies its condition touches.
 */
const ALL = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"];
const ASKING = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "hybrid"];

const base = {
  payments: { count: 10, arrival: { rate: "20/s" } },
  settlement: { delay: "uniform(100ms, 1200ms)", failureRate: 0.1 },
  polling: { interval: "300ms" },
  "long-polling": { wait: "2s" },
  hybrid: { reconcileEvery: "500ms" },
  webhook: { retries: ["0s", "300ms", "600ms"] },
  network: { latency: "20ms" },
  deadline: "5s",
};

const some = (r: CompareResult, f: (s: CompareResult["strategies"][number]) => number) => r.strategies.some((s) => f(s) > 0);

export const LATENCY: MatrixCase = {
  label: "latency and jitter",
  baseSeed: 100,
  file: { ...base, name: "matrix-latency", network: { latency: "25ms", jitter: "15ms" }, strategies: ALL },
  exercises: () => true,
};

/** The same scenario twenty times faster: every duration ×20, the wall time the same. */
export const SPEED: MatrixCase = {
  label: "speed 20",
  baseSeed: 200,
  file: {
    name: "matrix-speed",
    payments: { count: 10, arrival: { rate: "1/s" } },
    settlement: { delay: "uniform(2s, 24s)", failureRate: 0.1 },
    polling: { interval: "6s" },
    "long-polling": { wait: "40s" },
    hybrid: { reconcileEvery: "10s" },
    webhook: { retries: ["0s", "6s", "12s"] },
    network: { latency: "400ms", jitter: "300ms" },
    deadline: "100s",
    speed: 20,
    strategies: ALL,
  },
  exercises: () => true,
};

export const RATE_LIMIT: MatrixCase = {
  label: "a rate limit",
  baseSeed: 300,
  // 7.3 a second: a limit that binds, at a rate whose refill never lines up with the 300 ms schedule.
  file: { ...base, name: "matrix-rate-limit", provider: { rateLimit: "7.3/s" }, strategies: ASKING },
  exercises: (v) => some(v, (s) => s.errors.rateLimited),
};

export const WEBHOOK_FAULTS: MatrixCase = {
  label: "webhook faults",
  baseSeed: 400,
  file: {
    ...base,
    name: "matrix-webhook-faults",
    faults: { webhook: { failureRate: 0.3, duplicateRate: 0.3, reorder: true, downtime: [{ from: "400ms", to: "800ms", mode: "503" }, { from: "1000ms", to: "1300ms", mode: "refuse" }] } },
    strategies: ["webhook", "hybrid"],
  },
  exercises: (v) => v.strategies[0]!.deliveries.retried > 2 && v.strategies[0]!.payments.duplicates > 0,
};

export const API_FAULTS: MatrixCase = {
  label: "API faults",
  baseSeed: 500,
  file: { ...base, name: "matrix-api-faults", faults: { api: { errorRate: 0.2, latency: "uniform(2ms, 20ms)" } }, strategies: ASKING },
  exercises: (v) => some(v, (s) => s.errors.server),
};

export const DEADLINE: MatrixCase = {
  label: "a deadline shorter than some delays",
  baseSeed: 600,
  file: { ...base, name: "matrix-deadline", settlement: { delay: "uniform(100ms, 2s)", failureRate: 0.1 }, deadline: "1s", strategies: ALL },
  // Some payments settle after their deadline, some are learned in time.
  exercises: (v) => v.strategies.every((s) => s.payments.missed > 0 && s.payments.detected > 0),
};
