/**
 * Webhook receivers for `apiwh probe` to grade, on 127.0.0.1 port 0 in the test process: correct
 * ones built on the independent `standardwebhooks` and `stripe` packages, and broken ones, each
 * broken in one way.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export interface TestReceiver {
  /** The delivery URL (`/webhooks`). */
  url: string;
  /** The observe endpoint (`/observe`), for those that have one. */
  observeUrl: string;
  /** Requests received on the delivery path, observe queries excluded. */
  deliveries(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/**
 * Serves `handler` with the body read whole (unless `raw` handles the request before reading),
 * and counts deliveries. Timers a handler starts are cleared on close.
 */
export async function serve(handler: Handler, raw?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<TestReceiver & { timers: Set<NodeJS.Timeout> }> {
  let deliveries = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer({ keepAliveTimeout: 200 }, (req, res) => {
    if (!req.url?.startsWith("/observe")) deliveries++;
    if (raw?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/webhooks`,
    observeUrl: `${base}/observe`,
    deliveries: () => deliveries,
    timers,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const MAX_BODY = 1024 * 1024;

/** Refuses a wrong content type (415) and a body over 1 MiB (413, without reading it); true when it answered. */
function guard(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url?.startsWith("/observe")) return false;
  if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) return void res.writeHead(415).end(), true;
  if (Number(req.headers["content-length"]) > MAX_BODY) return void res.writeHead(413, { connection: "close" }).end(), true;
  return false;
}

export interface StandardOptions {
  /** What a repeated `webhook-id` gets: acknowledged and skipped (right), 500, or processed again. */
  duplicate?: "skip" | "500" | "reprocess";
  /** Whether an older event may overwrite newer state. */
  order?: "keep-newer" | "last-wins";
  /** Parse the body before verifying it, answering 500 when it is not JSON. */
  parseFirst?: boolean;
}

/** A receiver on `standardwebhooks`, right unless told otherwise, with the `--observe` endpoint. */
export function standardReceiver(secret: string, o: StandardOptions = {}) {
  const webhook = new Webhook(secret);
  const processed = new Map<string, { times: number; payment: string }>();
  const payments = new Map<string, { status: string; time: number }>();
  return serve((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/observe") {
      const seen = processed.get(url.searchParams.get("id") ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ processed: seen?.times ?? 0, status: (seen && payments.get(seen.payment)?.status) ?? null }));
    }
    if (o.parseFirst) {
      try {
        JSON.parse(body.toString("utf8"));
      } catch {
        return void res.writeHead(500).end();
      }
    }
    let event: { type: string; timestamp: string; data: { id: string; status: string } };
    try {
      event = webhook.verify(body.toString("utf8"), req.headers as Record<string, string>) as typeof event;
    } catch (err) {
      return void res.writeHead(err instanceof WebhookVerificationError ? 401 : 400).end();
    }
    const id = String(req.headers["webhook-id"]);
    const seen = processed.get(id);
    if (seen && o.duplicate === "500") return void res.writeHead(500).end();
    if (seen && o.duplicate !== "reprocess") return void res.writeHead(204).end();
    processed.set(id, { times: (seen?.times ?? 0) + 1, payment: event.data.id });
    const time = Date.parse(event.timestamp);
    const known = payments.get(event.data.id);
    if (o.order === "last-wins" || !known || known.time <= time) payments.set(event.data.id, { status: event.data.status, time });
    res.writeHead(204).end();
  }, guard);
}

/** A Stripe-format receiver: `stripe.webhooks.constructEvent` over the raw body, the event's `id` deduplicated. */
export function stripeReceiver(secret: string) {
  const stripe = new Stripe("sk_test_apiwh_probe");
  const seen = new Set<string>();
  return serve((req, res, body) => {
    let event: { id: string };
    try {
      event = stripe.webhooks.constructEvent(body, String(req.headers["stripe-signature"] ?? ""), secret) as unknown as { id: string };
    } catch (err) {
      return void res.writeHead(err instanceof Stripe.errors.StripeSignatureVerificationError ? 401 : 400).end();
    }
    seen.add(event.id);
    res.writeHead(204).end();
  }, guard);
}

/** Verifies nothing: every request gets 200. */
export function acceptEverything() {
  return serve((_req, res) => void res.writeHead(200).end());
}

/** Answers 204 after `ms`; past the probe's timeout, it hangs as far as the probe can tell. */
export function sleepyReceiver(ms: number) {
  let timers: Set<NodeJS.Timeout>;
  const receiver = serve((_req, res) => {
    const t = setTimeout(() => (timers.delete(t), res.writeHead(204).end()), ms);
    timers.add(t);
  });
  return receiver.then((r) => ((timers = r.timers), r));
}

/** Reads any body whole, and answers 500 to one over 1 MiB (204 otherwise). */
export function readsWholeBody() {
  return serve((_req, res, body) => void res.writeHead(body.length > MAX_BODY ? 500 : 204).end());
}

/** Closes the connection on a declared body over 1 MiB without answering; 204 otherwise. */
export function closesOnLargeBody() {
  return serve(
    (_req, res) => void res.writeHead(204).end(),
    (req) => (Number(req.headers["content-length"]) > MAX_BODY ? (req.socket.destroy(), true) : false),
  );
}

/** Throttles the first delivery with `status` (and `retryAfter`, if given), then answers 204. */
export function throttleFirst(status: number, retryAfter?: string) {
  let first = true;
  return serve((_req, res) => {
    if (first) {
      first = false;
      return void res.writeHead(status, retryAfter !== undefined ? { "retry-after": retryAfter } : {}).end();
    }
    res.writeHead(204).end();
  });
}
