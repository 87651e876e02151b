import type { StrategyName } from "../scenario/types.js";
import { createConditional } from "./conditional.js";
import { createHybrid } from "./hybrid.js";
import { createLongPolling } from "./long-polling.js";
import { createPolling } from "./polling.js";
import { createPollingBackoff } from "./polling-backoff.js";
import { createSse } from "./sse.js";
import type { StrategyFactory } from "./types.js";
import { createWebhook } from "./webhook.js";

const FACTORIES: Record<StrategyName, StrategyFactory> = {
  polling: createPolling,
  "polling-backoff": createPollingBackoff,
  conditional: createConditional,
  "long-polling": createLongPolling,
  sse: createSse,
  webhook: createWebhook,
  hybrid: createHybrid,
};

export const IMPLEMENTED_STRATEGIES = Object.keys(FACTORIES) as StrategyName[];

export function strategyFactory(name: StrategyName): StrategyFactory {
  return FACTORIES[name];
}
