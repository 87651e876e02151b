import { createFixedPoller } from "./polling.js";
import type { ConsumerContext, Strategy } from "./types.js";

/**
 * Conditional polling: the same schedule as `polling`, each poll carrying the last `ETag` in
 * `If-None-Match`. While nothing changed the provider answers 304 with no body: the same number
 * of requests as plain polling, fewer bytes.
 */
export function createConditional(ctx: ConsumerContext): Strategy {
  return createFixedPoller(ctx, "conditional", true);
}
