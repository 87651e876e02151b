import { monotonicClock, type Clock } from "../measure/clock.js";
import { makePalette } from "../render/color.js";
import { entryId, renderTraceHeader, renderTraceLine, traceEntries, type TraceEntry, type TraceOrigin } from "../render/trace-line.js";
import type { RunEvent, RunListener } from "../contract/events.js";
import type { StrategyName } from "../scenario/types.js";

export interface TraceOptions {
  color: boolean;
  /** Only this payment's lines (`--trace pay_3`); strategy headers are always written. */
  filter?: string;
  speed: number;
  /** Wall ms a line waits before it is written, so the provider's batched events (every 20 ms) fall into time order. */
  holdMs?: number;
  width?: number;
  clock?: Clock;
}

export type TraceView = RunListener & {
  /** Writes every line still held, in time order. */
  flush(): void;
};

/**
 * A run listener that narrates every exchange as one line through `write` (the caller points it
 * at stderr, so stdout stays the result). Lines are held briefly and written in scenario-time
 * order, because the provider reports from its own thread in batches while the consumer reports
 * at once. Everything held is written when a strategy ends.
 */
export function traceListener(write: (line: string) => void, options: TraceOptions): TraceView {
  const palette = makePalette(options.color);
  const clock = options.clock ?? monotonicClock;
  const holdMs = options.holdMs ?? 100;
  let origin: TraceOrigin | undefined;
  let current: StrategyName | undefined;
  // What a strategy does before its start (registering its endpoint, opening its stream), written after its header.
  let early: RunEvent[] = [];
  let held: TraceEntry[] = [];
  let settledAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const writeOut = (list: TraceEntry[]) => {
    list.sort((a, b) => a.atMs - b.atMs);
    for (const entry of list) {
      if (entry.kind === "detected") {
        const settled = settledAt.get(entry.id);
        if (settled !== undefined) entry.afterSettleMs = entry.atMs - settled;
      }
      write(renderTraceLine(entry, palette));
    }
  };

  const flush = () => {
    const all = held;
    held = [];
    writeOut(all);
    stopTimer();
  };

  // Writes what is older than the hold in scenario time: anything earlier has had time to arrive.
  const flushOld = () => {
    if (!origin) return;
    const cutoff = (clock.now() - origin.t0) * origin.speed - holdMs * origin.speed;
    const ready = held.filter((e) => e.atMs <= cutoff);
    if (ready.length === 0) return;
    held = held.filter((e) => e.atMs > cutoff);
    writeOut(ready);
    if (held.length === 0) stopTimer();
  };

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  const accept = (entry: TraceEntry) => {
    if (entry.kind === "settled") settledAt.set(entry.id, entry.atMs);
    if (entry.kind === "attempt" && entry.http >= 200 && entry.http < 300) {
      // A successful attempt is the consumer's delivery seen from the other side: lend it its status and time.
      const delivery = held.find((e) => e.kind === "delivery" && e.id === entry.id && e.http === undefined && e.atMs >= entry.atMs);
      if (delivery?.kind === "delivery") {
        delivery.http = entry.http;
        delivery.durationMs = entry.durationMs;
      }
      return;
    }
    if (options.filter !== undefined && entryId(entry) !== options.filter) return;
    held.push(entry);
    timer ??= setInterval(flushOld, 50).unref();
  };

  const listener = (event: RunEvent): void => {
    if (event.kind === "strategy-start") {
      flush();
      origin = { t0: event.t0, speed: options.speed };
      current = event.strategy;
      settledAt = new Map();
      write(renderTraceHeader(event.strategy, event.payments, palette, options.width));
      const before = early.filter((e) => e.kind === "consumer" && e.event.strategy === event.strategy);
      early = [];
      for (const e of before) for (const entry of traceEntries(e, origin)) accept(entry);
      return;
    }
    if (event.kind === "strategy-end") {
      current = undefined;
      return flush();
    }
    if (event.kind === "consumer" && event.event.strategy !== current) {
      early.push(event);
      return;
    }
    if (!origin) return;
    for (const entry of traceEntries(event, origin)) accept(entry);
  };
  return Object.assign(listener, { flush });
}
