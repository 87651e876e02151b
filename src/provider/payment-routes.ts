import type { IncomingMessage } from "node:http";
import { parseDuration } from "../scenario/duration.js";
import { HttpError } from "../http/errors.js";
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_WAIT_MS, METADATA_LIMITS } from "../api/limits.js";
import type { PaymentStatus, PaymentView } from "../api/payment.js";
import type { PaymentStore } from "./payments.js";
import { ifNoneMatchOf } from "./http.js";
import type { Waits } from "./waits.js";


const STATUSES: readonly PaymentStatus[] = ["pending", "succeeded", "failed"];

/** Query parameters each read route knows; anything else is a 400 naming it. */
export const READ_QUERY = ["wait"] as const;
export const LIST_QUERY = ["status", "updated_since", "limit", "starting_after"] as const;

/** Stripe's ceiling for an amount in the smallest unit (eight digits). */
export const MAX_AMOUNT = 99_999_999;

/**
 * `POST /payments` takes `amount` and `currency`, and optionally `metadata`. Any other field is
 * refused by name, an `id` above all: the provider assigns ids and never takes one from a client.
 */
export function validatePaymentBody(body: unknown): { amount: number; currency: string; metadata?: Record<string, string> } {
  const fields = objectBody(body, ["amount", "currency", "metadata"]);
  const { amount, currency } = fields;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT)
    throw new HttpError(400, "invalid_request", `amount must be a positive integer up to ${MAX_AMOUNT} (in the currency's smallest unit)`, "amount");
  if (typeof currency !== "string" || !/^[a-z]{3}$/.test(currency))
    throw new HttpError(400, "invalid_request", 'currency must be a three-letter lowercase ISO code such as "usd"', "currency");
  return fields.metadata === undefined ? { amount, currency } : { amount, currency, metadata: validateMetadata(fields.metadata) };
}

/** `metadata`: an object of string values within METADATA_LIMITS; each violation named with the key at fault (cut to 40 characters). */
function validateMetadata(value: unknown): Record<string, string> {
  const { keys, keyChars, valueChars } = METADATA_LIMITS;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpError(400, "invalid_request", `metadata must be an object of string values, such as {"order_id": "6735"}`, "metadata");
  const entries = Object.entries(value);
  if (entries.length > keys) throw new HttpError(400, "invalid_request", `metadata has ${entries.length} keys; expected at most ${keys}`, "metadata");
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    const shown = JSON.stringify(key.slice(0, keyChars));
    if (key.length === 0 || key.length > keyChars) throw new HttpError(400, "invalid_request", `metadata key ${shown} must be 1 to ${keyChars} characters`, "metadata");
    if (typeof v !== "string") throw new HttpError(400, "invalid_request", `metadata[${shown}] must be a string; expected string values, such as "6735"`, `metadata[${key.slice(0, keyChars)}]`);
    if (v.length > valueChars) throw new HttpError(400, "invalid_request", `metadata[${shown}] is ${v.length} characters; expected at most ${valueChars}`, `metadata[${key.slice(0, keyChars)}]`);
    out[key] = v;
  }
  return out;
}

/** `POST /webhook-endpoints` takes exactly `url`, an http(s) URL of at most 2048 characters. */
export function validateEndpointBody(body: unknown): URL {
  const { url } = objectBody(body, ["url"]);
  if (typeof url !== "string") throw new HttpError(400, "invalid_request", "url must be a string such as http://127.0.0.1:4011/webhook", "url");
  if (url.length > 2048) throw new HttpError(400, "invalid_request", "url must be at most 2048 characters", "url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpError(400, "invalid_request", "url is not a valid URL", "url");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new HttpError(400, "invalid_request", "url must use http or https", "url");
  if (parsed.username || parsed.password) throw new HttpError(400, "invalid_request", "url must not carry credentials", "url");
  return parsed;
}

function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "invalid_request", "body must be a JSON object", "body");
  for (const key of Object.keys(body))
    if (!allowed.includes(key)) throw new HttpError(400, "invalid_request", `unknown field "${key.slice(0, 32)}"; expected ${allowed.join(", ")}`, key.slice(0, 32));
  return body as Record<string, unknown>;
}

/**
 * What a read answers: 304 with the ETag the client holds, or 200, whose body and headers are the
 * store's cached answer (PaymentStore.answer), so deciding a plain poll allocates nothing.
 */
export type ReadAnswer = { status: 200 } | { status: 304; etag: string };

const FRESH: ReadAnswer = { status: 200 };

/**
 * `GET /payments/:id[?wait=<duration>]`, honouring `If-None-Match`. With `wait`, a pending payment
 * (or one whose ETag still matches) is held until it changes or the wait ends, capped at MAX_WAIT_MS.
 * Answers synchronously unless it holds: a plain poll (`query` null: the target had none) costs no
 * promise and no URL.
 */
export function readPayment(store: PaymentStore, index: number, query: URLSearchParams | null, req: IncomingMessage, speed: number, waits: Waits): ReadAnswer | Promise<ReadAnswer> {
  const waitMs = query ? parseWait(query.get("wait")) : 0;
  const ifNoneMatch = ifNoneMatchOf(req);
  if (waitMs > 0 && unchanged(store, index, ifNoneMatch)) return holdThenRead(store, index, ifNoneMatch, waitMs / speed, req, waits);
  return readNow(store, index, ifNoneMatch);
}

/** What a long poll waits to change: the version the client holds, or else a pending status. */
function unchanged(store: PaymentStore, index: number, ifNoneMatch: string | undefined): boolean {
  return ifNoneMatch !== undefined ? etagMatches(ifNoneMatch, store.etagOf(index)) : store.statusOf(index) === "pending";
}

function readNow(store: PaymentStore, index: number, ifNoneMatch: string | undefined): ReadAnswer {
  if (ifNoneMatch === undefined) return FRESH;
  const etag = store.etagOf(index);
  return etagMatches(ifNoneMatch, etag) ? { status: 304, etag } : FRESH;
}

/** Holds a long poll until the payment changes, the wait ends, the client goes or the provider closes. */
async function holdThenRead(store: PaymentStore, index: number, ifNoneMatch: string | undefined, wallMs: number, req: IncomingMessage, waits: Waits): Promise<ReadAnswer> {
  const held = waits.start(wallMs, req.socket);
  await Promise.race([store.whenChanged(index), held.done]);
  held.cancel();
  return readNow(store, index, ifNoneMatch);
}

function parseWait(raw: string | null): number {
  if (raw === null) return 0;
  let ms: number;
  try {
    // A bare number is seconds, as Telegram's `timeout` is.
    ms = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) * 1000 : parseDuration(raw);
  } catch {
    throw new HttpError(400, "invalid_request", `wait "${raw.slice(0, 32)}" is not a duration; expected seconds or a duration such as 30s or 500ms, at most 60s`, "wait");
  }
  return Math.min(ms, MAX_WAIT_MS);
}

/** RFC 9110 §13.1.2: `*` or a list of entity tags, compared weakly. */
export function etagMatches(condition: string, etag: string): boolean {
  if (condition.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return condition.split(",").some((tag) => tag.trim().replace(/^W\//, "") === bare);
}

/**
 * `GET /payments?status=a,b&updated_since=<ISO>&limit=&starting_after=<id>`: payments in creation
 * order (ids ascending, so `starting_after` is a stable cursor), for reconciliation.
 */
export function listPayments(store: PaymentStore, q: URLSearchParams): { object: "list"; url: "/payments"; data: PaymentView[]; has_more: boolean } {
  const statuses = q.has("status") ? parseStatuses(q.get("status")!) : null;
  const since = q.has("updated_since") ? parseSince(q.get("updated_since")!) : -Infinity;
  const limit = q.has("limit") ? parseLimit(q.get("limit")!) : DEFAULT_LIST_LIMIT;
  let from = 0;
  if (q.has("starting_after")) {
    const after = store.indexOf(q.get("starting_after")!);
    if (after < 0) throw new HttpError(400, "invalid_request", `starting_after "${q.get("starting_after")!.slice(0, 32)}" is not a payment id`, "starting_after");
    from = after + 1;
  }
  const data: PaymentView[] = [];
  for (let index = from; index < store.size; index++) {
    if (statuses && !statuses.has(store.statusOf(index))) continue;
    if (store.updatedWallOf(index) < since) continue;
    if (data.length === limit) return { object: "list", url: "/payments", data, has_more: true };
    data.push(store.view(index));
  }
  return { object: "list", url: "/payments", data, has_more: false };
}

function parseStatuses(raw: string): Set<PaymentStatus> {
  const names = raw.split(",").map((s) => s.trim());
  for (const name of names)
    if (!(STATUSES as readonly string[]).includes(name))
      throw new HttpError(400, "invalid_request", `status "${name.slice(0, 32)}" is not a payment status; expected ${STATUSES.join(", ")} (comma-separated for several)`, "status");
  return new Set(names as PaymentStatus[]);
}

function parseSince(raw: string): number {
  const ms = /^\d{4}-\d\d-\d\dT/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new HttpError(400, "invalid_request", `updated_since "${raw.slice(0, 40)}" is not an ISO 8601 time such as 2025-01-31T12:00:00.000Z`, "updated_since");
  return ms;
}

function parseLimit(raw: string): number {
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIST_LIMIT)
    throw new HttpError(400, "invalid_request", `limit "${raw.slice(0, 16)}" must be an integer from 1 to ${MAX_LIST_LIMIT}`, "limit");
  return Number(raw);
}
