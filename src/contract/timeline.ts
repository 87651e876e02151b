import { idOf } from "../api/payment.js";
import type { StrategyName } from "../scenario/types.js";
import { countsAsRequest, type ConsumerEvent, type RunEvent } from "./events.js";
import { summarizeLatencies } from "./latency.js";
import type { StrategyResult } from "./result.js";

/** One payment's story in one strategy's run. Times are scenario ms from the strategy's start. */
export interface Lane {
  id: string;
  created?: number;
  settled?: number;
  status?: "succeeded" | "failed";
  detected?: number;
  /** How the consumer learned the outcome: by asking (a poll or a list page) or by being told (a delivery). */
  detectedBy?: "asked" | "told";
  /** Answers to polls (any kind of ask) that brought nothing new. */
  emptyPolls: number[];
  /** Deliveries (webhook POSTs, SSE events) that reached the consumer. */
  deliveries: number[];
}

export interface StrategyTimeline {
  name: StrategyName;
  /** Monotonic ms of the strategy's start: the origin of every time below. */
  t0: number;
  payments: number;
  lanes: Map<string, Lane>;
  /**
   * When each request of the strategy was answered, in order, counted as the result counts them:
   * polls, list pages, event-stream connections (once each, not per event), the endpoint
   * registration (before the start, so at a negative time) and every delivery that reached the
   * receiver, refused ones included. At the end their number is the result's `requests.total`.
   */
  requests: number[];
  /** Exchanges that brought at least one new outcome, as the result's `wasted` counts them (requests minus these). */
  useful: number;
  settled: number;
  detected: number;
  /** Scenario ms of the latest event seen: "now" for a live view. */
  latest: number;
  result?: StrategyResult;
}

/**
 * Records a run from its events, for views that draw it: the live timeline, the HTML report,
 * the classroom page. It only listens; the run never knows it is there.
 */
export class Timeline {
  readonly strategies: StrategyTimeline[] = [];
  private readonly byName = new Map<StrategyName, StrategyTimeline>();
  private active?: StrategyTimeline;
  /** Consumer events of a strategy not started yet (its registration, its stream's opening), kept until it starts. */
  private readonly early = new Map<StrategyName, ConsumerEvent[]>();
  private readonly usefulKeys = new WeakMap<StrategyTimeline, Set<string>>();

  constructor(private readonly speed = 1) {}

  /** Pass as the run's `onEvent`. */
  readonly listener = (event: RunEvent): void => {
    switch (event.kind) {
      case "strategy-start": {
        const t: StrategyTimeline = { name: event.strategy, t0: event.t0, payments: event.payments, lanes: new Map(), requests: [], useful: 0, settled: 0, detected: 0, latest: 0 };
        this.strategies.push(t);
        this.byName.set(event.strategy, t);
        this.usefulKeys.set(t, new Set());
        this.active = t;
        const early = this.early.get(event.strategy) ?? [];
        this.early.delete(event.strategy);
        for (const e of early) this.consumer(t, e);
        return;
      }
      case "created": {
        const t = this.byName.get(event.strategy);
        if (t) this.lane(t, event.id).created = this.rel(t, event.at);
        return;
      }
      case "provider": {
        const t = this.byName.get(event.strategy);
        if (!t) return;
        for (const e of event.events) {
          if (e.kind !== "settled") continue;
          const lane = this.lane(t, idOf(e.index));
          if (lane.settled === undefined) t.settled++;
          lane.settled = this.rel(t, e.at);
          lane.status = e.status;
        }
        return;
      }
      case "consumer": {
        const e = event.event;
        if (this.active?.name === e.strategy) return this.consumer(this.active, e);
        // Before its start: a webhook registers and an event stream opens before the first payment.
        const list = this.early.get(e.strategy) ?? [];
        list.push(e);
        this.early.set(e.strategy, list);
        return;
      }
      case "strategy-end": {
        const t = this.byName.get(event.strategy);
        if (t) t.result = event.result;
        if (this.active === t) this.active = undefined;
        return;
      }
    }
  };

  private consumer(t: StrategyTimeline, e: ConsumerEvent): void {
    const at = this.rel(t, e.at);
    if (countsAsRequest(e)) t.requests.push(at);
    if (e.kind === "poll") {
      if (e.paymentStatus !== "succeeded" && e.paymentStatus !== "failed") this.lane(t, e.id).emptyPolls.push(at);
    } else if (e.kind === "delivery") {
      this.lane(t, e.id).deliveries.push(at);
    } else if (e.kind === "detected") {
      const lane = this.lane(t, e.id);
      if (lane.detected !== undefined) return;
      lane.detected = at;
      lane.status ??= e.status;
      // A delivery and the detection it brings carry the same stamp.
      lane.detectedBy = lane.deliveries.includes(at) ? "told" : "asked";
      t.detected++;
      const keys = this.usefulKeys.get(t)!;
      const key = e.request ?? `detect:${e.id}`;
      if (!keys.has(key)) {
        keys.add(key);
        t.useful++;
      }
    }
  }

  private rel(t: StrategyTimeline, at: number): number {
    const ms = (at - t.t0) * this.speed;
    if (ms > t.latest) t.latest = ms;
    return ms;
  }

  private lane(t: StrategyTimeline, id: string): Lane {
    let lane = t.lanes.get(id);
    if (!lane) t.lanes.set(id, (lane = { id, emptyPolls: [], deliveries: [] }));
    return lane;
  }
}

/** What a view shows for a strategy: the result's figures, counted from the events while the run goes. */
export interface Counters {
  requests: number;
  wasted: number;
  settled: number;
  known: number;
  /** Payments whose deadline passed with the outcome unknown (at the end: the result's `missed`). */
  missed: number;
  p50: number | null;
  p95: number | null;
  payments: number;
  /** Scenario ms the strategy has run (at the end: the result's `durationMs`). */
  elapsedMs: number;
  done: boolean;
}

/**
 * A strategy's counters with the result's definitions: requests as the provider and the receiver
 * count them, wasted as requests minus the exchanges that brought news, latency as known minus
 * settled for payments known within their deadline. Once the strategy has ended they are the
 * result's own figures, so the last frame and the table always agree.
 */
export function countersOf(t: StrategyTimeline, nowMs?: number, deadlineMs = Infinity): Counters {
  const r = t.result;
  if (r) {
    return {
      requests: r.requests.total,
      wasted: r.requests.wasted,
      settled: t.settled,
      known: r.payments.detected,
      missed: r.payments.missed,
      p50: r.latencyMs?.p50 ?? null,
      p95: r.latencyMs?.p95 ?? null,
      payments: r.payments.total,
      elapsedMs: r.durationMs,
      done: true,
    };
  }
  const now = Math.max(t.latest, nowMs ?? 0);
  const latencies: number[] = [];
  let missed = 0;
  for (const lane of t.lanes.values()) {
    const created = lane.created ?? 0;
    const inTime = lane.detected !== undefined && lane.detected - created <= deadlineMs;
    if (inTime && lane.settled !== undefined) latencies.push(Math.max(0, lane.detected! - lane.settled));
    else if (!inTime && lane.created !== undefined && now - created > deadlineMs) missed++;
  }
  const summary = summarizeLatencies(latencies);
  return {
    requests: t.requests.length,
    wasted: Math.max(0, t.requests.length - t.useful),
    settled: t.settled,
    known: t.detected,
    missed,
    p50: summary?.p50 ?? null,
    p95: summary?.p95 ?? null,
    payments: t.payments,
    elapsedMs: now,
    done: false,
  };
}

/** Several listeners behind one `onEvent`. */
export function fanOut(...listeners: Array<((e: RunEvent) => void) | undefined>): ((e: RunEvent) => void) | undefined {
  const list = listeners.filter((l): l is (e: RunEvent) => void => l !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (e) => {
    for (const l of list) l(e);
  };
}
