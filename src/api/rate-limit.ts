/**
 * A token bucket per client: `perSecond` tokens a second of scenario time, holding at most one
 * second's worth (so a client may burst up to the limit, as Stripe's limiter allows).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Tokens per wall millisecond. */
  private readonly refill: number;
  private readonly capacity: number;

  constructor(
    perSecond: number,
    private readonly speed: number,
    private readonly now: () => number,
  ) {
    this.refill = (perSecond * speed) / 1000;
    this.capacity = Math.max(1, perSecond);
  }

  /**
   * Takes a token for `client`; returns 0 when granted, else the scenario ms until one is free.
   * `now` defaults to the limiter's clock; the virtual clock passes its own time.
   */
  take(client: string, now = this.now()): number {
    let bucket = this.buckets.get(client);
    if (!bucket) this.buckets.set(client, (bucket = { tokens: this.capacity, at: now }));
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.refill);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / this.refill) * this.speed;
  }
}

/** `Retry-After` in whole seconds of scenario time, at least 1 (RFC 9110 allows only integers). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
