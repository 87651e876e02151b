import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../measure/clock.js";
import { ServerMeter, type ExchangeCount } from "../measure/meter.js";
import { discardBody, readBody, MAX_BODY_BYTES } from "../http/body.js";
import { HttpError, sendError } from "../http/errors.js";
import { closeServer, listen, SERVER_TIMEOUTS } from "../http/server.js";
import { parseEvent, type WebhookEvent } from "../webhooks/event.js";
import { first as header, Header, verifyDelivery } from "../webhooks/headers.js";
import { standardKey } from "../webhooks/signature.js";
import type { RejectReason } from "../contract/result.js";
import type { SignatureFormat } from "../scenario/types.js";
import type { Profile, ProfileName } from "../api/profile.js";
import { profileNamed } from "../api/profiles.js";
import { readDelivery } from "../webhooks/delivery.js";

export interface Delivery {
  webhookId: string;
  event: WebhookEvent;
  /** Monotonic ms when the delivery was verified and parsed: the moment the consumer knows. */
  at: number;
  duplicate: boolean;
  /** An event about a payment older than what the receiver already knows: acknowledged, never applied. */
  stale: boolean;
}

export interface ReceiverOptions {
  host: string;
  port: number;
  path: string;
  signature: SignatureFormat;
  /** Whose deliveries to expect (src/api/profiles.ts): verified in its scheme, read in its envelope. Absent or `standard`: apiwh's own, in `signature`. */
  profile?: ProfileName;
  clock: Clock;
  onDelivery(delivery: Delivery): void;
  /** Each refused request, as it is counted: the reason, the status it is answered with and its `webhook-id`, if it sent one (Standard Webhooks). */
  onReject?(reason: RejectReason, status: number, webhookId: string | undefined): void;
  /**
   * Plays a failing endpoint: asked once per delivery that verified and parsed, before it is
   * processed; 500 or 503 answers that status instead of 2xx, and the delivery is not processed
   * (the sender will retry it). Only the runner installs one, to play the scenario's fault plan
   * (src/run/fault-script.ts); nothing a sender puts on the wire can make the receiver fail.
   */
  script?(event: WebhookEvent, webhookId: string): 500 | 503 | undefined;
  /** Each delivery the script answered 500 or 503. Not a rejection: it verified, and will be retried. */
  onOutage?(status: number, webhookId: string): void;
  /** Seconds since the epoch, for the timestamp tolerance; injectable for tests. */
  nowSeconds?: () => number;
  /** Stamp each request's arrival (a run's receiver, for its requests per second); a long-running one does not. */
  stampArrivals?: boolean;
}

/**
 * A webhook receiver built the way the tool teaches: verify first (constant-time, ±5 min),
 * bound the body, answer 2xx at once, and process each `webhook-id` once.
 */
export class WebhookReceiver {
  readonly meter: ServerMeter;
  readonly rejected: Partial<Record<RejectReason, number>> = {};
  duplicates = 0;
  /** Verified deliveries the script answered 500 or 503 (the scenario's fault plan). */
  outages = 0;
  /** Events older than one already received (by event timestamp): delivery order is not settlement order. */
  outOfOrder = 0;
  stale = 0;
  /** Deliveries that verified and parsed, by the payment their event is about (scripted 500s and 503s and duplicates included). */
  readonly byPayment = new Map<string, number>();
  private newest = -Infinity;
  /** What is known per payment: status rank (pending 0, terminal 1) and event time, so nothing regresses. */
  private readonly known = new Map<string, { rank: number; time: number }>();
  private server?: Server;
  private key?: Buffer;
  private secret?: string;
  private readonly seen = new Set<string>();

  /** A profile other than the standard one; undefined reads apiwh's own deliveries. */
  private readonly profile: Profile | undefined;
  /** The URL this receiver registers, which Square signs. */
  private url = "";

  constructor(private readonly options: ReceiverOptions) {
    this.meter = new ServerMeter(options.stampArrivals ?? false);
    this.profile = options.profile && options.profile !== "standard" ? profileNamed(options.profile) : undefined;
  }

  /** The secret the provider returned at registration; deliveries are refused until it is set. */
  setSecret(secret: string): void {
    this.secret = secret;
    this.key = standardKey(secret);
  }

  async start(): Promise<string> {
    const server = createServer(SERVER_TIMEOUTS, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (res.headersSent || res.destroyed) return;
        // Rejected before its body was read: drain a small one, close on a large one, never buffer it.
        if (!req.readableDidRead) discardBody(req, res);
        sendError(res, err instanceof HttpError ? err : new HttpError(500, "internal_error", "internal error"));
      })
        // Answering must never become an unhandled rejection: if even that fails, drop the connection.
        .catch(() => res.destroy());
    });
    this.meter.attach(server);
    this.server = server;
    await listen(server, this.options.port, this.options.host);
    const { port } = server.address() as AddressInfo;
    this.url = new URL(`http://${this.options.host.includes(":") ? `[${this.options.host}]` : this.options.host}:${port}${this.options.path}`).href;
    return this.url;
  }

  get received(): ExchangeCount {
    return this.meter.countFor("delivery");
  }

  get rejectedTotal(): number {
    return Object.values(this.rejected).reduce((a, b) => a + (b ?? 0), 0);
  }

  private reject(req: IncomingMessage, reason: RejectReason, err: HttpError): never {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    // Only some formats name the event in a header; an id in the body is in a body not trusted yet.
    this.options.onReject?.(reason, err.status, this.idHeader ? header(req.headers[this.idHeader]) : undefined);
    throw err;
  }

  /** The header a delivery names its event in, where its format has one. */
  private get idHeader(): string | undefined {
    if (!this.profile) return this.options.signature === "stripe" ? undefined : Header.id;
    const where = this.profile.envelope.value.eventId;
    return "header" in where ? where.header : undefined;
  }

  /** A profile's delivery, verified in its scheme and read in its envelope: the event and the id it dedupes on. */
  private readProfiled(req: IncomingMessage, profile: Profile, body: string, now: number): { event: WebhookEvent; webhookId: string } {
    if (!this.secret) this.reject(req, "missing-headers", new HttpError(401, "unauthorized", "delivery refused: missing-headers"));
    const read = readDelivery(profile, { secret: this.secret, headers: req.headers, body, url: this.url, nowSeconds: now });
    if (read.failure === "malformed") this.reject(req, "malformed", new HttpError(400, "invalid_json", "body is not a webhook event"));
    if (read.failure) this.reject(req, read.failure, new HttpError(401, "unauthorized", `delivery refused: ${read.failure}`));
    return { event: read.event, webhookId: read.event.id };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "OPTIONS" && path === this.options.path) {
      // What the endpoint allows; also the sender's connection warm-up (see WARM_UP_METHOD). It
      // changes nothing, so it is neither a delivery nor a rejection, and is not counted.
      this.meter.skip(res);
      res.writeHead(204, { allow: "POST" }).end();
      return discardBody(req, res);
    }
    this.meter.track("delivery", res);
    if (path !== this.options.path) {
      this.reject(req, "not-found", new HttpError(404, "not_found", "no such path"));
    }
    if (req.method !== "POST") {
      this.reject(req, "bad-method", new HttpError(405, "method_not_allowed", "deliveries are POSTed", undefined, { allow: "POST" }));
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      this.reject(req, "wrong-type", new HttpError(415, "unsupported_media_type", "content-type must be application/json"));
    }
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof HttpError && err.status === 413) this.reject(req, "too-large", err);
      // The sender went away mid-body: nothing to verify.
      if (err instanceof HttpError) this.reject(req, "malformed", err);
      throw err;
    }
    const now = this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
    const { event, webhookId } = this.profile ? this.readProfiled(req, this.profile, body, now) : this.readOwn(req, body, now);
    const at = this.options.clock.now();
    this.byPayment.set(event.data.id, (this.byPayment.get(event.data.id) ?? 0) + 1);
    const scripted = this.options.script?.(event, webhookId);
    if (scripted !== undefined) {
      this.outages++;
      this.options.onOutage?.(scripted, webhookId);
      // end() without writeHead() sends `Content-Length: 0`; writeHead() first would chunk an empty body.
      res.statusCode = scripted;
      res.end();
      return;
    }
    const duplicate = this.seen.has(webhookId);
    if (duplicate) this.duplicates++;
    else this.seen.add(webhookId);
    const stale = !duplicate && !this.apply(event);
    res.writeHead(204);
    res.end();
    this.options.onDelivery({ webhookId, event, at, duplicate, stale });
  }

  /** apiwh's own delivery, in the scenario's signature format. */
  private readOwn(req: IncomingMessage, body: string, now: number): { event: WebhookEvent; webhookId: string } {
    const h = req.headers;
    const failure = !this.secret ? "missing-headers" : verifyDelivery(this.options.signature, this.secret, this.key!, h, body, now);
    if (failure) this.reject(req, failure, new HttpError(401, "unauthorized", `delivery refused: ${failure}`));
    const event = parseEvent(this.options.signature, body) ?? this.reject(req, "malformed", new HttpError(400, "invalid_json", "body is not a webhook event"));
    // The id each format dedupes on: Stripe's is the event's own, in the body; Standard Webhooks' is verified in its header.
    return { event, webhookId: this.options.signature === "stripe" ? event.id! : header(h[Header.id])! };
  }

  /** Records the event's state unless it is older than what is known; false when it was stale. */
  private apply(event: WebhookEvent): boolean {
    const time = Date.parse(event.timestamp);
    if (time < this.newest) this.outOfOrder++;
    else this.newest = time;
    const rank = event.data.status === "pending" ? 0 : 1;
    const before = this.known.get(event.data.id);
    if (before && (rank < before.rank || (rank === before.rank && time < before.time))) {
      this.stale++;
      return false;
    }
    this.known.set(event.data.id, { rank, time });
    return true;
  }

  async stop(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}
