import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monotonicClock, sleep, type Clock } from "../measure/clock.js";
import { ServerMeter, type ExchangeCount } from "../measure/meter.js";
import { Rng, Stream } from "../scenario/random.js";
import type { SettlementRule } from "../scenario/plan.js";
import type { ApiFaults, SignatureFormat, WebhookFaults } from "../scenario/types.js";
import { ApiGate, type ApiErrorCounts } from "./api-gate.js";
import { EventStream } from "./event-stream.js";
import { HttpError, readJson, sendError, sendJson } from "./http.js";
import { listPayments, readPayment } from "./payment-routes.js";
import { PaymentStore } from "./payments.js";
import { NO_WEBHOOK_FAULTS } from "./webhook-faults.js";
import { WebhookSender, type DeliveryAttempt, type DeliveryCounts, type DeliveryFaultCounts } from "./webhooks.js";

export interface ProviderOptions {
  host: string;
  port: number;
  settlement: SettlementRule;
  speed: number;
  /** Simulated one-way network delay in scenario ms, added to every exchange in both directions. */
  network: { latencyMs: number; jitterMs: number };
  webhook: { retriesMs: number[]; timeoutMs: number; signature: SignatureFormat };
  /** Requests per second of scenario time per client on the read API; null or absent = unlimited. */
  rateLimitPerSecond?: number | null;
  /** Seeded faults; absent = none. */
  faults?: { webhook: WebhookFaults; api: ApiFaults };
  /** Test knob: end every event stream after this many events, to exercise reconnection. */
  sse?: { dropAfterEvents: number | null };
}

export type ProviderEvent =
  | { kind: "created"; index: number; at: number }
  | { kind: "settled"; index: number; at: number; status: "succeeded" | "failed" }
  | { kind: "polled"; index: number; at: number; status: string }
  | { kind: "delivery"; attempt: DeliveryAttempt };

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
}

/**
 * Exchange kinds the meter counts. Payment creation is deliberately not among them. `poll` covers
 * every `GET /payments/:id` (plain, conditional or long); `events` counts one request per stream.
 */
export const Exchange = { poll: "poll", register: "register", list: "list", events: "events" } as const;

export interface Provider {
  url: string;
  server: Server;
  snapshot(): ProviderSnapshot;
  close(): Promise<void>;
}

/**
 * The simulated payment provider: a JSON API over node:http plus a webhook sender. Requests
 * and bytes are counted here, where the consumer's requests arrive.
 */
export async function startProvider(options: ProviderOptions, onEvent?: (e: ProviderEvent) => void, clock: Clock = monotonicClock): Promise<Provider> {
  const jitterRng = new Rng(options.settlement.seed ^ Stream.networkJitter);
  const oneWayDelay = (): number => {
    const { latencyMs, jitterMs } = options.network;
    if (latencyMs === 0 && jitterMs === 0) return 0;
    return (latencyMs + jitterMs * jitterRng.next()) / options.speed;
  };
  const closing = new AbortController();
  const faults = options.faults ?? { webhook: NO_WEBHOOK_FAULTS, api: { errorRate: 0, latency: null } };
  const sender = new WebhookSender({
    ...options.webhook,
    speed: options.speed,
    clock,
    oneWayDelay,
    seed: options.settlement.seed,
    faults: faults.webhook,
    onAttempt: onEvent ? (attempt) => onEvent({ kind: "delivery", attempt }) : undefined,
  });
  const stream = new EventStream({ speed: options.speed, dropAfterEvents: options.sse?.dropAfterEvents ?? null });
  const store = new PaymentStore(options.settlement, options.speed, clock, (index) => {
    const status = store.statusOf(index) as "succeeded" | "failed";
    onEvent?.({ kind: "settled", index, at: store.settledAt[index]!, status });
    const view = store.view(index);
    stream.publish(`payment.${status}`, view);
    if (sender.endpoints.length > 0) sender.dispatch(index, view);
  });
  const gate = new ApiGate({
    seed: options.settlement.seed,
    speed: options.speed,
    rateLimitPerSecond: options.rateLimitPerSecond ?? null,
    faults: faults.api,
    now: () => clock.now(),
    signal: closing.signal,
  });
  const meter = new ServerMeter();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://provider");
    const path = url.pathname;
    const inbound = oneWayDelay();
    if (inbound > 0) await sleep(inbound);
    if (path === "/payments") {
      if (req.method === "GET") {
        meter.track(Exchange.list, req, res);
        await gate.pass(req);
        return reply(res, 200, listPayments(store, url));
      }
      if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on /payments`, undefined, { allow: "GET, POST" });
      meter.skip(req, res);
      const body = await readJson(req);
      const { amount, currency } = validatePaymentBody(body);
      const index = store.create(amount, currency);
      // Fault windows count from the run's first payment: the same instant for every strategy.
      if (index === 0) sender.startClock(store.createdAt[0]!);
      onEvent?.({ kind: "created", index, at: store.createdAt[index]! });
      return reply(res, 201, store.view(index));
    }
    if (path.startsWith("/payments/")) {
      if (req.method !== "GET") throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on ${path}`, undefined, { allow: "GET" });
      meter.track(Exchange.poll, req, res);
      const id = decodeURIComponent(path.slice("/payments/".length));
      const index = store.indexOf(id);
      if (index < 0) throw new HttpError(404, "not_found", `no payment with id "${id.slice(0, 64)}"`);
      await gate.pass(req);
      const answer = await readPayment(store, index, url, req, options.speed, closing.signal);
      onEvent?.({ kind: "polled", index, at: clock.now(), status: store.statusOf(index) });
      if (answer.status === 304) return replyEmpty(res, 304, answer.headers);
      return reply(res, 200, answer.body, answer.headers);
    }
    if (path === "/events") {
      if (req.method !== "GET") throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on /events`, undefined, { allow: "GET" });
      await gate.pass(req);
      return stream.serve(req, res);
    }
    if (path === "/webhook-endpoints") {
      if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", `${req.method} is not allowed on /webhook-endpoints`, undefined, { allow: "POST" });
      meter.track(Exchange.register, req, res);
      const endpoint = sender.register(validateEndpointBody(await readJson(req)));
      return reply(res, 201, { id: endpoint.id, url: endpoint.url, secret: endpoint.secret });
    }
    throw new HttpError(404, "not_found", `no route for ${path.slice(0, 64)}`);
  }

  async function reply(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): Promise<void> {
    const outbound = oneWayDelay();
    if (outbound > 0) await sleep(outbound);
    sendJson(res, status, value, headers);
  }

  /** 304 carries no body (RFC 9110 §15.4.5): that is the whole saving of a conditional poll. */
  async function replyEmpty(res: ServerResponse, status: number, headers: Record<string, string>): Promise<void> {
    const outbound = oneWayDelay();
    if (outbound > 0) await sleep(outbound);
    res.writeHead(status, headers);
    res.end();
  }

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      sendError(res, err instanceof HttpError ? err : new HttpError(500, "internal_error", "internal error"));
    });
  });
  meter.attach(server);
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    server,
    snapshot: () => ({
      payments: store.size,
      createdAt: store.createdAt.slice(0, store.size),
      settledAt: store.settledAt.slice(0, store.size),
      exchanges: { ...meter.snapshot(), [Exchange.events]: stream.snapshot() },
      deliveries: { ...sender.counts },
      deliveryFaults: { ...sender.faultCounts },
      fates: sender.fatesFor(store.size),
      apiErrors: { ...gate.counts },
    }),
    async close() {
      closing.abort();
      stream.close();
      store.stop();
      await sender.close();
      await closeServer(server);
    },
  };
}

function validatePaymentBody(body: unknown): { amount: number; currency: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "invalid_request", "body must be a JSON object");
  const { amount, currency } = body as Record<string, unknown>;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
    throw new HttpError(400, "invalid_request", "amount must be a positive integer (in the currency's smallest unit)", "amount");
  if (typeof currency !== "string" || !/^[a-z]{3}$/.test(currency))
    throw new HttpError(400, "invalid_request", 'currency must be a three-letter lowercase ISO code such as "usd"', "currency");
  return { amount, currency };
}

function validateEndpointBody(body: unknown): URL {
  const url = typeof body === "object" && body !== null ? (body as Record<string, unknown>).url : undefined;
  if (typeof url !== "string") throw new HttpError(400, "invalid_request", "url must be a string such as http://127.0.0.1:4011/webhook", "url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError(400, "invalid_request", "url is not a valid URL", "url");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new HttpError(400, "invalid_request", "url must use http or https", "url");
  return parsed;
}

/** Listens, turning EADDRINUSE and friends into a rejected promise instead of an 'error' event. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Closes a server and every connection it holds, idle keep-alive ones included, so the port is free at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
