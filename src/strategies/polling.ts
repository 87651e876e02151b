import type { StrategyName } from "../scenario/types.js";
import { emptyCount } from "../measure/meter.js";
import { ErrorTally, isTerminal, type PollAnswer, type PollSink } from "./api-client.js";
import { DueWheel } from "../measure/due-wheel.js";
import { holdOffMs, isRefusal, nextFixedSlot } from "../policy/polling.js";
import { grow } from "../util/grow.js";
import type { ConsumerContext, Strategy } from "./types.js";

/**
 * Fixed-interval polling: `GET /payments/:id` at creation and then every interval, on a fixed
 * schedule anchored at creation (not "interval after the last answer"), until a terminal status.
 * That is the schedule the model's ⌈D/T⌉ + 1 polls assumes. After a 429 or 5xx the poller skips
 * the slots inside the hold-off (Retry-After, or doubling on repeated 5xx) instead of hammering;
 * both decisions are src/policy/polling.ts's, which the virtual clock plays too.
 */
export function createPolling(ctx: ConsumerContext): Strategy {
  return createFixedPoller(ctx, "polling", false);
}

/**
 * Per-payment poll state in typed arrays indexed by slot (the order payments were tracked), so
 * ten thousand payments in flight cost a few hundred kilobytes and no object each.
 */
class PollTable {
  size = 0;
  ids: string[] = [];
  paths: string[] = [];
  /** Monotonic ms of the first poll; poll k is due at anchor + k·interval. */
  anchor = new Float64Array(1024);
  k = new Uint32Array(1024);
  errorsInRow = new Uint16Array(1024);
  /** 1 while the payment is still being polled. */
  active = new Uint8Array(1024);
  etags: (string | undefined)[] = [];

  add(id: string, at: number): number {
    const slot = this.size++;
    if (slot >= this.anchor.length) this.grow(slot + 1);
    this.ids[slot] = id;
    this.paths[slot] = `/payments/${id}`;
    this.anchor[slot] = at;
    this.active[slot] = 1;
    return slot;
  }

  private grow(needed: number): void {
    this.anchor = grow(this.anchor, needed);
    this.k = grow(this.k, needed);
    this.errorsInRow = grow(this.errorsInRow, needed);
    this.active = grow(this.active, needed);
  }
}

/** Shared by `polling` and `conditional`: the same schedule; `conditional` sends `If-None-Match`. */
export function createFixedPoller(ctx: ConsumerContext, name: StrategyName, conditional: boolean): Strategy {
  const { speed } = ctx.scenario;
  const intervalMs = ctx.scenario.polling.intervalMs;
  const intervalWall = intervalMs / speed;
  const table = new PollTable();
  const tally = new ErrorTally();
  let stopped = false;
  const wheel = new DueWheel(ctx.clock, poll);

  function schedule(slot: number, notBefore: number): void {
    if (stopped) return;
    const anchor = table.anchor[slot]!;
    const k = (table.k[slot] = nextFixedSlot(anchor, table.k[slot]!, intervalWall, Math.max(ctx.clock.now(), notBefore)));
    wheel.add(slot, anchor + k * intervalWall);
  }

  function poll(slot: number): void {
    if (stopped || table.active[slot] === 0) return;
    ctx.reads.read(table.paths[slot]!, conditional ? table.etags[slot] : undefined, sink, slot, ctx.clock.now());
  }

  const sink: PollSink = {
    answered(slot: number, answer: PollAnswer, started: number): void {
      if (stopped) return;
      tally.note(answer.http);
      const at = ctx.clock.now();
      const id = table.ids[slot]!;
      if (conditional && answer.etag) table.etags[slot] = answer.etag;
      ctx.emit?.({ kind: "poll", strategy: name, id, at, status: answer.http, paymentStatus: answer.paymentStatus ?? "", durationMs: at - started });
      if (isTerminal(answer.paymentStatus)) {
        table.active[slot] = 0;
        table.etags[slot] = undefined;
        ctx.detect(id, answer.paymentStatus, at);
        return;
      }
      const errorsInRow = isRefusal(answer.http) ? ++table.errorsInRow[slot]! : (table.errorsInRow[slot] = 0);
      const hold = holdOffMs(answer.http, answer.retryAfterMs, errorsInRow, intervalMs);
      // A provider's polling hint (GitHub's X-Poll-Interval): the next poll waits max(interval, hint) after this one left.
      schedule(slot, Math.max(at + hold / speed, started + (answer.pollIntervalMs ?? 0) / speed));
    },
  };

  return {
    name,
    async prepare() {},
    track(id, at) {
      poll(table.add(id, at));
    },
    async stop() {
      stopped = true;
      wheel.stop();
    },
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0, rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
