import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiFaults } from "../scenario/types.js";
import { HttpError } from "../http/errors.js";
import { ApiRule, GateVerdict, type ApiErrorCounts } from "../policy/gate.js";

export type { ApiErrorCounts } from "../policy/gate.js";

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
 * The rate limit and the seeded API faults in front of every read request, as HTTP: the decision
 * is the shared rule (src/policy/gate.ts) that the virtual clock also plays.
 */
export class ApiGate {
  private readonly rule: ApiRule;

  constructor(private readonly options: GateOptions) {
    this.rule = new ApiRule(options.seed, options.rateLimitPerSecond, options.faults, options.speed, options.now);
  }

  get counts(): ApiErrorCounts {
    return this.rule.counts;
  }

  /**
   * Admits a read request, its messages named by `named` (its response: `subject` and `message`
   * as src/policy/draws.ts numbers them): undefined when it may be served at once, a promise when
   * an injected latency holds it (rejecting with the injected 500 if one was drawn too); throws the
   * 429, or a 500 drawn without latency. Synchronous whenever no fault delays it, so a plain poll
   * allocates no promise; an open gate reads nothing of `named` (a plain poll's response has no
   * such properties, and looking them up costs a walk of its prototype chain).
   */
  admit(req: IncomingMessage, named: { subject?: number; message?: number }): Promise<void> | undefined {
    if (this.rule.open) return undefined;
    const verdict = this.rule.decide(clientOf(req), undefined, named.subject!, named.message!);
    if (verdict === GateVerdict.rateLimited) {
      const seconds = this.rule.retryAfterSeconds;
      throw new HttpError(429, "rate_limited", `too many requests; retry after ${seconds} s`, undefined, { "retry-after": String(seconds) });
    }
    const fails = verdict === GateVerdict.failed;
    if (this.rule.extraMs > 0)
      return this.options.sleep(this.rule.extraMs / this.options.speed).then(() => {
        if (fails) throw injectedError();
      });
    if (fails) throw injectedError();
    return undefined;
  }
}

function injectedError(): HttpError {
  return new HttpError(500, "api_error", "injected server error (faults.api.errorRate)");
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
