import { Pool } from "undici";
import type { Clock } from "../measure/clock.js";
import type { SignatureFormat } from "../scenario/types.js";
import { generateSecret, signStandard, signStripe, standardKey } from "./signature.js";
import type { PaymentView } from "./payments.js";

export interface Endpoint {
  id: string;
  url: string;
  secret: string;
  disabled: boolean;
}

export interface DeliveryCounts {
  /** Attempts made, the first included. */
  attempted: number;
  /** Attempts answered 2xx. */
  succeeded: number;
  /** Attempts after the first for the same event. */
  retried: number;
  /** Events whose schedule ran out without a 2xx. */
  exhausted: number;
}

export interface DeliveryAttempt {
  eventId: string;
  paymentIndex: number;
  attempt: number;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  startedAt: number;
  durationMs: number;
}

export interface SenderOptions {
  retriesMs: number[];
  timeoutMs: number;
  signature: SignatureFormat;
  speed: number;
  clock: Clock;
  /** Wall milliseconds of simulated one-way network delay for the next message; 0 for none. */
  oneWayDelay: () => number;
  onAttempt?: (attempt: DeliveryAttempt) => void;
}

/**
 * Sends signed deliveries at least once: the first attempt at once, then the retry schedule
 * (compressed by `speed`), the same `webhook-id` on every attempt and a fresh timestamp each time.
 * Only a 2xx is success; 3xx is a failure and never followed; 410 disables the endpoint.
 */
export class WebhookSender {
  readonly endpoints: Endpoint[] = [];
  readonly counts: DeliveryCounts = { attempted: 0, succeeded: 0, retried: 0, exhausted: 0 };
  private readonly pools = new Map<string, Pool>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private eventSeq = 0;
  private closed = false;

  constructor(private readonly options: SenderOptions) {}

  register(url: URL): Endpoint {
    const endpoint: Endpoint = { id: `we_${this.endpoints.length + 1}`, url: url.href, secret: generateSecret(), disabled: false };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /** Dispatches `payment.<status>` for a payment that just settled to every enabled endpoint. */
  dispatch(paymentIndex: number, payment: PaymentView): void {
    for (const endpoint of this.endpoints) {
      if (endpoint.disabled) continue;
      const eventId = `evt_${++this.eventSeq}`;
      const body = JSON.stringify({ type: `payment.${payment.status}`, timestamp: payment.updated_at, data: payment });
      this.schedule(endpoint, eventId, paymentIndex, body, 0, this.options.retriesMs[0] ?? 0);
    }
  }

  private schedule(endpoint: Endpoint, eventId: string, paymentIndex: number, body: string, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const wallDelay = delayMs / this.options.speed + this.options.oneWayDelay();
    if (wallDelay <= 0) {
      void this.attempt(endpoint, eventId, paymentIndex, body, attempt);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(endpoint, eventId, paymentIndex, body, attempt);
    }, wallDelay);
    this.timers.add(timer);
  }

  private async attempt(endpoint: Endpoint, eventId: string, paymentIndex: number, body: string, attempt: number): Promise<void> {
    if (this.closed || endpoint.disabled) return;
    this.counts.attempted++;
    if (attempt > 0) this.counts.retried++;
    const url = new URL(endpoint.url);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { "content-type": "application/json", "webhook-id": eventId, "webhook-timestamp": String(timestamp) };
    if (this.options.signature === "stripe") headers["stripe-signature"] = signStripe(endpoint.secret, timestamp, body);
    else headers["webhook-signature"] = signStandard(this.keyOf(endpoint), eventId, timestamp, body);
    const startedAt = this.options.clock.now();
    let status = 0;
    let retryAfterMs = 0;
    try {
      const res = await this.poolFor(url).request({
        method: "POST",
        path: url.pathname + url.search,
        headers,
        body,
        signal: AbortSignal.timeout(Math.max(1, this.options.timeoutMs / this.options.speed)),
      });
      status = res.statusCode;
      retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
      await res.body.dump();
    } catch {
      status = 0; // refused, reset or timed out: a failed attempt
    }
    this.options.onAttempt?.({ eventId, paymentIndex, attempt, status, startedAt, durationMs: this.options.clock.now() - startedAt });
    if (status >= 200 && status < 300) {
      this.counts.succeeded++;
      return;
    }
    if (status === 410) {
      endpoint.disabled = true;
      return;
    }
    const next = this.options.retriesMs[attempt + 1];
    if (next === undefined) {
      this.counts.exhausted++;
      return;
    }
    // Each entry is the wait after the previous attempt failed (as Svix and the spec describe it);
    // Retry-After may ask for longer.
    this.schedule(endpoint, eventId, paymentIndex, body, attempt + 1, Math.max(next, retryAfterMs));
  }

  private readonly keys = new Map<string, Buffer>();
  private keyOf(endpoint: Endpoint): Buffer {
    let key = this.keys.get(endpoint.id);
    if (!key) this.keys.set(endpoint.id, (key = standardKey(endpoint.secret)));
    return key;
  }

  private poolFor(url: URL): Pool {
    let pool = this.pools.get(url.origin);
    if (!pool) {
      pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000 });
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.pools.values()].map((p) => p.destroy().catch(() => undefined)));
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds; 0 when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs = Date.now()): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return 0;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? 0 : Math.max(0, date - nowMs);
}
