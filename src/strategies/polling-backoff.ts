import { emptyCount } from "../measure/meter.js";
import type { Cancel } from "../measure/clock.js";
import { indexOfId } from "../api/payment.js";
import { backoffOf, BackoffDraws } from "../policy/polling.js";
import { ErrorTally, isTerminal, paymentPath, type PollAnswer, type PollSink } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";

interface BackoffState {
  id: string;
  index: number;
  path: string;
  /** Answers so far without news: the next sleep's step. */
  step: number;
  cancel?: Cancel;
}

/**
 * Polling with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): poll at creation, then after the n-th answer without news sleep random(0, min(cap,
 * base·2^n)). The base is the poll interval unless `polling-backoff.base` says otherwise, so the
 * sleeps start within one interval and spread out while a payment stays pending: few requests for
 * a payment that takes long, at the price of learning late. The jitter is drawn from (seed,
 * payment index, step) (src/policy/polling.ts), so a run repeats exactly and the virtual clock
 * draws the same sleeps. A 429 sleeps at least its Retry-After; a 5xx is another step.
 */
export function createPollingBackoff(ctx: ConsumerContext): Strategy {
  const { speed, seed } = ctx.scenario;
  const { baseMs, capMs } = backoffOf(ctx.scenario);
  const draws = new BackoffDraws(seed, baseMs, capMs);
  const polls = new Map<number, BackoffState>();
  const tally = new ErrorTally();
  let stopped = false;

  function poll(state: BackoffState): void {
    if (stopped) return;
    state.cancel = undefined;
    ctx.reads.read(state.path, undefined, sink, state.index, ctx.clock.now());
  }

  const sink: PollSink = {
    answered(index: number, answer: PollAnswer, started: number): void {
      const state = polls.get(index);
      if (stopped || !state) return;
      tally.note(answer.http);
      const at = ctx.clock.now();
      ctx.emit?.({ kind: "poll", strategy: "polling-backoff", id: state.id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
      if (isTerminal(answer.paymentStatus)) {
        polls.delete(index);
        ctx.detect(state.id, answer.paymentStatus, at);
        return;
      }
      // A provider's polling hint (GitHub's X-Poll-Interval) is a floor under every sleep.
      const sleepMs = Math.max(draws.sleepMs(index, state.step++), answer.http === 429 ? answer.retryAfterMs : 0, answer.pollIntervalMs ?? 0);
      state.cancel = ctx.clock.at(at + sleepMs / speed, () => poll(state));
    },
  };

  return {
    name: "polling-backoff",
    async prepare() {},
    track(id) {
      const index = indexOfId(id);
      const state: BackoffState = { id, index, path: paymentPath(id), step: 0 };
      polls.set(index, state);
      poll(state);
    },
    async stop() {
      stopped = true;
      for (const state of polls.values()) state.cancel?.();
      polls.clear();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0, rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
