import { emptyCount } from "../measure/meter.js";
import { Stream, rngFor, type Rng } from "../scenario/random.js";
import { indexOfId } from "../api/payment.js";
import { ErrorTally, getPayment, isTerminal } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";

interface BackoffState {
  id: string;
  /** Polls answered so far without a terminal status. */
  n: number;
  rng: Rng;
  timer?: NodeJS.Timeout;
}

/**
 * Exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"): poll at creation,
 * then after the n-th answer without news sleep random(0, min(cap, base·2^n)). The jitter is drawn
 * from (seed, backoff, payment index), so a run repeats exactly. A 429 waits at least Retry-After;
 * a 5xx simply counts as another step of the backoff.
 */
export function createPollingBackoff(ctx: ConsumerContext): Strategy {
  const { speed, seed } = ctx.scenario;
  const { baseMs, capMs } = ctx.scenario.pollingBackoff;
  const polls = new Map<string, BackoffState>();
  const tally = new ErrorTally();
  let stopped = false;

  async function poll(state: BackoffState): Promise<void> {
    if (stopped) return;
    const started = ctx.clock.now();
    const answer = await getPayment(ctx, state.id, tally);
    if (stopped) return;
    const at = ctx.clock.now();
    ctx.emit?.({ kind: "poll", strategy: "polling-backoff", id: state.id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
    if (isTerminal(answer.paymentStatus)) {
      ctx.detect(state.id, answer.paymentStatus, at);
      polls.delete(state.id);
      return;
    }
    const expo = Math.min(capMs, baseMs * 2 ** state.n++);
    const sleepMs = Math.max(expo * state.rng.next(), answer.http === 429 ? answer.retryAfterMs : 0);
    state.timer = setTimeout(poll, sleepMs / speed, state);
  }

  return {
    name: "polling-backoff",
    async prepare() {},
    track(id) {
      const state: BackoffState = { id, n: 0, rng: rngFor(seed, Stream.backoff, indexOfId(id)) };
      polls.set(id, state);
      void poll(state);
    },
    async stop() {
      stopped = true;
      for (const state of polls.values()) clearTimeout(state.timer);
      polls.clear();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0, rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
