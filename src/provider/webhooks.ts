import { STATUS_CODES } from "node:http";
import { Pool } from "undici";
import type { DeliveryAttempt } from "../contract/events.js";
import { DeliveryFate } from "../contract/miss.js";
import { parseRetryAfter } from "../http/retry-after.js";
import { sleep, timerScheduler, type Cancel, type Clock, type Scheduler } from "../measure/clock.js";
import type { SignatureFormat, WebhookFaults } from "../scenario/types.js";
import { eventBody } from "../webhooks/event.js";
import { attemptDelayMs, isDuplicated, reorderHoldMs } from "../webhooks/fault-plan.js";
import { afterAttempt, ChainEnd, firstAttemptWaitMs, PlanAnswer, planAnswer } from "../policy/delivery.js";
import { deliveryMessage } from "../policy/draws.js";
import { signedHeaders, WARM_UP_METHOD } from "../webhooks/headers.js";
import { generateSecret, signStandard, signStripe, standardKey } from "../webhooks/signature.js";
import type { PaymentView } from "../api/payment.js";
import type { TargetPolicy } from "./targets.js";
import type { Profile, ProfileName } from "../api/profile.js";
import { profileNamed } from "../api/profiles.js";
import { deliveryOf, deliveryRequestSize } from "../webhooks/delivery.js";
import { signWith } from "../webhooks/schemes.js";
import { eventIdFor } from "../webhooks/envelopes.js";

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
  /** Events not queued at all: their endpoint's queue (or the provider's) was full. */
  dropped: number;
}

/** Wall ms below which an attempt's timeout gets a timer of its own: undici's fast timers tick every ~500 ms. */
const PRECISE_TIMEOUT_BELOW_MS = 5_000;

/**
 * The shortest delivery timeout in wall ms, however high the speed: Slack's 3 s at speed 600 is
 * 5 ms, which a receiver on a loaded two-core machine missed while answering at once (its event
 * loop alone stalls for tens of ms). Undici's half-second timer tick used to hide this floor.
 */
export const MIN_TIMEOUT_WALL_MS = 100;

/** undici's headers and body timeouts, as opposed to a refused or reset connection. */
function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
}

/** What the seeded fault plan did to deliveries. */
export interface DeliveryFaultCounts {
  /** Attempts that never reached the receiver because a `refuse` downtime window was open. */
  refused: number;
  /** Attempts the sender played as a 503 outage or a 500 failure (`faultsPlayedBy: "sender"`): nothing was sent. */
  scripted: number;
  /** Events sent twice on purpose (faults.webhook.duplicateRate). */
  duplicated: number;
}

export interface SenderOptions {
  retriesMs: number[];
  timeoutMs: number;
  signature: SignatureFormat;
  /**
   * Whose deliveries to send (src/api/profiles.ts): its envelope, its signature scheme and headers,
   * its retry headers and its success rule. Absent or `standard`: apiwh's own, signed in `signature`.
   */
  profile?: ProfileName;
  speed: number;
  clock: Clock;
  /** Wall milliseconds of simulated one-way network delay of payment `index`'s message `message` (src/policy/draws.ts); 0 for none. */
  oneWayDelay: (index: number, message: number) => number;
  seed: number;
  faults: WebhookFaults;
  /**
   * Who plays the plan's 500s and 503s. `sender` (the standalone provider): the attempt fails with
   * that status and nothing is sent, as for `refuse`. `receiver` (`compare`): the delivery is sent,
   * and the runner's receiver answers it from the same plan after verifying it. `refuse` is
   * always the sender's: a refused connection has no exchange to answer.
   */
  faultsPlayedBy: "sender" | "receiver";
  onAttempt?: (attempt: DeliveryAttempt) => void;
  /** How the sender's sockets resolve a host name: only to addresses the delivery rule allows (targets.ts). */
  lookup?: TargetPolicy["lookup"];
  /** Deliveries waiting (scheduled or in flight) for one endpoint, and for all of them, past which new events are dropped. */
  queue?: { perEndpoint: number; total: number };
  /** Each time an endpoint's events start being dropped, why (for the provider's log). */
  onShed?: (reason: string) => void;
  /** The signing secret of every endpoint registered (`compare --webhook-url … --secret …`: the user's receiver's); absent: a fresh one each. */
  secret?: string;
}

/** Deliveries that went on the wire, as the sender sent them and read their answers (for a receiver that counts nothing for the run: the user's own). */
export interface DeliveryWire {
  requests: number;
  /** Request line, headers and body as sent. */
  bytesOut: number;
  /** Status line, headers and body of the answers, as far as they came. */
  bytesIn: number;
  /** Sent attempts per payment index. */
  byPayment: Map<number, number>;
}

/**
 * Without a bound, an endpoint that never answers keeps every event of every payment on its retry
 * schedule (hours, with the standard one). Measured with 16 endpoints at a closed port and payments
 * created as fast as a client could for 30 s: unbounded, the provider went from 79 to 1,091 MB and
 * creation fell from 1,070 to 40 a second; with these bounds it peaked at 279 MB (with 240,500
 * payments made; 303 MB for 444,200 with no endpoint at all) and creation rose from 2,100 to 11,200
 * a second once the queues were full. An endpoint that answers at all keeps its queue far below
 * 2,000; `compare` raises both bounds to what its scenario can need, so they never bind a run.
 */
export const DELIVERY_QUEUE = { perEndpoint: 2_000, total: 10_000 } as const;

interface Chain {
  endpoint: Endpoint;
  eventId: string;
  paymentIndex: number;
  body: string;
  /** The payment as it settled, for a profile's envelope (built per attempt, as its signature is). */
  payment: PaymentView;
  /** 0 = the delivery, 1 = the seeded duplicate. */
  chain: number;
}

/**
 * Sends signed deliveries at least once: the first attempt at once, then the retry schedule
 * (compressed by `speed`), the same `webhook-id` on every attempt and a fresh timestamp each time.
 * Only a 2xx is success; 3xx is a failure and never followed; 410 disables the endpoint. Each
 * attempt pays the simulated network on its way out and its answer on the way back; what to do
 * after an answer is src/policy/delivery.ts's decision, which the plan and the virtual clock share.
 */
export class WebhookSender {
  readonly endpoints: Endpoint[] = [];
  readonly counts: DeliveryCounts = { attempted: 0, succeeded: 0, retried: 0, exhausted: 0, dropped: 0 };
  /** Delivery chains scheduled or in flight, per endpoint id and in all. */
  private readonly waiting = new Map<string, number>();
  private waitingTotal = 0;
  /** Endpoints whose new events are being dropped; an endpoint leaves once its queue is half empty. */
  private readonly shedding = new Set<string>();
  readonly faultCounts: DeliveryFaultCounts = { refused: 0, scripted: 0, duplicated: 0 };
  readonly wire: DeliveryWire = { requests: 0, bytesOut: 0, bytesIn: 0, byPayment: new Map() };
  private readonly pools = new Map<string, Pool>();
  /** Per endpoint id: its pool and request path, parsed once at registration rather than per attempt. */
  private readonly targets = new Map<string, { pool: Pool; path: string; host: string }>();
  /** Attempts waiting for their time (timerScheduler: never early, so no delivery beats its simulated network). */
  private readonly timers = new Set<Cancel>();
  private readonly scheduler: Scheduler;
  private readonly fates = new Map<number, number>();
  private closed = false;
  private readonly closing = new AbortController();
  /** Monotonic ms of the run's first payment: downtime windows count from here. */
  private runStart = NaN;

  /** A provider's profile other than the standard one; undefined sends apiwh's own deliveries, byte for byte as before. */
  private readonly profile: Profile | undefined;

  constructor(private readonly options: SenderOptions) {
    this.scheduler = timerScheduler(options.clock);
    this.profile = options.profile && options.profile !== "standard" ? profileNamed(options.profile) : undefined;
  }

  register(url: URL): Endpoint {
    const endpoint: Endpoint = { id: `we_${this.endpoints.length + 1}`, url: url.href, secret: this.options.secret ?? generateSecret(), disabled: false };
    this.endpoints.push(endpoint);
    const target = { pool: this.poolFor(url), path: url.pathname + url.search, host: url.host };
    this.targets.set(endpoint.id, target);
    this.warm(endpoint, target);
    return endpoint;
  }

  /** See WARM_UP_METHOD. Also signs once, so the HMAC code is compiled before the first delivery. */
  private warm(endpoint: Endpoint, target: { pool: Pool; path: string }): void {
    const now = Math.floor(Date.now() / 1000);
    if (this.profile) signWith(this.profile.signature.value, { secret: endpoint.secret, eventId: "evt_0", timestamp: now, body: "{}", url: endpoint.url });
    else if (this.options.signature === "stripe") signStripe(endpoint.secret, now, "{}");
    else signStandard(this.keyOf(endpoint), "evt_0", now, "{}");
    target.pool
      .request({ method: WARM_UP_METHOD, path: target.path, headersTimeout: 5_000, bodyTimeout: 5_000 })
      .then((res) => res.body.dump())
      .catch(() => undefined); // an endpoint that is not up yet is simply not warm
  }

  startClock(at: number): void {
    if (Number.isNaN(this.runStart)) this.runStart = at;
  }

  /** Dispatches `payment.<status>` for a payment that just settled to every endpoint. */
  dispatch(paymentIndex: number, payment: PaymentView): void {
    const { seed, faults, retriesMs } = this.options;
    for (const endpoint of this.endpoints) {
      if (endpoint.disabled) {
        this.settleFate(paymentIndex, DeliveryFate.disabled);
        continue;
      }
      // One event per payment (its settlement): the event id follows the payment's, so a count of bytes can be exact.
      const eventId = this.profile ? eventIdFor(this.profile.envelope.value, paymentIndex + 1) : `evt_${paymentIndex + 1}`;
      const body = this.profile ? "" : eventBody(this.options.signature, eventId, payment);
      const hold = reorderHoldMs(seed, faults, paymentIndex);
      const chains = isDuplicated(seed, faults, paymentIndex) ? 2 : 1;
      if (chains === 2) this.faultCounts.duplicated++;
      for (let chain = 0; chain < chains; chain++) {
        if (!this.admit(endpoint)) {
          this.counts.dropped++;
          this.settleFate(paymentIndex, DeliveryFate.exhausted);
          continue;
        }
        this.schedule({ endpoint, eventId, paymentIndex, body, payment, chain }, 0, firstAttemptWaitMs(retriesMs, hold));
      }
    }
  }

  /** Takes a place in the endpoint's queue for a new delivery chain; false (and the reason logged once) when there is none. */
  private admit(endpoint: Endpoint): boolean {
    const { perEndpoint, total } = this.options.queue ?? DELIVERY_QUEUE;
    const mine = this.waiting.get(endpoint.id) ?? 0;
    if (mine >= perEndpoint || this.waitingTotal >= total) {
      if (!this.shedding.has(endpoint.id)) {
        this.shedding.add(endpoint.id);
        const full = mine >= perEndpoint ? `${mine} deliveries already wait for it` : `${this.waitingTotal} deliveries already wait for all endpoints`;
        this.options.onShed?.(`deliveries to ${endpoint.id} (${endpoint.url.slice(0, 80)}) dropped: ${full}, which is not answering them; new events are dropped until half have gone`);
      }
      return false;
    }
    this.waiting.set(endpoint.id, mine + 1);
    this.waitingTotal++;
    return true;
  }

  /** A delivery chain is over (delivered, given up, disabled): its place in the queue is free. */
  private release(c: Chain): void {
    const left = (this.waiting.get(c.endpoint.id) ?? 1) - 1;
    this.waiting.set(c.endpoint.id, left);
    this.waitingTotal--;
    const { perEndpoint } = this.options.queue ?? DELIVERY_QUEUE;
    if (left <= perEndpoint / 2) this.shedding.delete(c.endpoint.id);
  }

  private schedule(c: Chain, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const extra = attemptDelayMs(this.options.seed, this.options.faults, c.paymentIndex, c.chain, attempt);
    const wallDelay = (delayMs + extra) / this.options.speed + this.options.oneWayDelay(c.paymentIndex, deliveryMessage(c.chain, attempt, 0));
    if (wallDelay <= 0) {
      void this.attempt(c, attempt);
      return;
    }
    const cancel = this.scheduler.at(this.options.clock.now() + wallDelay, () => {
      this.timers.delete(cancel);
      void this.attempt(c, attempt);
    });
    this.timers.add(cancel);
  }

  private async attempt(c: Chain, attempt: number): Promise<void> {
    const { endpoint, eventId, paymentIndex } = c;
    if (this.closed) return;
    if (endpoint.disabled) {
      this.settleFate(paymentIndex, DeliveryFate.disabled);
      this.release(c);
      return;
    }
    this.counts.attempted++;
    if (attempt > 0) this.counts.retried++;
    const startedAt = this.options.clock.now();
    const planned = planAnswer(this.options.seed, this.options.faults, paymentIndex, c.chain, attempt, (startedAt - this.runStart) * this.options.speed);
    let status = 0;
    let retryAfterMs = 0;
    let aborted = false;
    let scripted = false;
    if (planned === PlanAnswer.refused) {
      // A refused connection carries no HTTP exchange, so it is simulated here: the attempt
      // counts (and is retried) but no request reaches the receiver, and no bytes move.
      this.faultCounts.refused++;
      scripted = true;
      this.lastFailure.set(c, "connection_failed");
    } else if (this.options.faultsPlayedBy === "sender" && planned !== PlanAnswer.accepted) {
      // Played here, like a refusal: nothing is sent and the attempt fails with the status the
      // plan gives the endpoint, so the plan holds against any receiver, the user's own included.
      this.faultCounts.scripted++;
      status = planned;
      scripted = true;
      this.lastFailure.set(c, "http_error");
    } else ({ status, retryAfterMs, aborted } = await this.send(c, attempt));
    // The answer (or the refused connection's reset) travels back before the sender knows it.
    const back = this.options.oneWayDelay(paymentIndex, deliveryMessage(c.chain, attempt, 1));
    if (back > 0) await sleep(back, this.closing.signal);
    if (this.closed) return;
    this.options.onAttempt?.({ eventId, paymentIndex, attempt, status, startedAt, durationMs: this.options.clock.now() - startedAt, ...(scripted ? { scripted } : {}) });
    // A receiver of a profile that lets it stop the retries (Svix's `webhook-delivery: abort-message`) ends the chain on a failure.
    const next = aborted && (status < 200 || status >= 300) ? ChainEnd.exhausted : afterAttempt(status, attempt, this.options.retriesMs, retryAfterMs, this.profile?.success.value.goneDisables ?? true);
    if (next === ChainEnd.delivered) {
      this.counts.succeeded++;
      this.settleFate(paymentIndex, DeliveryFate.delivered);
      this.release(c);
      return;
    }
    if (next === ChainEnd.disabled) {
      endpoint.disabled = true;
      this.settleFate(paymentIndex, DeliveryFate.disabled);
      this.release(c);
      return;
    }
    if (next === ChainEnd.exhausted) {
      this.counts.exhausted++;
      this.settleFate(paymentIndex, DeliveryFate.exhausted);
      this.release(c);
      return;
    }
    this.schedule(c, attempt + 1, next);
  }

  /** The body and headers of one attempt: the profile's delivery, else apiwh's own in the scenario's signature format. */
  private message(c: Chain, attempt: number, timestamp: number): { body: string; headers: Record<string, string> } {
    const { endpoint, eventId, body } = c;
    if (!this.profile) return { body, headers: { "content-type": "application/json", ...signedHeaders(this.options.signature, endpoint.secret, this.keyOf(endpoint), eventId, timestamp, body) } };
    // Slack names a retry and why the attempt before failed; its reason words are Slack's (http_timeout, http_error).
    const retry = attempt > 0 ? { number: attempt, reason: this.lastFailure.get(c) ?? "http_error" } : undefined;
    return deliveryOf(this.profile, { secret: endpoint.secret, eventId, payment: c.payment, timestamp, url: endpoint.url, retry });
  }

  /** Per chain, why its last attempt failed, for a profile's retry headers. */
  private readonly lastFailure = new WeakMap<Chain, string>();

  private async send(c: Chain, attempt: number): Promise<{ status: number; retryAfterMs: number; aborted: boolean }> {
    const { endpoint } = c;
    const target = this.targets.get(endpoint.id)!;
    const timestamp = Math.floor(Date.now() / 1000);
    const { body, headers } = this.message(c, attempt, timestamp);
    // undici's headers and body timeouts run on its "fast timers", which tick every half second:
    // a 300 ms timeout (Slack's 3 s at speed 10) fired after about a second, measured. Where that
    // tick is a tenth of the timeout or more, a timer of the attempt's own cuts it on time; above,
    // undici's timers bound it without one per attempt (the answer is one small head).
    // Never below MIN_TIMEOUT_WALL_MS: a timeout compressed to a few ms would time out the machine's own scheduling.
    const timeout = Math.max(MIN_TIMEOUT_WALL_MS, this.options.timeoutMs / this.options.speed);
    const precise = timeout < PRECISE_TIMEOUT_BELOW_MS ? new AbortController() : undefined;
    let timedOut = false;
    const timer = precise && setTimeout(() => ((timedOut = true), precise.abort()), timeout);
    try {
      this.countSent(c, target.path, headers, body);
      const res = await target.pool.request({ method: "POST", path: target.path, headers, body, headersTimeout: timeout, bodyTimeout: timeout, signal: precise?.signal });
      const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
      await res.body.dump();
      this.countAnswer(res.statusCode, res.headers);
      if (res.statusCode < 200 || res.statusCode >= 300) this.lastFailure.set(c, "http_error");
      const abort = this.profile?.abortRetries.value;
      return { status: res.statusCode, retryAfterMs, aborted: abort ? res.headers[abort.header] === abort.value : false };
    } catch (err) {
      if (this.profile) this.lastFailure.set(c, timedOut || isTimeout(err) ? "http_timeout" : "connection_failed");
      return { status: 0, retryAfterMs: 0, aborted: false }; // refused, reset or timed out: a failed attempt
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /**
   * The request as undici writes it (request line, host, connection, the headers, content-length,
   * the body): exact for the sizes here, as the virtual clock's wire sizes are.
   */
  private countSent(c: Chain, path: string, headers: Record<string, string>, body: string): void {
    this.wire.requests++;
    this.wire.bytesOut += deliveryRequestSize(path, this.targets.get(c.endpoint.id)!.host, headers, body);
    this.wire.byPayment.set(c.paymentIndex, (this.wire.byPayment.get(c.paymentIndex) ?? 0) + 1);
  }

  /** The answer's status line and headers as parsed (a reason phrase of 2 to 30 characters is counted by its standard text), and its declared body. */
  private countAnswer(status: number, headers: Record<string, string | string[] | undefined>): void {
    let bytes = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n`.length + 2;
    for (const name in headers) for (const value of [headers[name]].flat()) if (value !== undefined) bytes += Buffer.byteLength(`${name}: ${value}\r\n`);
    this.wire.bytesIn += bytes + Number(headers["content-length"] ?? 0);
  }

  /** A delivery on any chain wins; otherwise the last word (exhausted or disabled) stands. */
  private settleFate(paymentIndex: number, fate: number): void {
    if (this.fates.get(paymentIndex) === DeliveryFate.delivered) return;
    this.fates.set(paymentIndex, fate);
  }

  fatesFor(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (const [index, fate] of this.fates) if (index < count) out[index] = fate;
    return out;
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
      // Redirects are never followed (a 3xx is a failed attempt), and a name connects only to checked addresses.
      pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 10_000, connect: this.options.lookup ? { lookup: this.options.lookup } : undefined });
      this.pools.set(url.origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    await Promise.all([...this.pools.values()].map((p) => p.destroy().catch(() => undefined)));
  }
}
