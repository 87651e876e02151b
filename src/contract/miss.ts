import type { MissedByReason } from "./result.js";

/**
 * What became of a payment's webhook, per payment index: the provider's sender records it, the
 * virtual clock's replay of the sender too, and a payment the consumer never learned is counted
 * missed for the reason its fate names.
 */
export const DeliveryFate = { none: 0, delivered: 1, exhausted: 2, disabled: 3 } as const;
export type DeliveryFate = (typeof DeliveryFate)[keyof typeof DeliveryFate];

/** Every reason at zero, in the contract's order. */
export function noMisses(): MissedByReason {
  return { "retries-exhausted": 0, deadline: 0, "endpoint-disabled": 0, interrupted: 0 };
}

/**
 * Why a payment whose outcome the consumer did not learn in time was missed: its webhook's
 * schedule ran out, or its endpoint was disabled (410); anything else (no webhook, one still
 * retrying, a poller that had not asked again yet) is the deadline's doing.
 */
export function missReason(fate: number): keyof MissedByReason {
  if (fate === DeliveryFate.exhausted) return "retries-exhausted";
  if (fate === DeliveryFate.disabled) return "endpoint-disabled";
  return "deadline";
}
