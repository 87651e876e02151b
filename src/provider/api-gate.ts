import type { IncomingMessage, ServerResponse } from "node:http";
import { sample } from "../scenario/distribution.js";
import { Stream, rngFor } from "../scenario/random.js";
import type { ApiFaults } from "../scenario/types.js";
import { HttpError } from "../http/errors.js";
import { RateLimiter, retryAfterSeconds } from "../api/rate-limit.js";

export interface ApiErrorCounts {
  /** 429 answers sent. */
  rateLimited: number;
  /** 5xx answers sent by fault injection. */
  server: number;
}

export interface GateOptions {
  seed: number;
  speed: number;
  rateLimitPerSecond: number | null;
  faults: ApiFaults;
  now: () => number;
  /** Waits wall milliseconds, cut short when the provider closes, so injected latency never outlives it. */
  sleep: (ms: number) => Promise<void>;
}

/**
 * What stands between a read request and its answer: the per-client rate limit, then the seeded
 * faults. The k-th read request to arrive draws its fault from (seed, apiFault, k), so a run
 * repeats exactly; which request is k-th depends on the strategy, which is the point.
 */
export class ApiGate {
  readonly counts: ApiErrorCounts = { rateLimited: 0, server: 0 };
  private readonly limiter: RateLimiter | null;
  private arrivals = 0;

  constructor(private readonly options: GateOptions) {
    this.limiter = options.rateLimitPerSecond === null ? null : new RateLimiter(options.rateLimitPerSecond, options.speed, options.now);
  }

  /**
   * Admits a read request: undefined when it may be served at once, a promise when an injected
   * latency holds it (rejecting with the injected 500 if one was drawn too); throws the 429, or a
   * 500 drawn without latency. Synchronous whenever no fault delays it, so a plain poll allocates
   * no promise.
   */
  admit(req: IncomingMessage): Promise<void> | undefined {
    const k = this.arrivals++;
    if (this.limiter) {
      const waitMs = this.limiter.take(clientOf(req));
      if (waitMs > 0) {
        this.counts.rateLimited++;
        const seconds = retryAfterSeconds(waitMs);
        throw new HttpError(429, "rate_limited", `too many requests; retry after ${seconds} s`, undefined, { "retry-after": String(seconds) });
      }
    }
    const { errorRate, latency } = this.options.faults;
    if (errorRate <= 0 && !latency) return undefined;
    const rng = rngFor(this.options.seed, Stream.apiFault, k);
    const fails = rng.next() < errorRate;
    if (latency)
      return this.options.sleep(Math.max(0, sample(latency, rng)) / this.options.speed).then(() => {
        if (fails) throw this.injectedError();
      });
    if (fails) throw this.injectedError();
    return undefined;
  }

  private injectedError(): HttpError {
    this.counts.server++;
    return new HttpError(500, "api_error", "injected server error (faults.api.errorRate)");
  }
}

/**
 * A client is its remote address. Headers such as Authorization are the client's to choose, so a
 * client keyed by them could dodge its limit (and grow the table) by sending a new value each time.
 */
export function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "?";
}

/**
 * Counts requests a client holds open (long polls, event streams) and refuses one over the cap
 * with 429: each costs the provider a socket and a timer for as long as the client likes.
 */
export class OpenLimit {
  private readonly open = new Map<string, number>();
  private total = 0;
  /** The most held open at once, across clients (a run has one client: its `connectionsHeld`). */
  peak = 0;

  constructor(
    private readonly what: string,
    private readonly max: number,
    /** For all clients together: per-address caps alone let a client spread over 127.0.0.0/8. */
    private readonly maxTotal = Infinity,
  ) {}

  /** Takes a slot for the request's client until its response closes; throws the 429 when none is left. */
  hold(req: IncomingMessage, res: ServerResponse): void {
    const client = clientOf(req);
    const held = this.open.get(client) ?? 0;
    if (held >= this.max)
      throw new HttpError(429, "too_many_open_requests", `at most ${this.max} open ${this.what} per client; close one first`, undefined, { "retry-after": "1" });
    if (this.total >= this.maxTotal)
      throw new HttpError(429, "too_many_open_requests", `at most ${this.maxTotal} open ${this.what} on this provider; retry once one closes`, undefined, { "retry-after": "1" });
    this.open.set(client, held + 1);
    if (++this.total > this.peak) this.peak = this.total;
    res.once("close", () => {
      this.total--;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    });
  }
}
