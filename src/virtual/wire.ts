import type { SignatureFormat } from "../scenario/types.js";
import type { PaymentStatus } from "../api/payment.js";
import type { Profile } from "../api/profile.js";
import { deliveryOf, deliveryRequestSize } from "../webhooks/delivery.js";
import { eventIdFor } from "../webhooks/envelopes.js";

/**
 * Bytes on the wire per exchange, as the real run counts them (request line + headers + body as
 * undici sends them; status line + headers + body as node:http answers). Each size is built from
 * the very message text captured on loopback, with the parts that vary replaced by their length:
 *
 * - ports are 5 digits (Linux ephemeral ports are 32768–60999), hosts `127.0.0.1`;
 * - `Date:` and the ISO timestamps have fixed widths; payment ids are `pay_<index+1>`, amounts `1000+index`;
 * - webhook ids are `evt_<n>` with n the payment's own number, timestamps 10 digits, secrets 32 bytes;
 * - a chunked SSE frame costs its hex length line and CRLFs.
 *
 * Within a few bytes per exchange of the measured counts; the agreement test holds them to 10%.
 */

const HOST = "host: 127.0.0.1:00000\r\n";
const KEEP_ALIVE_REQ = "connection: keep-alive\r\n";
const DATE = "Date: Fri, 27 Nov 2026 07:27:08 GMT\r\n";
const KEEP_ALIVE_RES = "Connection: keep-alive\r\nKeep-Alive: timeout=30\r\n";
const ISO = "2026-11-27T07:27:08.741Z";
const JSON_TYPE = "content-type: application/json\r\n";

const len = (s: string): number => Buffer.byteLength(s);

export function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : String(Math.floor(n)).length;
}

export const Status = { pending: 0, succeeded: 1, failed: 2 } as const;
const STATUS_NAMES = ["pending", "succeeded", "failed"];

/** `{"id":"pay_N","object":"payment",…}` for payment `index` with the given status. */
export function paymentViewBytes(index: number, status: number): number {
  return VIEW_BASE + digits(index + 1) + digits(1000 + index) + STATUS_NAMES[status]!.length;
}
const VIEW_BASE = len(`{"id":"pay_","object":"payment","amount":,"currency":"usd","status":"","created_at":"${ISO}","updated_at":"${ISO}"}`);

/** `GET /payments/pay_N[query]`, with `If-None-Match` when `conditional`. */
export function pollRequestBytes(index: number, queryLength: number, conditional: boolean): number {
  return POLL_REQ_BASE + digits(index + 1) + queryLength + (conditional ? IF_NONE_MATCH_BASE + digits(index + 1) : 0);
}
const POLL_REQ_BASE = len(`GET /payments/pay_ HTTP/1.1\r\n${HOST}${KEEP_ALIVE_REQ}\r\n`);
const IF_NONE_MATCH_BASE = len(`if-none-match: ".0"\r\n`);

/** 200 with the payment and its ETag. */
export function pollResponseBytes(index: number, status: number): number {
  const body = paymentViewBytes(index, status);
  return POLL_RES_BASE + digits(body) + digits(index + 1) + body;
}
const POLL_RES_BASE = len(`HTTP/1.1 200 OK\r\n${JSON_TYPE}content-length: \r\netag: ".0"\r\n${DATE}${KEEP_ALIVE_RES}\r\n`);

/** 304 Not Modified: the ETag and no body. */
export function notModifiedBytes(index: number): number {
  return NOT_MODIFIED_BASE + digits(index + 1);
}
const NOT_MODIFIED_BASE = len(`HTTP/1.1 304 Not Modified\r\netag: ".0"\r\n${DATE}${KEEP_ALIVE_RES}\r\n`);

function errorResponse(statusLine: string, body: string, extra = ""): number {
  return len(`HTTP/1.1 ${statusLine}\r\n${JSON_TYPE}content-length: ${len(body)}\r\n${extra}${DATE}${KEEP_ALIVE_RES}\r\n${body}`);
}

/** 429 from the rate limiter, with `retry-after: <seconds>`. */
export function rateLimitedBytes(retryAfterSeconds: number): number {
  const s = String(retryAfterSeconds);
  return errorResponse("429 Too Many Requests", `{"error":{"type":"rate_limited","message":"too many requests; retry after ${s} s"}}`, `retry-after: ${s}\r\n`);
}

/** 500 from the API fault plan. */
export const API_ERROR_BYTES = errorResponse("500 Internal Server Error", `{"error":{"type":"api_error","message":"injected server error (faults.api.errorRate)"}}`);

/** `POST /webhook-endpoints` and its 201 with the secret. */
export const REGISTER_REQUEST_BYTES = len(`POST /webhook-endpoints HTTP/1.1\r\n${HOST}${KEEP_ALIVE_REQ}${JSON_TYPE}content-length: 40\r\n\r\n{"url":"http://127.0.0.1:00000/webhook"}`);
export const REGISTER_RESPONSE_BYTES = len(
  `HTTP/1.1 201 Created\r\n${JSON_TYPE}content-length: 114\r\n${DATE}${KEEP_ALIVE_RES}\r\n{"id":"we_1","url":"http://127.0.0.1:00000/webhook","secret":"whsec_${"x".repeat(44)}"}`,
);

/**
 * A signed delivery of `payment.<status>` for payment `index`, whatever the receiver will answer.
 * The event id `evt_<n>` travels in the `webhook-id` header (Standard Webhooks) or first in the
 * body (Stripe, which sends `Stripe-Signature` and nothing else of its own).
 */
export function deliveryRequestBytes(index: number, status: number, signature: SignatureFormat): number {
  const eventId = digits(index + 1);
  const event = STATUS_NAMES[status]!.length + paymentViewBytes(index, status);
  if (signature === "stripe") {
    const body = STRIPE_BODY_BASE + eventId + event;
    return DELIVERY_REQ_STRIPE + digits(body) + body;
  }
  const body = DELIVERY_BODY_BASE + event;
  return DELIVERY_REQ_STANDARD + eventId + digits(body) + body;
}
const DELIVERY_BODY_BASE = len(`{"type":"payment.","timestamp":"${ISO}","data":}`);
const STRIPE_BODY_BASE = len(`{"id":"evt_","type":"payment.","timestamp":"${ISO}","data":}`);
const DELIVERY_REQ_HEAD = `POST /webhook HTTP/1.1\r\n${HOST}${KEEP_ALIVE_REQ}${JSON_TYPE}`;
const DELIVERY_REQ_STANDARD = len(`${DELIVERY_REQ_HEAD}webhook-id: evt_\r\nwebhook-timestamp: 1795764429\r\nwebhook-signature: v1,${"x".repeat(44)}\r\ncontent-length: \r\n\r\n`);
const DELIVERY_REQ_STRIPE = len(`${DELIVERY_REQ_HEAD}stripe-signature: t=1795764429,v1=${"x".repeat(64)}\r\ncontent-length: \r\n\r\n`);
/**
 * A profile's delivery of payment `index` with `status` (attempt `attempt`, `reason` the failure
 * before it where the profile names one, Slack's `x-slack-retry-reason`), built by the very
 * function the sender calls, so every header and body the profile writes is counted as sent. The
 * parts that vary by payment only vary in width, so sizes are kept per width and status.
 */
export function profileDeliveryRequestBytes(profile: Profile, index: number, status: number, attempt: number, reason: string): number {
  const retry = attempt > 0 && profile.retryHeaders.value !== null;
  const key = `${profile.name} ${digits(index + 1)} ${digits(1000 + index)} ${status} ${retry ? `${digits(attempt)} ${reason}` : ""}`;
  let bytes = PROFILE_SIZES.get(key);
  if (bytes === undefined) {
    const payment = { id: `pay_${index + 1}`, object: "payment" as const, amount: 1000 + index, currency: "usd", status: STATUS_NAMES[status] as PaymentStatus, created_at: ISO, updated_at: ISO };
    const { body, headers } = deliveryOf(profile, {
      secret: `whsec_${"x".repeat(44)}`,
      eventId: eventIdFor(profile.envelope.value, index + 1),
      payment,
      timestamp: 1795764429,
      url: "http://127.0.0.1:00000/webhook",
      retry: retry ? { number: attempt, reason } : undefined,
    });
    bytes = deliveryRequestSize("/webhook", "127.0.0.1:00000", headers, body);
    PROFILE_SIZES.set(key, bytes);
  }
  return bytes;
}
const PROFILE_SIZES = new Map<string, number>();

/** The receiver's 204, or the 500/503 it plays for the fault plan once the delivery verified (`res.end()` adds `Content-Length: 0`). */
export const DELIVERY_OK_BYTES = len(`HTTP/1.1 204 No Content\r\n${DATE}${KEEP_ALIVE_RES}\r\n`);
export const DELIVERY_FAILED_BYTES = len(`HTTP/1.1 500 Internal Server Error\r\n${DATE}${KEEP_ALIVE_RES}Content-Length: 0\r\n\r\n`);
export const DELIVERY_OUTAGE_BYTES = len(`HTTP/1.1 503 Service Unavailable\r\n${DATE}${KEEP_ALIVE_RES}Content-Length: 0\r\n\r\n`);

/** `GET /events` and the stream's head plus its `: connected` frame. */
export const SSE_REQUEST_BYTES = len(`GET /events HTTP/1.1\r\n${HOST}${KEEP_ALIVE_REQ}accept: text/event-stream\r\n\r\n`);
export const SSE_HEAD_BYTES =
  len(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n${DATE}Transfer-Encoding: chunked\r\n\r\n`) + chunk(len(": connected\n\n"));
export const SSE_HEARTBEAT_BYTES = chunk(len(": heartbeat\n\n"));

/** One `id: n / event: payment.<status> / data: {…}` frame, chunked; n is the event's place in the provider's log (its settlement order, from 1). */
export function sseEventBytes(index: number, status: number, eventId: number): number {
  return chunk(SSE_EVENT_BASE + digits(eventId) + STATUS_NAMES[status]!.length + paymentViewBytes(index, status));
}
const SSE_EVENT_BASE = len("id: \nevent: payment.\ndata: \n\n");

function chunk(n: number): number {
  return n.toString(16).length + 2 + n + 2;
}

/** `GET /payments?status=succeeded%2Cfailed&updated_since=…&limit=100[&starting_after=pay_N]` and its page. */
export function listRequestBytes(afterIndex: number): number {
  return LIST_REQ_BASE + (afterIndex >= 0 ? len("&starting_after=pay_") + digits(afterIndex + 1) : 0);
}
const LIST_REQ_BASE = len(`GET /payments?status=succeeded%2Cfailed&updated_since=2026-11-27T07%3A27%3A08.741Z&limit=100 HTTP/1.1\r\n${HOST}${KEEP_ALIVE_REQ}\r\n`);

export function listResponseBytes(viewsBytes: number, views: number, hasMore: boolean): number {
  const body = len(`{"object":"list","url":"/payments","data":[],"has_more":${hasMore}}`) + viewsBytes + Math.max(0, views - 1);
  return len(`HTTP/1.1 200 OK\r\n${JSON_TYPE}content-length: \r\n${DATE}${KEEP_ALIVE_RES}\r\n`) + digits(body) + body;
}
