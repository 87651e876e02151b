import type { StrategyName } from "../scenario/types.js";
import type { StrategyResult } from "./result.js";

/** A payment's terminal status, as the consumer learns it. */
export type TerminalStatus = "succeeded" | "failed";

/** One delivery attempt, as the provider's sender made it. */
export interface DeliveryAttempt {
  eventId: string;
  paymentIndex: number;
  attempt: number;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  startedAt: number;
  durationMs: number;
  /** The fault plan played this attempt at the sender (a refused connection, or a 500/503 played there): nothing was sent. */
  scripted?: boolean;
}

/** What the provider sees happen, for live views and traces. Times on the shared monotonic clock. */
export type ProviderEvent =
  | { kind: "created"; index: number; at: number }
  | { kind: "settled"; index: number; at: number; status: TerminalStatus }
  | { kind: "polled"; index: number; at: number; status: string }
  | { kind: "delivery"; attempt: DeliveryAttempt }
  /** The provider let go of something a client made it hold past its bounds: a stream that did not read, deliveries past an endpoint's queue. */
  | { kind: "shed"; at: number; reason: string };

/** What the consumer side sees happen, for live views and traces. Times on the shared monotonic clock. */
export type ConsumerEvent =
  | { kind: "poll"; strategy: StrategyName; id: string; at: number; status: number; paymentStatus: string; durationMs: number }
  | { kind: "delivery"; strategy: StrategyName; id: string; at: number; status: number; type: string; duplicate: boolean; durationMs: number }
  | { kind: "detected"; strategy: StrategyName; id: string; at: number; status: TerminalStatus };

/**
 * What a run reports as it goes. The run never renders; live views, traces and progress lines
 * subscribe to these. Times are on the shared monotonic clock; `t0` of `strategy-start` is the origin.
 */
export type RunEvent =
  | { kind: "strategy-start"; strategy: StrategyName; t0: number; payments: number }
  | { kind: "created"; strategy: StrategyName; id: string; at: number }
  | { kind: "provider"; strategy: StrategyName; events: ProviderEvent[] }
  | { kind: "consumer"; event: ConsumerEvent }
  | { kind: "strategy-end"; strategy: StrategyName; result: StrategyResult };

export type RunListener = (event: RunEvent) => void;
