import type { ProviderEvent } from "../provider/server.js";
import type { StrategyName } from "../scenario/types.js";
import type { ConsumerEvent } from "../strategies/types.js";
import type { StrategyResult } from "./result.js";

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
