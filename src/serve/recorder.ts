import { idOf } from "../api/payment.js";
import type { ClassroomCounters, ClassroomMessage, Exchange } from "../contract/classroom.js";
import { CLASSROOM_LANES } from "../contract/classroom.js";
import type { ConsumerEvent, ProviderEvent, RunEvent } from "../contract/events.js";
import { countersOf, Timeline, type StrategyTimeline } from "../contract/timeline.js";
import { formatMs } from "../contract/format.js";
import { monotonicClock, type Clock } from "../measure/clock.js";

export interface RecorderOptions {
  run: number;
  /** Monotonic ms of the run's start: `w` counts from here. */
  startedAt: number;
  speed: number;
  deadlineMs: number;
  send(message: ClassroomMessage): void;
  /** Wall ms an event waits before it is sent, so the provider's 20 ms batches fall into time order; default 100. */
  holdMs?: number;
  clock?: Clock;
}

/** A run event cut to one happening, with its time on the monotonic clock. */
interface Timed {
  at: number;
  seq: number;
  event: RunEvent;
}

/**
 * Turns a real run's events into the classroom page's messages, as they happen: each event is
 * folded into a Timeline (the live view's), and each message carries the counters that follow
 * from it. Events are held `holdMs` and sent in time order, as the trace does, because the
 * provider reports from its own thread in batches while the consumer reports at once; the
 * counters are then counted in that order too, so a replay never sees them step back.
 */
export class ClassroomRecorder {
  private readonly timeline: Timeline;
  private readonly clock: Clock;
  private readonly holdMs: number;
  private held: Timed[] = [];
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private current?: StrategyTimeline;
  /** Strategies with counters changed since the last tick (a tick carries the latencies), and when their latest event happened. */
  private readonly stale = new Map<StrategyTimeline, number>();

  constructor(private readonly options: RecorderOptions) {
    this.timeline = new Timeline(options.speed);
    this.clock = options.clock ?? monotonicClock;
    this.holdMs = options.holdMs ?? 100;
  }

  /** Pass as the run's `onEvent`. */
  readonly listener = (event: RunEvent): void => {
    if (event.kind === "strategy-start" || event.kind === "strategy-end") {
      // Everything before the edge goes first; the edge itself is never held.
      this.release(Infinity);
      this.apply(event);
      return;
    }
    if (event.kind === "provider") {
      for (const e of event.events) this.hold(providerTime(e), { kind: "provider", strategy: event.strategy, events: [e] });
    } else this.hold(event.kind === "created" ? event.at : event.event.at, event);
    this.timer ??= setInterval(() => this.release(this.clock.now() - this.holdMs), 50).unref();
  };

  /** Sends everything still held; then the page can be told the run is done. */
  flush(): void {
    this.release(Infinity);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private hold(at: number, event: RunEvent): void {
    this.held.push({ at, seq: this.seq++, event });
  }

  private release(cutoff: number): void {
    if (this.held.length === 0) return;
    const ready = this.held.filter((h) => h.at <= cutoff).sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (ready.length === 0) return;
    this.held = cutoff === Infinity ? [] : this.held.filter((h) => h.at > cutoff);
    for (const h of ready) this.apply(h.event);
    for (const [t, at] of this.stale) this.tick(t, at);
    this.stale.clear();
  }

  private apply(event: RunEvent): void {
    this.timeline.listener(event);
    const { run, send } = this.options;
    switch (event.kind) {
      case "strategy-start": {
        const t = this.timeline.strategies.at(-1)!;
        this.current = t;
        const early = this.early.get(t.name) ?? [];
        // The band opens with what it did before its clock started (the registration, the stream's opening).
        const opened = Math.min(t.t0, ...early.map((e) => e.at));
        send({ type: "start", run, strategy: t.name, payments: t.payments, w: this.w(opened), origin: this.w(t.t0), scale: this.options.speed });
        for (const e of early) this.consumer(t, e);
        this.early.delete(t.name);
        return;
      }
      case "strategy-end": {
        const t = this.timeline.strategies.findLast((s) => s.name === event.strategy);
        if (!t) return;
        // Never before the strategy's last event: its duration is stamped when the run stopped waiting, a hair before the last answers may be told.
        const end = Math.max(t.t0 + event.result.durationMs / this.options.speed, this.lastAt);
        send({ type: "end", run, strategy: t.name, w: this.w(end), t: (end - t.t0) * this.options.speed, c: this.counters(t, true) });
        this.stale.delete(t);
        if (this.current === t) this.current = undefined;
        return;
      }
      case "created": {
        const t = this.active(event.strategy);
        if (t) this.mark(t, event.at, "created", event.id, { exchange: { from: "client", label: "POST /payments", gist: "a new payment", reply: `201 ${event.id}`, tone: "setup" } });
        return;
      }
      case "provider": {
        const t = this.active(event.strategy);
        if (t) for (const e of event.events) this.provider(t, e);
        return;
      }
      case "consumer": {
        const t = this.active(event.event.strategy);
        if (t) this.consumer(t, event.event);
        else {
          const list = this.early.get(event.event.strategy) ?? [];
          list.push(event.event);
          this.early.set(event.event.strategy, list);
        }
        return;
      }
    }
  }

  private readonly early = new Map<string, ConsumerEvent[]>();

  private active(name: string): StrategyTimeline | undefined {
    return this.current?.name === name ? this.current : undefined;
  }

  private provider(t: StrategyTimeline, e: ProviderEvent): void {
    if (e.kind === "settled") {
      const id = idOf(e.index);
      this.mark(t, e.at, "settled", id, { status: e.status, exchange: { from: "provider", label: `${id} settled`, gist: e.status, tone: "news" } });
    } else if (e.kind === "delivery" && (e.attempt.status < 200 || e.attempt.status >= 300)) {
      // A failed attempt: the consumer's delivery event never comes, so the provider's side tells it.
      const id = idOf(e.attempt.paymentIndex);
      const reply = e.attempt.status === 0 ? "no answer" : String(e.attempt.status);
      this.mark(t, e.attempt.startedAt, "request", id, { exchange: { from: "provider", label: "POST /webhook", gist: `${id} settled`, reply, tone: "fail" } });
    }
  }

  private consumer(t: StrategyTimeline, e: ConsumerEvent): void {
    switch (e.kind) {
      case "poll": {
        const terminal = e.paymentStatus === "succeeded" || e.paymentStatus === "failed";
        const reply = e.status === 200 ? `200 ${e.paymentStatus}` : e.status === 0 ? "no answer" : e.status === 304 ? "304 not modified" : String(e.status);
        const label = `GET /payments/${e.id}${e.strategy === "long-polling" ? "?wait=…" : ""}`;
        this.mark(t, e.at, "poll", e.id, { exchange: { from: "client", label, gist: "still pending?", reply, tone: terminal ? "news" : e.status === 200 || e.status === 304 ? "ask" : "fail" } });
        return;
      }
      case "delivery": {
        const label = e.stream ? "event on GET /events" : "POST /webhook";
        const what = e.type.replace(/^payment\./, "");
        this.mark(t, e.at, "delivery", e.id, { exchange: { from: "provider", label, gist: `it settled: ${what}${e.duplicate ? " (again)" : ""}`, reply: e.stream ? undefined : String(e.status), tone: "tell" } });
        return;
      }
      case "detected": {
        const lane = t.lanes.get(e.id);
        this.mark(t, e.at, "known", e.id, { status: e.status, by: lane?.detectedBy ?? "asked" });
        return;
      }
      case "register":
        this.mark(t, e.at, "request", undefined, { exchange: { from: "client", label: "POST /webhook-endpoints", gist: "tell me when it settles", reply: e.status === 0 ? "no answer" : String(e.status), tone: "setup" } });
        return;
      case "list":
        this.mark(t, e.at, "request", undefined, { exchange: { from: "client", label: "GET /payments?status=…", gist: "what settled lately?", reply: e.status === 200 ? `200, ${e.found} listed` : String(e.status), tone: "ask" } });
        return;
      case "connect":
        this.mark(t, e.at, "request", undefined, { exchange: { from: "client", label: "GET /events", gist: "keep me posted", reply: e.status === 200 ? "200 stream open" : String(e.status), tone: "setup" } });
        return;
      case "refused":
        // The provider's failed attempt is the exchange; this only moves the counters.
        this.touch(t, e.at);
        return;
    }
  }

  private mark(
    t: StrategyTimeline,
    at: number,
    mark: Extract<ClassroomMessage, { type: "mark" }>["mark"],
    id: string | undefined,
    extra: { status?: "succeeded" | "failed"; by?: "asked" | "told"; exchange?: Exchange },
  ): void {
    this.touch(t, at);
    // Lanes and exchanges for the first payments only: a page cannot draw ten thousand; ticks count them all.
    if (id !== undefined && paymentNumber(id) > CLASSROOM_LANES) return;
    this.options.send({ type: "mark", run: this.options.run, strategy: t.name, w: this.w(at), t: (at - t.t0) * this.options.speed, mark, ...(id ? { id } : {}), ...extra, c: this.counters(t, false) });
  }

  /** The latest event applied, on the monotonic clock. */
  private lastAt = -Infinity;

  private touch(t: StrategyTimeline, at: number): void {
    this.lastAt = Math.max(this.lastAt, at);
    this.stale.set(t, Math.max(at, this.stale.get(t) ?? -Infinity));
  }

  /** The latencies and misses as they stand after a batch, stamped with its latest event so messages stay in time order. */
  private tick(t: StrategyTimeline, at: number): void {
    this.options.send({ type: "tick", run: this.options.run, strategy: t.name, w: this.w(at), t: (at - t.t0) * this.options.speed, c: this.counters(t, true, at) });
  }

  private counters(t: StrategyTimeline, full: boolean, at = this.clock.now()): ClassroomCounters {
    if (!full) {
      // Cheap, per message: the latencies come with the next tick.
      return { requests: t.requests.length, wasted: Math.max(0, t.requests.length - t.useful), settled: t.settled, known: t.detected, payments: t.payments, done: false };
    }
    const c = countersOf(t, (at - t.t0) * this.options.speed, this.options.deadlineMs);
    return { requests: c.requests, wasted: c.wasted, settled: c.settled, known: c.known, missed: c.missed, ...latencyFields(c.p50, c.p95), payments: c.payments, done: c.done };
  }

  private w(at: number): number {
    return Math.max(0, at - this.options.startedAt);
  }
}

/** The latencies with their text as the terminal prints them. */
export function latencyFields(p50: number | null, p95: number | null): Pick<ClassroomCounters, "p50" | "p95" | "p50Text" | "p95Text"> {
  return { p50, p95, p50Text: p50 === null ? "–" : formatMs(p50), p95Text: p95 === null ? "–" : formatMs(p95) };
}

function providerTime(e: ProviderEvent): number {
  return e.kind === "delivery" ? e.attempt.startedAt : e.at;
}

function paymentNumber(id: string): number {
  const n = Number(/(\d+)$/.exec(id)?.[1]);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
