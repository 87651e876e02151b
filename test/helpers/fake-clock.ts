import type { Cancel, Scheduler } from "../../src/measure/clock.js";
import type { PaymentReads, PollAnswer, PollSink } from "../../src/strategies/api-client.js";

interface Timer {
  t: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A Scheduler whose time moves only when the test says so: `runUntil(t)` runs every timer due by
 * t in time order (ties in the order they were set), moving the clock to each, and lets the
 * promises a timer started settle before the next one runs.
 */
export class FakeScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private readonly timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  epochMs(): number {
    return 1_767_225_600_000 + this.t;
  }

  at(t: number, fn: () => void): Cancel {
    const timer = { t: Math.max(t, this.t), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => void (timer.cancelled = true);
  }

  /** Timers still armed. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  async runUntil(until: number): Promise<void> {
    await settle();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers) if (!timer.cancelled && timer.t <= until && (!next || timer.t < next.t || (timer.t === next.t && timer.seq < next.seq))) next = timer;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = next.t;
      next.fn();
      await settle();
    }
    this.t = Math.max(this.t, until);
  }
}

/** Lets every promise chain that is ready run (the strategies' async loops). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface FakeRequest {
  path: string;
  ifNoneMatch?: string;
  at: number;
}

/**
 * The provider's read API, faked: each request is answered `roundTripMs` after it was sent, with
 * what `answer(request, k)` says (k: the request's ordinal for its path, from 0).
 */
export class FakeReads implements PaymentReads {
  readonly requests: FakeRequest[] = [];
  private readonly perPath = new Map<string, number>();

  constructor(
    private readonly clock: FakeScheduler,
    private readonly answer: (request: FakeRequest, k: number) => PollAnswer,
    private readonly roundTripMs = 2,
  ) {}

  read(path: string, ifNoneMatch: string | undefined, sink: PollSink, slot: number, startedAt: number): void {
    const request = { path, ifNoneMatch, at: this.clock.now() };
    this.requests.push(request);
    const k = this.perPath.get(path) ?? 0;
    this.perPath.set(path, k + 1);
    const answer = this.answer(request, k);
    this.clock.at(this.clock.now() + this.roundTripMs, () => sink.answered(slot, answer, startedAt));
  }

  timesOf(path: string): number[] {
    return this.requests.filter((r) => r.path === path).map((r) => r.at);
  }
}

export const pending = (etag = '"p1"'): PollAnswer => ({ http: 200, paymentStatus: "pending", etag, retryAfterMs: 0 });
export const settled = (etag = '"s1"'): PollAnswer => ({ http: 200, paymentStatus: "succeeded", etag, retryAfterMs: 0 });
export const rateLimited = (retryAfterMs: number): PollAnswer => ({ http: 429, retryAfterMs });
export const failed = (http = 500): PollAnswer => ({ http, retryAfterMs: 0 });
