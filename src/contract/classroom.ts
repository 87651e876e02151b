/**
 * What `apiwh compare --serve` pushes to its classroom page over server-sent events: the run as it
 * happens, one message per thing that happened, each with the counters as they stood after it.
 * The page draws and counts nothing itself: it plays these messages (pause, step, replay), so the
 * figures it shows are the ones the live view and the table compute.
 */

/** The scenario as the page introduces it. */
export interface ClassroomScenario {
  name: string;
  description: string;
  payments: number;
  seed: number;
  intervalMs: number;
  speed: number;
  deadlineMs: number;
  latencyMs: number;
  strategies: string[];
  clock: "real" | "virtual";
  /** Scenario ms the lanes' time axis spans at least. */
  horizonMs: number;
}

/** The figures of one strategy after a message, with the result's definitions (see countersOf). */
export interface ClassroomCounters {
  /** Null when the engine does not count requests one by one (the virtual clock's playback). */
  requests: number | null;
  wasted: number | null;
  settled: number;
  known: number;
  /** Sent with ticks (each batch of messages) and at the end, as the latencies; absent means "as before". */
  missed?: number;
  p50?: number | null;
  p95?: number | null;
  /** p50 and p95 as the terminal prints them (`452.3 ms`), or `–`. */
  p50Text?: string;
  p95Text?: string;
  payments: number;
  done: boolean;
}

/** One exchange for the sequence diagram: who sent it, what, and the answer. */
export interface Exchange {
  from: "client" | "provider";
  /** `GET /payments/pay_1`, `POST /webhook` */
  label: string;
  /** What the sender means in plain words: "still pending?", "it settled". */
  gist: string;
  /** The answer: `200 pending`, `204`, `no answer`. */
  reply?: string;
  /** ask: a poll; tell: a push; setup: registration, stream opening, creation; fail: refused or no answer. */
  tone: "ask" | "tell" | "setup" | "fail" | "news";
}

/** What a mark puts on a payment's lane. */
export type MarkKind = "created" | "poll" | "settled" | "delivery" | "known" | "request";

/**
 * `w`: playback ms from the run's start (wall ms for a real run, so replay at 1× is the run's own
 * pace). `t`: scenario ms from the strategy's start, where the lanes draw it.
 */
export type ClassroomMessage =
  /**
   * The first message on every connection. `w`: playback ms since the current run started (a late
   * joiner's clock); `backlog`: how many of the run's messages follow at once.
   */
  | { type: "hello"; run: number; state: "idle" | "running" | "done"; w: number; backlog: number; scenario: ClassroomScenario; intervals: number[] }
  | { type: "run"; run: number; w: 0; scenario: ClassroomScenario }
  /**
   * `origin`: the playback ms of the strategy's time 0 (`w` may be a little earlier: what it did
   * before its clock started). `scale`: scenario ms per playback ms (the run's speed; the virtual
   * clock's playback compresses).
   */
  | { type: "start"; run: number; strategy: string; payments: number; w: number; origin: number; scale: number }
  | {
      type: "mark";
      run: number;
      strategy: string;
      w: number;
      t: number;
      mark: MarkKind;
      id?: string;
      status?: "succeeded" | "failed";
      /** For `known`: how the client learned it. */
      by?: "asked" | "told";
      exchange?: Exchange;
      c: ClassroomCounters;
    }
  /** Counters only: a virtual playback's progress, or payments beyond the lanes drawn. */
  | { type: "tick"; run: number; strategy: string; w: number; t: number; c: ClassroomCounters }
  | { type: "end"; run: number; strategy: string; w: number; t: number; c: ClassroomCounters }
  | { type: "done"; run: number; w: number; verdict: string; recommendation: string; partial: boolean; note?: string }
  | { type: "failed"; run: number; message: string };

/** At most this many payments per strategy get lanes and exchanges on the page; the rest are counted. */
export const CLASSROOM_LANES = 30;
