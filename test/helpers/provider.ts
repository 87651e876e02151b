import type { ProviderOptions } from "../../src/provider/server.js";
import { parseDistribution } from "../../src/scenario/distribution.js";

/**
 * Options for an in-process provider on an ephemeral loopback port: every payment settles
 * (succeeds) after `delay`, no network delay, one delivery attempt with a 2 s timeout.
 */
export function providerOptions(delay: string, overrides: Partial<ProviderOptions> = {}, seed = 1): ProviderOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    settlement: { seed, delay: parseDistribution(delay), failureRate: 0 },
    speed: 1,
    network: { latencyMs: 0, jitterMs: 0 },
    webhook: { retriesMs: [0], timeoutMs: 2000, signature: "standard-webhooks" },
    ...overrides,
  };
}
