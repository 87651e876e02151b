import type { PaymentView } from "../api/payment.js";

/**
 * The event a delivery carries, as the sender writes it and the receiver reads it:
 * `{"type":"payment.succeeded","timestamp":…,"data":{…the payment…}}`, the Standard Webhooks
 * payload shape.
 */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: { id: string; status: string; [key: string]: unknown };
}

/** The body of `payment.<status>` for a payment that just changed. */
export function eventBody(payment: PaymentView): string {
  return JSON.stringify({ type: `payment.${payment.status}`, timestamp: payment.updated_at, data: payment });
}

/** The event in a verified body; null when the body is not JSON or not an event (a payment's id and the event's type at least). */
export function parseEvent(body: string): WebhookEvent | null {
  let event: WebhookEvent;
  try {
    event = JSON.parse(body) as WebhookEvent;
  } catch {
    return null;
  }
  if (typeof event?.type !== "string" || typeof event.data?.id !== "string") return null;
  return event;
}
