import type { Dispatcher } from "undici";
import type { ConsumerContext } from "./types.js";
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

/** One poll of a payment, optionally conditional (`If-None-Match`) or held (`wait`). */
export async function getPayment(ctx: ConsumerContext, id: string, tally: ErrorTally, opts: { ifNoneMatch?: string; waitMs?: number } = {}): Promise<PollAnswer> {
  const headers: Record<string, string> = {};
  if (opts.ifNoneMatch) headers["if-none-match"] = opts.ifNoneMatch;
  const query = opts.waitMs ? `?wait=${Math.round(opts.waitMs)}ms` : "";
  try {
    const res = await ctx.api.request({ method: "GET", path: `/payments/${id}${query}`, headers });
    const http = res.statusCode;
    tally.note(http);
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
    const etag = typeof res.headers.etag === "string" ? res.headers.etag : undefined;
    if (http === 200) return { http, paymentStatus: ((await res.body.json()) as { status: string }).status, etag, retryAfterMs };
    await res.body.dump();
    return { http, etag, retryAfterMs };
  } catch {
    return { http: 0, retryAfterMs: 0 };
  }
}

/**
 * How long to hold off after a refusal, in scenario ms: at least what `Retry-After` asks on a 429;
 * doubling from `baseMs` (up to 32×) on consecutive 5xx or wire failures. 0 when the answer was fine.
 */
export function holdOffMs(answer: PollAnswer, errorsInRow: number, baseMs: number): number {
  if (answer.http === 429) return Math.max(answer.retryAfterMs, baseMs);
  if (answer.http === 0 || answer.http >= 500) return Math.max(answer.retryAfterMs, baseMs * 2 ** Math.min(5, Math.max(0, errorsInRow - 1)));
  return 0;
}

/** Where a fast poll's answer goes: one object for all polls of a strategy, so a poll allocates no closure. */
export interface PollSink {
  answered(slot: number, answer: PollAnswer, startedAt: number): void;
}

/**
 * `GET /payments/:id` on the poller's hot path: undici's dispatch with a small handler instead of
 * `request()`, which would build a Readable stream, a promise and a parsed header object per poll.
 * The answer is the same PollAnswer getPayment gives; it never throws (a wire failure is http 0).
 */
export function sendPoll(api: Dispatcher, path: string, ifNoneMatch: string | undefined, sink: PollSink, slot: number, startedAt: number): void {
  const exchange = new PollExchange(sink, slot, startedAt);
  api.dispatch({ method: "GET", path, headers: ifNoneMatch ? ["if-none-match", ifNoneMatch] : undefined }, exchange);
}

class PollExchange implements Dispatcher.DispatchHandler {
  private http = 0;
  private etag: string | undefined;
  private retryAfter: string | undefined;
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
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    (this.chunks ??= []).push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    const answer: PollAnswer = { http: this.http, etag: this.etag, retryAfterMs: parseRetryAfter(this.retryAfter) };
    if (this.http === 200 && this.chunks) {
      try {
        const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
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
