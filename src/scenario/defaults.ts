import { declaration } from "./declaration.js";
import type { Scenario } from "./types.js";

export { STANDARD_RETRIES_MS } from "./fields.js";

/**
 * The built-in scenario as a file would write it; every other field takes the declaration's
 * default: 20 payments created at once, settling after 0.5–4 s, 5% failing, polled every second.
 * Two strategies finish in about ten seconds.
 */
export const BUILT_IN = {
  name: "checkout",
  description: "20 card payments created at once, settling within 0.5–4 s; a 1 s poller against a webhook.",
} as const;

export function defaultScenario(): Scenario {
  return declaration.parse(BUILT_IN);
}
