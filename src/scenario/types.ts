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
  /** `polling-backoff` in a file. */
  pollingBackoff: { baseMs: number; capMs: number };
  /** `long-polling` in a file. */
  longPolling: { waitMs: number };
  hybrid: { reconcileEveryMs: number };
  provider: { rateLimitPerSecond: number | null };
  faults: { webhook: WebhookFaults; api: ApiFaults };
}

export type DowntimeMode = "refuse" | "503";

/** A span of scenario time during which the webhook receiver is unreachable (`refuse`) or answers 503. */
export interface DowntimeWindow {
  fromMs: number;
  toMs: number;
  mode: DowntimeMode;
}

export interface WebhookFaults {
  /** Sorted by fromMs; never overlapping. */
  downtime: DowntimeWindow[];
  /** Share of delivery attempts the receiver fails (0–1). */
  failureRate: number;
  /** Share of events delivered twice (0–1). */
  duplicateRate: number;
  /** Whether deliveries may arrive out of order. */
  reorder: boolean;
  /** Extra delivery delay, or null for none. */
  delay: Distribution | null;
}

export interface ApiFaults {
  /** Share of API requests answered with an error (0–1). */
  errorRate: number;
  /** Extra API latency, or null for none. */
  latency: Distribution | null;
}

