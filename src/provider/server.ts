import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderEvent } from "../contract/events.js";
import { monotonicClock, sleep, type Clock } from "../measure/clock.js";
import { ServerMeter, type ExchangeCount } from "../measure/meter.js";
import type { SettlementRule } from "../scenario/plan.js";
import type { ApiFaults, SignatureFormat, WebhookFaults } from "../scenario/types.js";
import { ApiGate, OpenLimit, type ApiErrorCounts } from "./api-gate.js";
import { EventStream } from "./event-stream.js";
import { discardBody, readJson } from "../http/body.js";
import { HttpError, sendError, sendJson } from "../http/errors.js";
import { closeServer, listen, serverTimeouts, type ServerTimeouts } from "../http/server.js";
import { checkQuery, isPlainTarget, requestUrl } from "./http.js";
import { LIST_QUERY, listPayments, READ_QUERY, readPayment, validateEndpointBody, validatePaymentBody, type ReadAnswer } from "./payment-routes.js";
import { metadataChars, PaymentStore, type PaymentAnswer } from "./payments.js";
import { NO_WEBHOOK_FAULTS } from "../webhooks/fault-plan.js";
import type { ProfileName } from "../api/profile.js";
import { profileNamed } from "../api/profiles.js";
import { PollProfile } from "./profile-polls.js";
import { METADATA_LIMITS } from "../api/limits.js";
import { DELIVERY_QUEUE, WebhookSender, type DeliveryCounts, type DeliveryFaultCounts } from "./webhooks.js";
import { Waits } from "./waits.js";
import { TARGET_RULE, TargetPolicy, type Resolver } from "./targets.js";
import { FIRST_MESSAGE, NetworkDelays, SharedKey, streamEventMessage } from "../policy/draws.js";
import { grow } from "../util/grow.js";

export interface ProviderOptions {
  host: string;
  port: number;
  settlement: SettlementRule;
  speed: number;
  /**
   * Simulated one-way network delay in scenario ms, added to every message of every exchange in the
   * direction it travels (requests as they arrive, answers of every status before they leave, stream
   * events, webhook deliveries and their answers), drawn per message as src/policy/draws.ts keys it.
   */
  network: { latencyMs: number; jitterMs: number };
  /** `profile`: whose signature, envelope and success rule deliveries take (src/api/profiles.ts); absent: standard, signed in `signature`. */
  webhook: { retriesMs: number[]; timeoutMs: number; signature: SignatureFormat; profile?: ProfileName; secret?: string };
  /** Requests per second of scenario time per client on the read API; null or absent = unlimited. */
  rateLimitPerSecond?: number | null;
  /** Seeded faults; absent = none. */
  faults?: { webhook: WebhookFaults; api: ApiFaults };
  /**
   * Who plays the webhook fault plan's 500s and 503s: the sender (default: nothing is sent, the
   * attempt fails with that status, whatever receiver is registered), or the receiver, which the
   * runner gives the same plan (`compare`). See SenderOptions.faultsPlayedBy.
   */
  faultsPlayedBy?: "sender" | "receiver";
  /** Test knobs: end every event stream after this many events, to exercise reconnection; drop a stream that reads nothing for this long (wall ms, default SLOW_STREAM_MS). */
  sse?: { dropAfterEvents: number | null; slowAfterMs?: number };
  /** Caps on what clients can make the provider hold; absent fields take PROVIDER_LIMITS. */
  limits?: Partial<ProviderLimits>;
  /** Stamp each counted request's arrival (a run's provider, for its requests per second); `apiwh provider` does not. */
  stampArrivals?: boolean;
  /** Test knob: server timeouts other than SERVER_TIMEOUTS, to watch them fire without waiting 10 s. */
  timeouts?: Partial<ServerTimeouts>;
  /** Hosts (names or addresses) webhooks may go to besides loopback (`apiwh provider --allow-host`); see targets.ts. */
  allowHosts?: string[];
  /** Test knob, in-process only (a function does not cross to a worker): how host names resolve. */
  resolve?: Resolver;
}

export interface ProviderLimits {
  /** Payments one provider will create; past it, `POST /payments` answers 503. */
  payments: number;
  /** Registered webhook endpoints; each settlement is sent to every one, so they multiply outbound traffic. */
  webhookEndpoints: number;
  /** Long polls (`?wait=`) one client (remote address) may hold open at once; past it, 429. */
  longPollsPerClient: number;
  /** Long polls all clients together may hold open: a client has 16 M loopback addresses to spread over. */
  longPolls: number;
  /** Event streams one client may hold open at once; past it, 429. */
  streamsPerClient: number;
  /** Event streams all clients together may hold open. */
  streams: number;
  /** Deliveries waiting (scheduled or in flight) for one endpoint, and for all; past either, new events for it are dropped and logged. */
  pendingDeliveriesPerEndpoint: number;
  pendingDeliveries: number;
  /** Open connections; past it, the server accepts no more until one closes. */
  connections: number;
}

/**
 * Generous enough that no scenario meets them (the consumer's pool holds at most 256 connections),
 * tight enough that a runaway or hostile client cannot make the provider hold unbounded state.
 * The per-process caps bound what per-address caps cannot: a loopback client may connect from
 * any of 127.0.0.0/8's 16 M addresses.
 */
export const PROVIDER_LIMITS: ProviderLimits = {
  payments: 1_000_000,
  webhookEndpoints: 16,
  longPollsPerClient: 1024,
  longPolls: 4096,
  streamsPerClient: 32,
  streams: 256,
  pendingDeliveriesPerEndpoint: DELIVERY_QUEUE.perEndpoint,
  pendingDeliveries: DELIVERY_QUEUE.total,
  connections: 10_000,
};

/** What the provider counted, for the run's accounting. Typed arrays are indexed by creation order. */
export interface ProviderSnapshot {
  payments: number;
  createdAt: Float64Array;
  settledAt: Float64Array;
  exchanges: Record<string, ExchangeCount>;
  deliveries: DeliveryCounts;
  deliveryFaults: DeliveryFaultCounts;
  /** Per payment (creation order), what became of its webhook: see DeliveryFate. */
  fates: Uint8Array;
  /** 429 and injected 5xx answers the read API sent. */
  apiErrors: ApiErrorCounts;
  /** When each counted request arrived (monotonic ms), for the run's requests per second. */
  arrivals: Float64Array;
  /** The most long polls and event streams held open at once. */
  heldPeak: number;
  /** `GET /payments/:id` requests per payment (creation order); those naming no payment are `unknownPolls`. */
  pollsPerPayment: Uint32Array;
  unknownPolls: number;
  /** Polls answered 304 that the profile does not charge against the rate limit (GitHub's); 0 in other profiles. */
  notModifiedFree: number;
  /** Deliveries as the sender put them on the wire (a user's own receiver counts nothing for the run). */
  deliveryWire: { requests: number; bytesIn: number; bytesOut: number; byPayment: Array<[number, number]> };
}

/**
 * Exchange kinds the meter counts. Payment creation is deliberately not among them. `poll` covers
 * every `GET /payments/:id` (plain, conditional or long); `events` counts one request per stream.
 */
export const Exchange = { poll: "poll", register: "register", list: "list", events: "events", refusedStream: "events-refused" } as const;

export interface Provider {
  url: string;
  server: Server;
  /** Every request that reached a route, counted as it arrived (`apiwh provider --quiet` prints it). */
  requests(): number;
  snapshot(): ProviderSnapshot;
  close(): Promise<void>;
}

/**
 * The simulated payment provider: a JSON API over node:http plus a webhook sender. Requests
 * and bytes are counted here, where the consumer's requests arrive.
 */
export async function startProvider(options: ProviderOptions, onEvent?: (e: ProviderEvent) => void, clock: Clock = monotonicClock): Promise<Provider> {
  const network = new NetworkDelays(options.settlement.seed, options.network.latencyMs, options.network.jitterMs);
  /** Wall ms of message `message` about `subject` (see src/policy/draws.ts). */
  const delay = (subject: number, message: number): number => (network.none ? 0 : network.oneWay(subject, message) / options.speed);
  /** Per payment, the number of its next request's message; ordinals of the exchanges that concern no payment. */
  let nextMessage = new Uint32Array(1024);
  let pollsPerPayment = new Uint32Array(1024);
  let unknownPolls = 0;
  const ordinals = { creation: 0, list: 0, stream: 0, register: 0, unknown: 0 };
  /** Whether messages need their keys: for the network's delays, or the API faults' draws. */
  const keyed = !network.none || (options.faults?.api.errorRate ?? 0) > 0 || Boolean(options.faults?.api.latency);
  // Held long polls, injected latencies and delayed error answers, ended together when the provider closes.
  const waits = new Waits();
  const faults = options.faults ?? { webhook: NO_WEBHOOK_FAULTS, api: { errorRate: 0, latency: null } };
  const targets = new TargetPolicy(options.allowHosts, options.resolve);
  const limits: ProviderLimits = { ...PROVIDER_LIMITS, ...options.limits };
  // What the provider lets go of past its bounds, with the reason, for its log.
  const shed = (reason: string) => onEvent?.({ kind: "shed", at: clock.now(), reason });
  const sender = new WebhookSender({
    lookup: targets.lookup,
    queue: { perEndpoint: limits.pendingDeliveriesPerEndpoint, total: limits.pendingDeliveries },
    onShed: shed,
    ...options.webhook,
    speed: options.speed,
    clock,
    oneWayDelay: delay,
    seed: options.settlement.seed,
    faults: faults.webhook,
    faultsPlayedBy: options.faultsPlayedBy ?? "sender",
    onAttempt: onEvent ? (attempt) => onEvent({ kind: "delivery", attempt }) : undefined,
  });
  const stream = new EventStream({
    speed: options.speed,
    dropAfterEvents: options.sse?.dropAfterEvents ?? null,
    slowAfterMs: options.sse?.slowAfterMs,
    // A settled payment no longer changes: its event is written again from the store for each stream, replays included.
    describe: (index) => ({ type: `payment.${store.statusOf(index)}`, data: store.view(index) }),
    onDrop: shed,
    timed: !network.none,
  });
  const store = new PaymentStore(options.settlement, options.speed, clock, (index) => {
    const status = store.statusOf(index) as "succeeded" | "failed";
    onEvent?.({ kind: "settled", index, at: store.settledAt[index]!, status });
    const view = store.view(index);
    stream.publish(index);
    if (sender.endpoints.length > 0) sender.dispatch(index, view);
  });
  const gate = new ApiGate({
    seed: options.settlement.seed,
    speed: options.speed,
    rateLimitPerSecond: options.rateLimitPerSecond ?? null,
    faults: faults.api,
    now: () => clock.now(),
    sleep: (ms) => waits.sleep(ms),
  });
  const meter = new ServerMeter(options.stampArrivals ?? false);
  // The profile's polling hint and free 304s; nothing in the standard profile.
  const polls = new PollProfile(options.webhook.profile && options.webhook.profile !== "standard" ? profileNamed(options.webhook.profile) : undefined);
  const longPolls = new OpenLimit("long polls", limits.longPollsPerClient, limits.longPolls);
  const streams = new OpenLimit("event streams", limits.streamsPerClient, limits.streams);

  /**
   * Routes a request. Synchronous unless something makes it wait (simulated network delay, a long
   * poll, an injected fault, reading a body): then it returns the promise of the answer. A plain
   * poll, the request every polling strategy repeats, thus costs no promise, no closure and no URL.
   */
  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
    const target = req.url ?? "/";
    const url = isPlainTarget(target) ? null : requestUrl(req);
    const path = url ? url.pathname : target;
    if (req.method === "OPTIONS") return calibrate(res, path);
    // Without a simulated network or API faults no exchange needs its messages named: a plain poll
    // then costs nothing more than it did.
    if (!keyed) return dispatch(req, res, path, url);
    const inbound = keyExchange(req, res as KeyedResponse, path, url);
    if (inbound > 0) return sleep(inbound).then(() => dispatch(req, res, path, url));
    return dispatch(req, res, path, url);
  }

  /**
   * Names the exchange's messages (src/policy/draws.ts) so its request and its answer draw the same
   * delays the virtual clock draws for them; returns the request's delay (wall ms). A poll is its
   * payment's next pair of messages; a creation its arrival's ordinal (its index once created).
   */
  function keyExchange(req: IncomingMessage, res: KeyedResponse, path: string, url: URL | null): number {
    let subject: number;
    let message = 0;
    if (path.startsWith("/payments/")) {
      const raw = path.slice("/payments/".length);
      const index = store.indexOf(url ? decodeId(raw) : raw);
      if (index >= 0) {
        if (index >= nextMessage.length) nextMessage = grow(nextMessage, index + 1);
        message = nextMessage[index]! || FIRST_MESSAGE;
        nextMessage[index] = message + 2;
        subject = index;
      } else subject = SharedKey.unknown + ordinals.unknown++;
    } else if (path === "/payments") subject = req.method === "POST" ? ordinals.creation++ : SharedKey.listPage + ordinals.list++;
    else if (path === "/events") subject = SharedKey.stream + ordinals.stream++;
    else if (path === "/webhook-endpoints") subject = SharedKey.register + ordinals.register++;
    else subject = SharedKey.unknown + ordinals.unknown++;
    res.subject = subject;
    res.message = message;
    return delay(subject, message);
  }

  /** The answer's delay (wall ms): the message after the request's. */
  function outbound(res: ServerResponse): number {
    // Unkeyed, no exchange has its messages named: nothing to look up on the response.
    if (!keyed) return 0;
    const named = res as KeyedResponse;
    return named.subject === undefined ? 0 : delay(named.subject, named.message! + 1);
  }

  /**
   * `OPTIONS`: what a path allows, answered at once and counted nowhere. The run sends a few during
   * each strategy's run to measure the machine's own round trip (no simulated network on these),
   * which its health check sets against the figures (src/contract/health.ts).
   */
  function calibrate(res: ServerResponse, path: string): undefined {
    meter.skip(res);
    const allow = path.startsWith("/payments/") || path === "/events" ? "GET, OPTIONS" : path === "/payments" ? "GET, POST, OPTIONS" : path === "/webhook-endpoints" ? "POST, OPTIONS" : "OPTIONS";
    res.writeHead(204, { allow }).end();
    return undefined;
  }

  /** `url` is null when the target was plain (see isPlainTarget): its path is `path` and it has no query. */
  function dispatch(req: IncomingMessage, res: ServerResponse, path: string, url: URL | null): Promise<void> | undefined {
    if (path.startsWith("/payments/")) {
      if (req.method !== "GET") throw noKind(res, notAllowed(req, path, "GET"));
      const long = url !== null && url.searchParams.has("wait");
      // Held (counted as it arrives until answered) when its answer can wait: a long poll, or any poll
      // whose answer the simulated network or an injected latency holds back as the run ends.
      if (keyed || long) meter.track(Exchange.poll, res, true);
      else meter.trackAnswer(Exchange.poll, res);
      if (url) checkQuery(url, READ_QUERY);
      // The id is only ever looked up: a malformed one is simply not found.
      const raw = path.slice("/payments/".length);
      const index = store.indexOf(url ? decodeId(raw) : raw);
      if (index < 0) {
        unknownPolls++;
        throw new HttpError(404, "not_found", `no payment with id "${raw.slice(0, 64)}"`);
      }
      if (index >= pollsPerPayment.length) pollsPerPayment = grow(pollsPerPayment, index + 1);
      pollsPerPayment[index]!++;
      if (long) longPolls.hold(req, res);
      // A 304 the profile does not charge (GitHub's) passes the rate limit; see profile-polls.ts.
      if (polls.freeNotModified && polls.isFree(req, long, () => store.etagOf(index))) return answerPoll(req, res, index, url);
      const held = gate.admit(req, res as KeyedResponse);
      if (held) return held.then(() => answerPoll(req, res, index, url));
      return answerPoll(req, res, index, url);
    }
    if (path === "/payments") {
      if (req.method === "GET") {
        meter.track(Exchange.list, res, keyed);
        if (url) checkQuery(url, LIST_QUERY);
        return afterGate(req, res, () => reply(res, 200, listPayments(store, url?.searchParams ?? new URLSearchParams())));
      }
      if (req.method !== "POST") throw noKind(res, notAllowed(req, path, "GET, POST"));
      meter.skip(res);
      if (url) checkQuery(url, []);
      return createPayment(req, res);
    }
    if (path === "/events") {
      if (req.method !== "GET") throw noKind(res, notAllowed(req, path, "GET"));
      const connection = keyed ? (res as KeyedResponse).subject! - SharedKey.stream : ordinals.stream++;
      // A served stream counts its own exchange, from its socket's counters as it starts: the polls
      // answered before it on the connection are charged first. Its arrival is stamped here, as a
      // refused one's is by track().
      const serve = () => (meter.endRun(res), meter.arrived(), stream.serve(req, res, outbound(res), (index) => delay(index, streamEventMessage(connection))));
      // A stream refused (429, an injected 500) is an exchange like any other: counted here, as a served one is counted by the stream.
      const refused = (err: unknown): never => {
        meter.track(Exchange.refusedStream, res);
        throw err;
      };
      try {
        // A stream refused for its query (400) is a refused stream too, not bytes left for the next exchange.
        if (url) checkQuery(url, []);
        streams.hold(req, res);
        const held = gate.admit(req, res as KeyedResponse);
        if (held) return held.then(serve, refused);
        serve();
        return undefined;
      } catch (err) {
        return refused(err);
      }
    }
    if (path === "/webhook-endpoints") {
      if (req.method !== "POST") throw noKind(res, notAllowed(req, path, "POST"));
      meter.track(Exchange.register, res);
      if (url) checkQuery(url, []);
      return registerEndpoint(req, res);
    }
    throw noKind(res, new HttpError(404, "not_found", `no route for ${path.slice(0, 64)}`));
  }

  /**
   * An exchange of no kind (a method its route does not allow, a path with no route) counts
   * nowhere: its bytes are moved past, not left for the next exchange on its connection.
   */
  function noKind(res: ServerResponse, err: HttpError): HttpError {
    meter.skip(res);
    return err;
  }

  function afterGate(req: IncomingMessage, res: ServerResponse, then: () => Promise<void> | void): Promise<void> | undefined {
    const held = gate.admit(req, res as KeyedResponse);
    if (held) return held.then(then);
    const done = then();
    return done ? done : undefined;
  }

  function answerPoll(req: IncomingMessage, res: ServerResponse, index: number, url: URL | null): Promise<void> | undefined {
    const answer = readPayment(store, index, url?.searchParams ?? null, req, options.speed, waits);
    if (answer instanceof Promise) return answer.then((a) => sendPoll(res, index, a));
    return sendPoll(res, index, answer);
  }

  function sendPoll(res: ServerResponse, index: number, answer: ReadAnswer): Promise<void> | undefined {
    if (answer.status === 304) return replyEmpty(res, 304, polls.headers({ etag: answer.etag }));
    // Taken now: an answer the simulated network holds back shows the payment as it was when read.
    const fresh = store.answer(index);
    const wait = outbound(res);
    if (wait > 0) return sleep(wait).then(() => sendAnswer(res, fresh, polls.hintList));
    sendAnswer(res, fresh, polls.hintList);
    return undefined;
  }

  async function createPayment(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { amount, currency, metadata } = validatePaymentBody(await readJson(req, res));
    if (store.size >= limits.payments) throw new HttpError(503, "payment_limit_reached", `this provider holds at most ${limits.payments} payments; start a new one`);
    if (metadata && store.metadataChars + metadataChars(metadata) > METADATA_LIMITS.totalChars)
      throw new HttpError(503, "metadata_limit_reached", `this provider keeps at most ${METADATA_LIMITS.totalChars} characters of metadata in all; start a new one`);
    const index = store.create(amount, currency, metadata);
    // Its 201 is the payment's own message 1 (message 0 was this request, keyed by its arrival).
    if (keyed) (res as KeyedResponse).subject = index;
    // Fault windows count from the run's first payment: the same instant for every strategy.
    if (index === 0) sender.startClock(store.createdAt[0]!);
    onEvent?.({ kind: "created", index, at: store.createdAt[index]! });
    return reply(res, 201, store.view(index));
  }

  async function registerEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = validateEndpointBody(await readJson(req, res));
    const refused = await targets.refusal(target.hostname);
    if (refused) throw new HttpError(400, "invalid_request", `url refused: ${refused}; ${TARGET_RULE}`, "url");
    if (sender.endpoints.length >= limits.webhookEndpoints) throw new HttpError(503, "endpoint_limit_reached", `this provider holds at most ${limits.webhookEndpoints} webhook endpoints`);
    const endpoint = sender.register(target);
    return reply(res, 201, { id: endpoint.id, url: endpoint.url, secret: endpoint.secret });
  }

  /** Sends at once unless the simulated network delays the answer. */
  function reply(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): Promise<void> | undefined {
    const wait = outbound(res);
    if (wait > 0) return sleep(wait).then(() => sendJson(res, status, value, headers));
    sendJson(res, status, value, headers);
    return undefined;
  }

  /** 304 carries no body (RFC 9110 §15.4.5): that is the whole saving of a conditional poll. */
  function replyEmpty(res: ServerResponse, status: number, headers: Record<string, string>): Promise<void> | undefined {
    const wait = outbound(res);
    const send = () => void res.writeHead(status, headers).end();
    if (wait > 0) return sleep(wait).then(send);
    send();
    return undefined;
  }

  /** An error answer (429, an injected 500, a 404…) travels back through the same simulated network as any other. */
  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): Promise<void> | undefined {
    if (res.headersSent || res.destroyed) return undefined;
    // A body nobody read yet (404, 405, a cap) is drained or the connection closed, never buffered.
    if (!req.readableDidRead) discardBody(req, res);
    const error = err instanceof HttpError ? err : new HttpError(500, "internal_error", "internal error");
    const wait = outbound(res);
    if (wait > 0)
      return waits.sleep(wait).then(() => {
        if (!res.headersSent && !res.destroyed) sendError(res, error);
      });
    sendError(res, error);
    return undefined;
  }

  let requests = 0;
  const server = createServer(serverTimeouts(options.timeouts), (req, res) => {
    requests++;
    let pending: Promise<void> | undefined;
    try {
      pending = route(req, res);
    } catch (err) {
      pending = Promise.reject(err);
    }
    // A plain poll's answer is on its socket by now: charged at once, with no 'finish' listener.
    meter.settle(res);
    // Answering must never become an unhandled rejection: if even that fails, drop the connection.
    pending?.catch((err: unknown) => fail(req, res, err)).catch(() => res.destroy());
  });
  server.maxConnections = limits.connections;
  meter.attach(server);
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    server,
    requests: () => requests,
    snapshot: () => ({
      payments: store.size,
      createdAt: store.createdAt.slice(0, store.size),
      settledAt: store.settledAt.slice(0, store.size),
      exchanges: { ...meter.snapshot(), [Exchange.events]: stream.snapshot() },
      deliveries: { ...sender.counts },
      deliveryFaults: { ...sender.faultCounts },
      fates: sender.fatesFor(store.size),
      apiErrors: { ...gate.counts },
      arrivals: meter.arrivals(),
      heldPeak: longPolls.peak + streams.peak,
      pollsPerPayment: sized(pollsPerPayment, store.size),
      unknownPolls,
      notModifiedFree: polls.notModifiedFree,
      deliveryWire: { requests: sender.wire.requests, bytesIn: sender.wire.bytesIn, bytesOut: sender.wire.bytesOut, byPayment: [...sender.wire.byPayment] },
    }),
    async close() {
      waits.close();
      stream.close();
      store.stop();
      await sender.close();
      await closeServer(server);
    },
  };
}

/**
 * The payment as the store last serialised it, headers and body in one write: node joins a string
 * body to the header block when it ends a response whose head is not sent yet (measured against a
 * Buffer body, which goes out as a two-chunk writev, and against a header object: no slower). A
 * profile's polling hint (GitHub's X-Poll-Interval) is appended when it has one.
 */
function sendAnswer(res: ServerResponse, answer: PaymentAnswer, hint: readonly string[] | undefined): void {
  res.writeHead(200, (hint ? [...answer.headers, ...hint] : answer.headers) as string[]);
  res.end(answer.json);
}

/** The first `size` entries, zeros past what was ever grown. */
function sized(counts: Uint32Array, size: number): Uint32Array {
  const out = new Uint32Array(size);
  out.set(counts.subarray(0, Math.min(size, counts.length)));
  return out;
}

/** A response that knows which messages its exchange is (see keyExchange); unset on calibration requests. */
interface KeyedResponse extends ServerResponse {
  subject?: number;
  message?: number;
}

function notAllowed(req: IncomingMessage, path: string, allow: string): HttpError {
  return new HttpError(405, "method_not_allowed", `${(req.method ?? "").slice(0, 16)} is not allowed on ${path.slice(0, 64)}`, undefined, { allow });
}

/** A percent-encoded id that does not decode cannot name a payment; it must not become a 500. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return "";
  }
}
