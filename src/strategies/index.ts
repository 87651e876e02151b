import { UsageError } from "../errors.js";
import type { StrategyName } from "../scenario/types.js";
import { createPolling } from "./polling.js";
import type { StrategyFactory } from "./types.js";
import { createWebhook } from "./webhook.js";

const FACTORIES: Partial<Record<StrategyName, StrategyFactory>> = {
  polling: createPolling,
  webhook: createWebhook,
};

export const IMPLEMENTED_STRATEGIES = Object.keys(FACTORIES) as StrategyName[];

export function strategyFactory(name: StrategyName): StrategyFactory {
  const factory = FACTORIES[name];
  if (!factory) throw new UsageError(`strategy "${name}" is not implemented yet; available: ${IMPLEMENTED_STRATEGIES.join(", ")}`);
  return factory;
}
