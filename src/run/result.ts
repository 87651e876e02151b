import type { StrategyName } from "../scenario/types.js";

/**
 * The JSON contract (`apiwh compare --format json`). CI jobs and scripts depend on these names:
 * add fields, never rename or remove them without bumping schemaVersion.
 */
export interface CompareResult {
  schemaVersion: 1;
  tool: { name: "apiwh"; version: string };
  clock: "real" | "virtual";
  /** True when the run was interrupted (Ctrl-C) and the figures cover only what was gathered. */
  partial: boolean;
  scenario: ScenarioEcho;
  strategies: StrategyResult[];
  verdict: string;
}

export interface ScenarioEcho {
  name: string;
  description: string;
  payments: number;
  seed: number;
  pollIntervalMs: number;
  arrival: string;
  settlementDelay: string;
  failureRate: number;
  networkLatencyMs: number;
  networkJitterMs: number;
  deadlineMs: number;
  speed: number;
  strategies: StrategyName[];
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StrategyResult {
  name: StrategyName;
  requests: {
    total: number;
    consumerToProvider: number;
    providerToConsumer: number;
    /** Requests that brought no new terminal status (pending polls, the endpoint registration, failed or duplicate deliveries). */
    wasted: number;
    perPayment: number;
  };
  bytes: { total: number; consumerToProvider: number; providerToConsumer: number };
  /** Detection latency: the consumer knew the terminal status minus the provider settled it. Null when nothing was detected. */
  latencyMs: LatencySummary | null;
  payments: {
    total: number;
    detected: number;
    missed: number;
    duplicates: number;
    succeeded: number;
    failed: number;
  };
  deliveries: { attempted: number; succeeded: number; retried: number };
  durationMs: number;
  /** Per-payment records, present only with `--details`. */
  details?: PaymentRecord[];
}

export interface PaymentRecord {
  id: string;
  status: "succeeded" | "failed" | "pending";
  /** Scenario-time milliseconds from the start of this strategy's run. */
  createdAtMs: number;
  settledAtMs: number | null;
  detectedAtMs: number | null;
  /** Settlement delay the provider applied (settled minus created, as stamped by the provider). */
  settlementDelayMs: number | null;
  latencyMs: number | null;
  /** Requests this payment cost the consumer to learn (polls, or delivery attempts). */
  requests: number;
}
