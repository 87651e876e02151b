import { RateLimiter, retryAfterSeconds } from "../api/rate-limit.js";
import { sample } from "../scenario/distribution.js";
import { Stream, rngFor } from "../scenario/random.js";
import type { ApiFaults } from "../scenario/types.js";

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
 * per-client rate limit (a token bucket), then the seeded faults. The k-th read request to arrive
 * draws its fault from (seed, apiFault, k), so a run repeats exactly; which request is k-th depends
 * on the strategy, which is the point. The provider (src/provider/api-gate.ts) turns a verdict into
 * an HTTP answer; the virtual clock into the answer's bytes and timing.
 */
export class ApiRule {
  readonly counts: ApiErrorCounts = { rateLimited: 0, server: 0 };
  /** Set by decide(): the 429's `Retry-After` in whole seconds. */
  retryAfterSeconds = 0;
  /** Set by decide(): injected latency (scenario ms) before the answer, or before the injected 500. */
  extraMs = 0;
  private readonly limiter: RateLimiter | null;
  private readonly faulty: boolean;
  private arrivals = 0;

  /**
   * `speed` and `now` drive the limiter's clock: the provider's wall clock at the run's speed, or
   * scenario time at speed 1 on the virtual clock (which passes its time to decide()).
   */
  constructor(
    private readonly seed: number,
    rateLimitPerSecond: number | null,
    private readonly faults: ApiFaults,
    speed: number,
    now: () => number,
  ) {
    this.limiter = rateLimitPerSecond === null ? null : new RateLimiter(rateLimitPerSecond, speed, now);
    this.faulty = faults.errorRate > 0 || faults.latency !== null;
  }

  /** True when no read request can be refused or delayed: no limit, no faults. */
  get open(): boolean {
    return this.limiter === null && !this.faulty;
  }

  /** Decides the next read request to arrive, from `client`, at `now` on the limiter's clock. */
  decide(client: string, now?: number): number {
    const k = this.arrivals++;
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
    const rng = rngFor(this.seed, Stream.apiFault, k);
    const fails = rng.next() < errorRate;
    if (latency) this.extraMs = Math.max(0, sample(latency, rng));
    if (!fails) return GateVerdict.pass;
    this.counts.server++;
    return GateVerdict.failed;
  }
}
