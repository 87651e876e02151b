import type { Distribution } from "./distribution.js";

/** Every way of learning an outcome the tool knows. Issue #2 implements the first two. */
export const STRATEGY_NAMES = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export type Arrival = { kind: "burst" } | { kind: "rate"; perSecond: number; source: string };

export type SignatureFormat = "standard-webhooks" | "stripe";

/** A scenario after parsing and validation: every duration in milliseconds of scenario time. */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  payments: { count: number; arrival: Arrival };
  settlement: { delay: Distribution; failureRate: number };
  polling: { intervalMs: number };
  webhook: { retriesMs: number[]; timeoutMs: number; signature: SignatureFormat };
  network: { latencyMs: number; jitterMs: number };
  deadlineMs: number;
  /** Scenario time runs `speed` times faster than wall time; every reported figure is in scenario time. */
  speed: number;
  strategies: StrategyName[];
  expect: string[];
}
