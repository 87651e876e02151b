import type { Outcome } from "../scenario/plan.js";

/**
 * The payment as the provider's API shows it and its consumers read it: the shape of
 * `GET /payments/:id`, of each entry of a list page, of an SSE event's data and of a webhook
 * event's `data`. Both sides import it from here; neither imports the other.
 */
export type PaymentStatus = "pending" | Outcome;

export interface PaymentView {
  id: string;
  object: "payment";
  amount: number;
  currency: string;
  status: PaymentStatus;
  created_at: string;
  updated_at: string;
  /** What the client attached at creation (`POST /payments` with `metadata`); absent when it attached none. */
  metadata?: Record<string, string>;
}

/** `pay_<n>`: payment ids are derived from the creation order (index 0 is `pay_1`), never stored. */
export function idOf(index: number): string {
  return `pay_${index + 1}`;
}

/**
 * Creation index from an id the provider handed out (`pay_<n>`), for per-payment seeded draws and
 * plans. Not a validator: the provider looks client-supplied ids up with its own checks.
 */
export function indexOfId(id: string): number {
  return Number(id.slice(4)) - 1;
}
