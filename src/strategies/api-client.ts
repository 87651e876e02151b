import type { Dispatcher } from "undici";
import { parseRetryAfter } from "../http/retry-after.js";

/** What one `GET /payments/:id` told the consumer. */
export interface PollAnswer {
  /** HTTP status, or 0 when the request failed on the wire. */
  http: number;
  /** The payment's status on a 200; undefined otherwise (304 included: nothing new). */
  paymentStatus?: string;
  etag?: string;
  /** `Retry-After` in scenario ms (the provider speaks scenario time), 0 when absent. */
  retryAfterMs: number;
  /** The provider's polling hint (GitHub's `X-Poll-Interval`) in scenario ms; absent when it sent none. */
  pollIntervalMs?: number;
}

/** 429s and 5xx the consumer received, counted where they arrive. */
export class ErrorTally {
  rateLimited = 0;
  server = 0;
  note(http: number): void {
    if (http === 429) this.rateLimited++;
    else if (http >= 500) this.server++;
  }
}

export function isTerminal(status: string | undefined): status is "succeeded" | "failed" {
  return status === "succeeded" || status === "failed";
}

/** Where a poll's answer goes: one object for all polls of a strategy, so a poll allocates no closure. */
export interface PollSink {
  answered(slot: number, answer: PollAnswer, startedAt: number): void;
}

/**
 * `GET <path>` (`/payments/:id`, with `?wait=` for a long poll), the request every poller repeats.
 * The answer comes once through `sink.answered(slot, …, startedAt)`; it never throws (a wire
 * failure is http 0). The run gives the strategies one over its keep-alive pool (poolReads); a
 * unit test gives them a fake that answers on a fake clock.
 */
export interface PaymentReads {
  read(path: string, ifNoneMatch: string | undefined, sink: PollSink, slot: number, startedAt: number): void;
}

/**
 * PaymentReads over undici's dispatch with a small handler instead of `request()`, which would
 * build a Readable stream, a promise and a parsed header object per poll. The handler keeps
 * undici's original hooks (onConnect, onHeaders, onData, onComplete, onError) on purpose: undici 7
 * runs them as they are, while a handler with the newer ones (onRequestStart, onResponseStart, …)
 * is wrapped per request in an UnwrapHandler and a controller, and gets its headers parsed into an
 * object (lib/handler/unwrap-handler.js, dispatcher-base.js). What a poll allocates is its handler,
 * its options and what the answer brings.
 */
export function poolReads(api: Dispatcher): PaymentReads {
  return {
    read(path, ifNoneMatch, sink, slot, startedAt) {
      api.dispatch({ method: "GET", path, headers: ifNoneMatch ? ["if-none-match", ifNoneMatch] : undefined }, new PollExchange(sink, slot, startedAt));
    },
  };
}

/** One read as a promise, for pollers that wait on each answer in turn (backoff, long polling). */
export function readOnce(reads: PaymentReads, path: string, startedAt: number, ifNoneMatch?: string): Promise<PollAnswer> {
  return new Promise((resolve) => reads.read(path, ifNoneMatch, { answered: (_slot, answer) => resolve(answer) }, 0, startedAt));
}

/** `/payments/:id`, with `?wait=<ms>ms` when the poll is held. */
export function paymentPath(id: string, waitMs = 0): string {
  return waitMs ? `/payments/${id}?wait=${Math.round(waitMs)}ms` : `/payments/${id}`;
}

/** GitHub's polling hint: how many seconds a client should wait between polls. */
const POLL_INTERVAL = "x-poll-interval";

/** `X-Poll-Interval: 60` in scenario ms (the provider speaks scenario time); a value that is no whole number of seconds is ignored (0). */
export function pollIntervalMs(value: string): number {
  return /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) * 1000 : 0;
}

class PollExchange implements Dispatcher.DispatchHandler {
  private http = 0;
  private etag: string | undefined;
  private retryAfter: string | undefined;
  private pollInterval: string | undefined;
  /** The body: one chunk on loopback (a payment is ~170 bytes), so a list is made only for a second. */
  private chunk: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  private done = false;

  constructor(
    private readonly sink: PollSink,
    private readonly slot: number,
    private readonly startedAt: number,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.http = statusCode;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!;
      // Only two headers matter; compare lengths before decoding any name.
      if (name.length === 4 && name.toString("latin1").toLowerCase() === "etag") this.etag = rawHeaders[i + 1]!.toString("latin1");
      else if (name.length === 11 && name.toString("latin1").toLowerCase() === "retry-after") this.retryAfter = rawHeaders[i + 1]!.toString("latin1");
      else if (name.length === 15 && name.toString("latin1").toLowerCase() === POLL_INTERVAL) this.pollInterval = rawHeaders[i + 1]!.toString("latin1");
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.chunk === undefined) this.chunk = chunk;
    else (this.chunks ??= [this.chunk]).push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    const answer: PollAnswer = { http: this.http, etag: this.etag, retryAfterMs: parseRetryAfter(this.retryAfter) };
    if (this.pollInterval !== undefined) answer.pollIntervalMs = pollIntervalMs(this.pollInterval);
    if (this.http === 200 && this.chunk) {
      try {
        const body = this.chunks ? Buffer.concat(this.chunks) : this.chunk;
        answer.paymentStatus = (JSON.parse(body.toString("utf8")) as { status: string }).status;
      } catch {
        answer.http = 0; // a 200 without a readable payment is as good as no answer
      }
    }
    this.sink.answered(this.slot, answer, this.startedAt);
  }

  onError(): void {
    if (this.done) return;
    this.done = true;
    this.sink.answered(this.slot, { http: 0, retryAfterMs: 0 }, this.startedAt);
  }
}
