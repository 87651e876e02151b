import type { Pool } from "undici";
import type { ConsumerEvent, TerminalStatus } from "../contract/events.js";
import type { Scheduler } from "../measure/clock.js";
import type { ExchangeCount } from "../measure/meter.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import type { RejectReason } from "../contract/result.js";
import type { ReceiverOptions } from "./receiver.js";
import type { PaymentReads } from "./api-client.js";

/** Everything a strategy needs from the run; it owns nothing of the provider. */
export interface ConsumerContext {
  scenario: Scenario;
  providerUrl: string;
  /** Keep-alive pool to the provider's API. */
  api: Pool;
  /** `GET /payments/:id`, the pollers' one request (over `api` in a run, a fake in unit tests). */
  reads: PaymentReads;
  /** The only clock and timers a strategy uses (a fake one in unit tests). */
  clock: Scheduler;
  /** Host and port for listeners (webhook receivers); port 0 = ephemeral. */
  listen: { host: string; port: number };
  /**
   * Reports the first time the consumer learns a payment's terminal status; later calls are ignored
   * by the run. `request` names the exchange that brought it when one exchange can bring several
   * (a list page, an event stream), so the run counts that exchange as useful once.
   */
  detect(id: string, status: TerminalStatus, at: number, request?: string): void;
  /** True once the payment's outcome is known (no need to ask again). */
  isDetected(id: string): boolean;
  emit?(event: ConsumerEvent): void;
  /** Installed on webhook receivers: plays the scenario's fault plan after verification (see ReceiverOptions.script). Only the runner sets it. */
  deliveryScript?: ReceiverOptions["script"];
  /**
   * `compare --webhook-url`: the webhook strategy registers the user's own receiver instead of
   * starting one; the run learns each outcome when the provider's delivery is acknowledged (2xx).
   */
  external?: { url: string };
}

/** Counts the consumer keeps; requests it sends are counted by the provider where they arrive. */
export interface ConsumerStats {
  /** Exchanges that arrived at the consumer's own listeners (webhook deliveries), counted there. */
  received: ExchangeCount;
  /** When each of them arrived (monotonic ms), for the run's requests per second. */
  arrivals?: Float64Array;
  /** Of those, the ones about a payment (verified deliveries), by payment id; the rest were refused before their payment could be read. */
  receivedByPayment?: Map<string, number>;
  /** Deliveries with a `webhook-id` seen before: acknowledged, not processed twice. */
  duplicates: number;
  /** Deliveries refused (bad signature, stale timestamp, malformed). */
  rejected: number;
  /** `rejected` by reason; only the reasons seen (the run's result lists every reason). */
  rejectedByReason?: Partial<Record<RejectReason, number>>;
  /** 429 and 5xx answers the consumer received from the provider's API. */
  rateLimited?: number;
  serverErrors?: number;
  /** Event streams reopened after a drop, and jumps in event ids seen on them (SSE). */
  reconnects?: number;
  gaps?: number;
  /** Deliveries that arrived after a later-settled event had (reorder), and events ignored as older than what was known. */
  outOfOrder?: number;
  stale?: number;
}

/** One way of learning payment outcomes. */
export interface Strategy {
  readonly name: StrategyName;
  /** Before any payment exists: start listeners, register endpoints. */
  prepare(): Promise<void>;
  /** A payment was created (its 201 arrived at the shop); `at` is when the consumer learned its id. */
  track(id: string, at: number): void;
  /** Stops every timer and listener; pending requests are abandoned. */
  stop(): Promise<void>;
  stats(): ConsumerStats;
}

export type StrategyFactory = (ctx: ConsumerContext) => Strategy;
