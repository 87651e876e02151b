import { idOf } from "../api/payment.js";
import type { StrategyName } from "../scenario/types.js";
import type { RunEvent } from "./events.js";
import type { StrategyResult } from "./result.js";

/** One payment's story in one strategy's run. Times are scenario ms from the strategy's start. */
export interface Lane {
  id: string;
  created?: number;
  settled?: number;
  status?: "succeeded" | "failed";
  detected?: number;
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
  /** When each request of the strategy (polls and deliveries) was seen, in order. */
  requests: number[];
  settled: number;
  detected: number;
  /** Scenario ms of the latest event seen: "now" for a live view. */
  latest: number;
  result?: StrategyResult;
}

/**
 * Records a run from its events, for views that draw it: the live timeline, the HTML report.
 * It only listens; the run never knows it is there.
 */
export class Timeline {
  readonly strategies: StrategyTimeline[] = [];
  private readonly byName = new Map<StrategyName, StrategyTimeline>();
  private current?: StrategyTimeline;

  constructor(private readonly speed = 1) {}

  /** Pass as the run's `onEvent`. */
  readonly listener = (event: RunEvent): void => {
    switch (event.kind) {
      case "strategy-start": {
        const t: StrategyTimeline = { name: event.strategy, t0: event.t0, payments: event.payments, lanes: new Map(), requests: [], settled: 0, detected: 0, latest: 0 };
        this.strategies.push(t);
        this.byName.set(event.strategy, t);
        this.current = t;
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
        const t = this.byName.get(e.strategy) ?? this.current;
        if (!t) return;
        const at = this.rel(t, e.at);
        const lane = this.lane(t, e.id);
        if (e.kind === "poll") {
          t.requests.push(at);
          if (e.paymentStatus !== "succeeded" && e.paymentStatus !== "failed") lane.emptyPolls.push(at);
        } else if (e.kind === "delivery") {
          t.requests.push(at);
          lane.deliveries.push(at);
        } else if (e.kind === "detected" && lane.detected === undefined) {
          lane.detected = at;
          lane.status ??= e.status;
          t.detected++;
        }
        return;
      }
      case "strategy-end": {
        const t = this.byName.get(event.strategy);
        if (t) t.result = event.result;
        return;
      }
    }
  };

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

/** Several listeners behind one `onEvent`. */
export function fanOut(...listeners: Array<((e: RunEvent) => void) | undefined>): ((e: RunEvent) => void) | undefined {
  const list = listeners.filter((l): l is (e: RunEvent) => void => l !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (e) => {
    for (const l of list) l(e);
  };
}
