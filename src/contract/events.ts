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
  | { kind: "delivery"; attempt: DeliveryAttempt }
  /** The provider let go of something a client made it hold past its bounds: a stream that did not read, deliveries past an endpoint's queue. */
  | { kind: "shed"; at: number; reason: string };

/**
 * What the consumer side sees happen, for live views and traces. Times on the shared monotonic clock.
 * Every exchange the result counts as a request has an event here (polls, webhook deliveries and
 * refused deliveries, the endpoint registration, list pages, event-stream connections), so a view
 * can count requests with the result's definitions while the run goes.
 */
export type ConsumerEvent =
  | { kind: "poll"; strategy: StrategyName; id: string; at: number; status: number; paymentStatus: string; durationMs: number }
  /**
   * A delivery that reached the consumer. `stream`: an event on an open event stream (SSE), which is
   * part of the stream's one request, not a request of its own.
   */
  | { kind: "delivery"; strategy: StrategyName; id: string; at: number; status: number; type: string; duplicate: boolean; durationMs: number; stream?: boolean }
  /**
   * A detection; `request` names the exchange that brought it when one exchange can bring several
   * (`list:3`, `sse:1`), as the run counts useful requests: each named exchange once, else one per detection.
   */
  | { kind: "detected"; strategy: StrategyName; id: string; at: number; status: TerminalStatus; request?: string }
  /** `POST /webhook-endpoints`: the receiver registered before the first payment (so `at` may precede the strategy's t0). */
  | { kind: "register"; strategy: StrategyName; at: number; status: number; durationMs: number }
  /** One page of `GET /payments?status=…` (hybrid's reconciliation); `found` is how many settled payments it listed. */
  | { kind: "list"; strategy: StrategyName; at: number; status: number; durationMs: number; page: number; found: number }
  /** `GET /events` answered: an event stream opened (status 200) or refused; `connection` counts from 1. */
  | { kind: "connect"; strategy: StrategyName; at: number; status: number; durationMs: number; connection: number; lastEventId?: number }
  /** A delivery the receiver answered with an error (refused, or a scripted 500/503): counted as a request, it brought nothing. */
  | { kind: "refused"; strategy: StrategyName; at: number; status: number; reason: string };

/** Consumer events that are requests in the result's count (a stream's events ride on its one request). */
export function countsAsRequest(e: ConsumerEvent): boolean {
  switch (e.kind) {
    case "poll":
    case "list":
    case "connect":
    case "register":
      // No answer at all (status 0): the request may never have reached the provider, which counts where requests arrive.
      return e.status !== 0;
    case "delivery":
      return !e.stream;
    case "refused":
      return true;
    case "detected":
      return false;
  }
}

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
