import { RateLimiter, retryAfterSeconds } from "../api/rate-limit.js";
import { sample } from "../scenario/distribution.js";
import { Stream } from "../scenario/random.js";
import type { ApiFaults } from "../scenario/types.js";
import { KeyedDraws } from "./draws.js";

/** What the gate decided for a read request. */
export const GateVerdict = { pass: 0, rateLimited: 429, failed: 500 } as const;

export interface ApiErrorCounts {
  /** 429 answers sent. */
  rateLimited: number;
  /** 5xx answers sent by fault injection. */
  server: number;
}

/**
 * What stands between a read request and its answer, as one decision both engines make: the
 * per-client rate limit (a token bucket), then the seeded faults. A request draws its fault from
 * (seed, apiFault, subject, message), the same key its network delay is drawn from
 * (src/policy/draws.ts): the third poll of payment 7 fails or not whatever else is in flight, so a
 * run repeats exactly and the virtual clock draws the very same faults. The provider
 * (src/provider/api-gate.ts) turns a verdict into an HTTP answer; the virtual clock into the
 * answer's bytes and timing.
 */
export class ApiRule {
  readonly counts: ApiErrorCounts = { rateLimited: 0, server: 0 };
  /** Set by decide(): the 429's `Retry-After` in whole seconds. */
  retryAfterSeconds = 0;
  /** Set by decide(): injected latency (scenario ms) before the answer, or before the injected 500. */
  extraMs = 0;
  private readonly limiter: RateLimiter | null;
  private readonly faulty: boolean;
  private readonly draws: KeyedDraws;

  /**
   * `speed` and `now` drive the limiter's clock: the provider's wall clock at the run's speed, or
   * scenario time at speed 1 on the virtual clock (which passes its time to decide()).
   */
  constructor(
    seed: number,
    rateLimitPerSecond: number | null,
    private readonly faults: ApiFaults,
    speed: number,
    now: () => number,
  ) {
    this.limiter = rateLimitPerSecond === null ? null : new RateLimiter(rateLimitPerSecond, speed, now);
    this.faulty = faults.errorRate > 0 || faults.latency !== null;
    this.draws = new KeyedDraws(seed, Stream.apiFault);
  }

  /** True when no read request can be refused or delayed: no limit, no faults. */
  get open(): boolean {
    return this.limiter === null && !this.faulty;
  }

  /** Decides a read request from `client`, arriving at `now` on the limiter's clock: message `message` about `subject`. */
  decide(client: string, now: number | undefined, subject: number, message: number): number {
    this.extraMs = 0;
    if (this.limiter) {
      const waitMs = this.limiter.take(client, now);
      if (waitMs > 0) {
        this.counts.rateLimited++;
        this.retryAfterSeconds = retryAfterSeconds(waitMs);
        return GateVerdict.rateLimited;
      }
    }
    if (!this.faulty) return GateVerdict.pass;
    const { errorRate, latency } = this.faults;
    const rng = this.draws.rng(subject, message);
    const fails = rng.next() < errorRate;
    if (latency) this.extraMs = Math.max(0, sample(latency, rng));
    if (!fails) return GateVerdict.pass;
    this.counts.server++;
    return GateVerdict.failed;
  }
}
