import type { StrategyName } from "../scenario/types.js";
import { emptyCount } from "../measure/meter.js";
import { ErrorTally, getPayment, holdOffMs, isTerminal } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";

interface PollState {
  id: string;
  /** Wall-clock (monotonic ms) of the first poll; poll k is due at anchor + k·interval. */
  anchor: number;
  k: number;
  etag?: string;
  errorsInRow: number;
  timer?: NodeJS.Timeout;
}

/**
 * Fixed-interval polling: `GET /payments/:id` at creation and then every interval, on a fixed
 * schedule anchored at creation (not "interval after the last answer"), until a terminal status.
 * That is the schedule the model's ⌈D/T⌉ + 1 polls assumes. After a 429 or 5xx the poller skips
 * the slots inside the hold-off (Retry-After, or doubling on repeated 5xx) instead of hammering.
 */
export function createPolling(ctx: ConsumerContext): Strategy {
  return createFixedPoller(ctx, "polling", false);
}

/** Shared by `polling` and `conditional`: the same schedule; `conditional` sends `If-None-Match`. */
export function createFixedPoller(ctx: ConsumerContext, name: StrategyName, conditional: boolean): Strategy {
  const { speed } = ctx.scenario;
  const intervalMs = ctx.scenario.polling.intervalMs;
  const intervalWall = intervalMs / speed;
  const polls = new Map<string, PollState>();
  const tally = new ErrorTally();
  let stopped = false;

  function schedule(state: PollState, notBefore: number): void {
    if (stopped) return;
    state.k++;
    let due = state.anchor + state.k * intervalWall;
    const now = ctx.clock.now();
    const earliest = Math.max(now, notBefore);
    if (due < earliest) {
      // Overloaded or told to wait: skip the slots already missed rather than firing a burst to catch up.
      state.k = Math.ceil((earliest - state.anchor) / intervalWall);
      due = state.anchor + state.k * intervalWall;
    }
    state.timer = setTimeout(poll, due - now, state);
  }

  async function poll(state: PollState): Promise<void> {
    if (stopped) return;
    const started = ctx.clock.now();
    const answer = await getPayment(ctx, state.id, tally, conditional && state.etag ? { ifNoneMatch: state.etag } : {});
    if (stopped) return;
    const at = ctx.clock.now();
    if (answer.etag) state.etag = answer.etag;
    ctx.emit?.({ kind: "poll", strategy: name, id: state.id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
    if (isTerminal(answer.paymentStatus)) {
      ctx.detect(state.id, answer.paymentStatus, at);
      polls.delete(state.id);
      return;
    }
    const hold = holdOffMs(answer, answer.http === 429 || answer.http === 0 || answer.http >= 500 ? ++state.errorsInRow : (state.errorsInRow = 0), intervalMs);
    schedule(state, at + hold / speed);
  }

  return {
    name,
    async prepare() {},
    track(id, at) {
      const state: PollState = { id, anchor: at, k: 0, errorsInRow: 0 };
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
