import type { ConsumerContext, Strategy, TerminalStatus } from "./types.js";
import { emptyCount } from "../measure/meter.js";

interface PollState {
  id: string;
  /** Wall-clock (monotonic ms) of the first poll; poll k is due at anchor + k·interval. */
  anchor: number;
  k: number;
  timer?: NodeJS.Timeout;
}

/**
 * Fixed-interval polling: `GET /payments/:id` at creation and then every interval, on a fixed
 * schedule anchored at creation (not "interval after the last answer"), until a terminal status.
 * That is the schedule the model's ⌈D/T⌉ + 1 polls assumes.
 */
export function createPolling(ctx: ConsumerContext): Strategy {
  const intervalWall = ctx.scenario.polling.intervalMs / ctx.scenario.speed;
  const polls = new Map<string, PollState>();
  let stopped = false;

  function schedule(state: PollState): void {
    if (stopped) return;
    state.k++;
    let due = state.anchor + state.k * intervalWall;
    const now = ctx.clock.now();
    if (due < now) {
      // Overloaded: skip the slots already missed rather than firing a burst to catch up.
      state.k = Math.ceil((now - state.anchor) / intervalWall);
      due = state.anchor + state.k * intervalWall;
    }
    state.timer = setTimeout(poll, due - now, state);
  }

  async function poll(state: PollState): Promise<void> {
    if (stopped) return;
    const started = ctx.clock.now();
    let status = 0;
    let paymentStatus = "";
    try {
      const res = await ctx.api.request({ method: "GET", path: `/payments/${state.id}` });
      status = res.statusCode;
      if (status === 200) paymentStatus = ((await res.body.json()) as { status: string }).status;
      else await res.body.dump();
    } catch {
      if (stopped) return;
    }
    const at = ctx.clock.now();
    ctx.emit?.({ kind: "poll", strategy: "polling", id: state.id, at, status, paymentStatus, durationMs: at - started });
    if (paymentStatus === "succeeded" || paymentStatus === "failed") {
      ctx.detect(state.id, paymentStatus as TerminalStatus, at);
      polls.delete(state.id);
      return;
    }
    schedule(state);
  }

  return {
    name: "polling",
    async prepare() {},
    track(id, at) {
      const state: PollState = { id, anchor: at, k: 0 };
      polls.set(id, state);
      void poll(state);
    },
    async stop() {
      stopped = true;
      for (const state of polls.values()) clearTimeout(state.timer);
      polls.clear();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0 }),
  };
}
