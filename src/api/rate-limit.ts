/**
 * A token bucket per client: `perSecond` tokens a second of scenario time, holding at most one
 * second's worth (so a client may burst up to the limit, as Stripe's limiter allows).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt = -Infinity;
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
    if (!bucket) {
      // A client is an address, and loopback alone has 16 M: the table is bounded like every other cap.
      // Swept at most once per refill time (a bucket emptied just after a sweep is full by the next), so newcomers cost no scan each.
      if (this.buckets.size >= MAX_BUCKETS && now - this.sweptAt >= this.capacity / this.refill) this.forgetFull(now);
      // Still full of clients mid-burst: the newcomers share one bucket rather than grow the table.
      const key = this.buckets.size >= MAX_BUCKETS ? OVERFLOW : client;
      bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = { tokens: this.capacity, at: now }));
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.refill);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / this.refill) * this.speed;
  }

  /** Drops every bucket that has refilled: a full bucket is what a new client gets anyway, so forgetting it changes nothing. */
  private forgetFull(now: number): void {
    this.sweptAt = now;
    for (const [client, bucket] of this.buckets)
      if (client !== OVERFLOW && bucket.tokens + (now - bucket.at) * this.refill >= this.capacity) this.buckets.delete(client);
  }

  get clients(): number {
    return this.buckets.size;
  }
}

/** Clients tracked at once; past it, refilled buckets are forgotten, and newcomers share OVERFLOW. */
export const MAX_BUCKETS = 10_000;
const OVERFLOW = "*";

/** `Retry-After` in whole seconds of scenario time, at least 1 (RFC 9110 allows only integers). */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
