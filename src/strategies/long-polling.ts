import { emptyCount } from "../measure/meter.js";
import { ErrorTally, getPayment, holdOffMs, isTerminal } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";

/** After a refusal a long poller waits this long (scenario ms), doubling on repeated 5xx. */
const RETRY_BASE_MS = 250;

/**
 * Long polling: `GET /payments/:id?wait=<wait>`, which the provider holds until the payment
 * changes or the wait ends; a pending answer is asked again at once. A request is one held GET,
 * so a payment costs one request per wait window it stays pending, plus the one that brings news.
 * Each pending payment holds one connection while it waits.
 */
export function createLongPolling(ctx: ConsumerContext): Strategy {
  const { speed } = ctx.scenario;
  const { waitMs } = ctx.scenario.longPolling;
  const tally = new ErrorTally();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  async function loop(id: string): Promise<void> {
    let errorsInRow = 0;
    while (!stopped) {
      const started = ctx.clock.now();
      const answer = await getPayment(ctx, id, tally, { waitMs });
      if (stopped) return;
      const at = ctx.clock.now();
      ctx.emit?.({ kind: "poll", strategy: "long-polling", id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
      if (isTerminal(answer.paymentStatus)) {
        ctx.detect(id, answer.paymentStatus, at);
        return;
      }
      const failed = answer.http === 429 || answer.http === 0 || answer.http >= 500;
      errorsInRow = failed ? errorsInRow + 1 : 0;
      const hold = holdOffMs(answer, errorsInRow, RETRY_BASE_MS);
      if (hold > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => (timers.delete(t), resolve()), hold / speed);
          timers.add(t);
        });
      }
    }
  }

  return {
    name: "long-polling",
    async prepare() {},
    track(id) {
      void loop(id);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0, rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
