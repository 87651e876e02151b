import type { CompareResult } from "../../src/contract/result.js";
import type { MatrixCase } from "./matrix.js";

/**
 * The matrix's cases, small and quick: ten payments arriving as a Poisson process (40/s), settling
 * within 50–600 ms, every exchange 10 ms each way, polled every 150 ms. Under a second of wall time
 * per strategy. Each case names the strategies its condition touches.
 */
const ALL = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"];
const ASKING = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "hybrid"];

const base = {
  payments: { count: 10, arrival: { rate: "40/s" } },
  settlement: { delay: "uniform(50ms, 600ms)", failureRate: 0.1 },
  polling: { interval: "150ms" },
  "long-polling": { wait: "1s" },
  hybrid: { reconcileEvery: "250ms" },
  webhook: { retries: ["0s", "150ms", "300ms"] },
  network: { latency: "10ms" },
  deadline: "3s",
};

const some = (r: CompareResult, f: (s: CompareResult["strategies"][number]) => number) => r.strategies.some((s) => f(s) > 0);

export const LATENCY: MatrixCase = {
  label: "latency and jitter",
  baseSeed: 100,
  file: { ...base, name: "matrix-latency", network: { latency: "12ms", jitter: "8ms" }, strategies: ALL },
  exercises: () => true,
};

/** The same scenario twenty times faster: every duration ×20, the wall time the same. */
export const SPEED: MatrixCase = {
  label: "speed 20",
  baseSeed: 200,
  file: {
    name: "matrix-speed",
    payments: { count: 10, arrival: { rate: "2/s" } },
    settlement: { delay: "uniform(1s, 12s)", failureRate: 0.1 },
    polling: { interval: "3s" },
    "long-polling": { wait: "20s" },
    hybrid: { reconcileEvery: "5s" },
    webhook: { retries: ["0s", "3s", "6s"] },
    network: { latency: "240ms", jitter: "160ms" },
    deadline: "60s",
    speed: 20,
    strategies: ALL,
  },
  exercises: () => true,
};

/**
 * A limit on a one-second schedule: a 429's Retry-After (a whole second at least) then costs one
 * slot, not six, so a poll that finds the bucket a token short does not send a payment's schedule
 * somewhere else entirely. Four times faster than real time to keep it short; 7.3 a second binds
 * ten payments polled every second, at a rate whose refill never lines up with the schedule.
 */
export const RATE_LIMIT: MatrixCase = {
  label: "a rate limit",
  baseSeed: 300,
  file: {
    ...base,
    name: "matrix-rate-limit",
    settlement: { delay: "uniform(500ms, 4s)", failureRate: 0.1 },
    polling: { interval: "1s" },
    "long-polling": { wait: "4s" },
    hybrid: { reconcileEvery: "1s" },
    provider: { rateLimit: "7.3/s" },
    speed: 4,
    deadline: "12s",
    strategies: ASKING,
  },
  exercises: (v) => some(v, (s) => s.errors.rateLimited),
};

export const WEBHOOK_FAULTS: MatrixCase = {
  label: "webhook faults",
  baseSeed: 400,
  file: {
    ...base,
    name: "matrix-webhook-faults",
    faults: { webhook: { failureRate: 0.3, duplicateRate: 0.3, reorder: true, downtime: [{ from: "200ms", to: "400ms", mode: "503" }, { from: "500ms", to: "650ms", mode: "refuse" }] } },
    strategies: ["webhook", "hybrid"],
  },
  exercises: (v) => v.strategies[0]!.deliveries.retried > 2 && v.strategies[0]!.payments.duplicates > 0,
};

export const API_FAULTS: MatrixCase = {
  label: "API faults",
  baseSeed: 500,
  file: { ...base, name: "matrix-api-faults", faults: { api: { errorRate: 0.2, latency: "uniform(2ms, 10ms)" } }, strategies: ASKING },
  exercises: (v) => some(v, (s) => s.errors.server),
};

export const DEADLINE: MatrixCase = {
  label: "a deadline shorter than some delays",
  baseSeed: 600,
  file: { ...base, name: "matrix-deadline", settlement: { delay: "uniform(50ms, 1s)", failureRate: 0.1 }, deadline: "500ms", strategies: ALL },
  // Some payments settle after their deadline, some are learned in time.
  exercises: (v) => v.strategies.every((s) => s.payments.missed > 0 && s.payments.detected > 0),
};
