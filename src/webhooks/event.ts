import type { PaymentView } from "../api/payment.js";
import type { SignatureFormat } from "../scenario/types.js";

/**
 * The event a delivery carries, as the sender writes it and the receiver reads it. Standard
 * Webhooks: `{"type":"payment.succeeded","timestamp":…,"data":{…the payment…}}`, the event id
 * travelling in the `webhook-id` header. Stripe sends no id header: its event carries its own
 * `"id":"evt_…"` first, and that is what a receiver dedupes on.
 */
export interface WebhookEvent {
  /** The event id; in the body in the Stripe format only. */
  id?: string;
  type: string;
  timestamp: string;
  data: { id: string; status: string; [key: string]: unknown };
}

/** The body of `payment.<status>` for a payment that just changed, in `format`. */
export function eventBody(format: SignatureFormat, eventId: string, payment: PaymentView): string {
  const type = `payment.${payment.status}`;
  if (format === "stripe") return JSON.stringify({ id: eventId, type, timestamp: payment.updated_at, data: payment });
  return JSON.stringify({ type, timestamp: payment.updated_at, data: payment });
}

/**
 * The event in a verified body; null when the body is not JSON or not an event in `format`: a
 * type and a payment's id at least, and in the Stripe format the event's own id.
 */
export function parseEvent(format: SignatureFormat, body: string): WebhookEvent | null {
  let event: WebhookEvent;
  try {
    event = JSON.parse(body) as WebhookEvent;
  } catch {
    return null;
  }
  if (typeof event?.type !== "string" || typeof event.data?.id !== "string") return null;
  if (format === "stripe" && typeof event.id !== "string") return null;
  return event;
}
