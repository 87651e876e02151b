/**
 * A payment event in each provider's envelope (EnvelopeSpec in src/api/profile.ts): the body the
 * sender writes with the headers that name the event, and the parser a receiver reads them back
 * with. Where the provider has a payment event the body uses its names (Stripe's
 * `payment_intent.succeeded` with `data.object`, Square's `payment.updated`, Shopify's
 * `orders/paid`); elsewhere it is our payment in the provider's delivery format.
 *
 * Whatever the envelope, a parsed event is one shape: the id a receiver dedupes on, the wire's
 * event type, when the payment last changed, and our payment's id and status.
 */
import type { PaymentStatus, PaymentView } from "../api/payment.js";
import type { EnvelopeKind, EnvelopeSpec, WireEvent } from "../api/profile.js";
import { eventBody, type WebhookEvent } from "./event.js";
import { first } from "./headers.js";
import type { HeaderBag } from "./schemes.js";

/** A parsed delivery, in any envelope. `timestamp` is ISO 8601 (whole seconds where the envelope says no more: Stripe's `created`). */
export interface ProfileEvent extends WebhookEvent {
  id: string;
  data: { id: string; status: PaymentStatus };
}

/**
 * The event id of the `seq`-th event, in the form its envelope uses: a GUID for GitHub's
 * `X-GitHub-Delivery` (v4-shaped, its last group the sequence number, so a run stays repeatable),
 * `evt_<seq>` elsewhere, as apiwh's provider has always numbered them.
 */
export function eventIdFor(spec: EnvelopeSpec, seq: number): string {
  return spec.kind === "github" ? `00000000-0000-4000-8000-${seq.toString(16).padStart(12, "0")}` : `evt_${seq}`;
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Digits after the point in `currency` (JPY 0, USD 2), as ICU knows them; 2 for a code it does not. */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Shopify writes money as a decimal string in major units: 1000 (smallest unit of usd) → "10.00". */
function majorUnits(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === "string" && v !== "";

interface Codec {
  /** The body object and the headers that name the event, besides the id header. */
  build(eventId: string, payment: PaymentView, wire: WireEvent): { body: Json; headers?: Record<string, string> };
  /** From the parsed body and the headers: the wire's type and status word, the payment's id and when it changed. */
  read(body: Json, headers: HeaderBag, spec: EnvelopeSpec): { type?: unknown; status?: unknown; paymentId?: unknown; timestamp?: unknown } | null;
}

const CODECS: Record<EnvelopeKind, Codec> = {
  "standard-webhooks": {
    // Built by event.ts's eventBody, so the standard profile sends today's bytes.
    build: (eventId, payment) => ({ body: JSON.parse(eventBody("standard-webhooks", eventId, payment)) as Json }),
    read: (b) => (isObject(b.data) ? { type: b.type, status: b.data.status, paymentId: b.data.id, timestamp: b.timestamp } : null),
  },
  "stripe-event": {
    build: (eventId, p, wire) => ({
      body: {
        id: eventId,
        object: "event",
        type: wire.type,
        created: unix(p.updated_at),
        data: { object: { id: p.id, object: "payment_intent", amount: p.amount, currency: p.currency, status: wire.status, created: unix(p.created_at), ...(p.metadata ? { metadata: p.metadata } : {}) } },
      },
    }),
    read(b) {
      const object = isObject(b.data) && isObject(b.data.object) ? b.data.object : null;
      if (!object || b.object !== "event" || typeof b.created !== "number") return null;
      return { type: b.type, status: object.status, paymentId: object.id, timestamp: new Date(b.created * 1000).toISOString() };
    },
  },
  github: {
    build: (_id, payment, wire) => ({ body: { action: wire.status, payment }, headers: { "x-github-event": wire.type } }),
    read: (b, h, spec) =>
      isObject(b.payment) ? { type: first(h[spec.typeHeader!]), status: b.action, paymentId: b.payment.id, timestamp: b.payment.updated_at } : null,
  },
  "shopify-order": {
    build: (_id, p, wire) => ({
      body: { id: p.id, financial_status: wire.status, total_price: majorUnits(p.amount, p.currency), currency: p.currency.toUpperCase(), created_at: p.created_at, updated_at: p.updated_at },
      headers: { "x-shopify-topic": wire.type },
    }),
    read: (b, h, spec) => ({ type: first(h[spec.typeHeader!]), status: b.financial_status, paymentId: b.id, timestamp: b.updated_at }),
  },
  "slack-event-callback": {
    build: (eventId, payment, wire) => ({ body: { type: "event_callback", event_id: eventId, event_time: unix(payment.updated_at), event: { type: wire.type, payment } } }),
    read(b) {
      if (b.type !== "event_callback" || !isObject(b.event) || !isObject(b.event.payment)) return null;
      const payment = b.event.payment;
      return { type: b.event.type, status: payment.status, paymentId: payment.id, timestamp: payment.updated_at };
    },
  },
  "square-event": {
    build: (eventId, p, wire) => ({
      body: {
        type: wire.type,
        event_id: eventId,
        created_at: p.updated_at,
        data: {
          type: "payment",
          id: p.id,
          object: { payment: { id: p.id, amount_money: { amount: p.amount, currency: p.currency.toUpperCase() }, status: wire.status, created_at: p.created_at, updated_at: p.updated_at } },
        },
      },
    }),
    read(b) {
      const payment = isObject(b.data) && isObject(b.data.object) && isObject(b.data.object.payment) ? b.data.object.payment : null;
      return payment ? { type: b.type, status: payment.status, paymentId: payment.id, timestamp: b.created_at } : null;
    },
  },
};

/** The body of the event for `payment` in `spec`'s envelope, and its headers: the id header where the id travels in one, and the type header. */
export function envelopeOf(spec: EnvelopeSpec, eventId: string, payment: PaymentView): { body: string; headers: Record<string, string> } {
  const { body, headers } = CODECS[spec.kind].build(eventId, payment, spec.events[payment.status]);
  const id = "header" in spec.eventId ? { [spec.eventId.header]: eventId } : {};
  return { body: JSON.stringify(body), headers: { ...headers, ...id } };
}

/**
 * The event in a verified body and its headers; null when it is not an event of `spec`'s
 * envelope: not JSON, no id where the envelope keeps it, or an event type and status word that
 * name none of our payment's statuses.
 */
export function parseEnvelope(spec: EnvelopeSpec, headers: HeaderBag, body: string): ProfileEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const id = "header" in spec.eventId ? first(headers[spec.eventId.header]) : parsed[spec.eventId.field];
  const read = CODECS[spec.kind].read(parsed, headers, spec);
  if (!read || !text(id) || !text(read.type) || !text(read.paymentId) || !text(read.timestamp) || Number.isNaN(Date.parse(read.timestamp))) return null;
  const status = (Object.keys(spec.events) as PaymentStatus[]).find((s) => spec.events[s].type === read.type && spec.events[s].status === read.status);
  if (!status) return null;
  return { id, type: read.type, timestamp: read.timestamp, data: { id: read.paymentId, status } };
}
