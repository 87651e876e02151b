import { emptyCount } from "../measure/meter.js";
import { sleepUntil } from "../measure/clock.js";
import { holdOffMs, isRefusal, REFUSAL_BASE_MS } from "../policy/polling.js";
import { ErrorTally, isTerminal, paymentPath, readOnce } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";

/**
 * Long polling: `GET /payments/:id?wait=<wait>`, which the provider holds until the payment
 * changes or the wait ends; a pending answer is asked again at once, a refused one after the
 * shared hold-off (REFUSAL_BASE_MS, doubling on repeated 5xx). A request is one held GET, so a
 * payment costs one request per wait window it stays pending, plus the one that brings news.
 * Each pending payment holds one connection while it waits.
 */
export function createLongPolling(ctx: ConsumerContext): Strategy {
  const { speed } = ctx.scenario;
  const { waitMs } = ctx.scenario.longPolling;
  const tally = new ErrorTally();
  const abort = new AbortController();

  async function loop(id: string): Promise<void> {
    const path = paymentPath(id, waitMs);
    let errorsInRow = 0;
    while (!abort.signal.aborted) {
      const started = ctx.clock.now();
      const answer = await readOnce(ctx.reads, path, started);
      if (abort.signal.aborted) return;
      tally.note(answer.http);
      const at = ctx.clock.now();
      ctx.emit?.({ kind: "poll", strategy: "long-polling", id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
      if (isTerminal(answer.paymentStatus)) {
        ctx.detect(id, answer.paymentStatus, at);
        return;
      }
      errorsInRow = isRefusal(answer.http) ? errorsInRow + 1 : 0;
      const hold = holdOffMs(answer.http, answer.retryAfterMs, errorsInRow, REFUSAL_BASE_MS);
      if (hold > 0) await sleepUntil(ctx.clock, at + hold / speed, abort.signal);
    }
  }

  return {
    name: "long-polling",
    async prepare() {},
    track(id) {
      void loop(id);
    },
    async stop() {
      abort.abort();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0, rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
