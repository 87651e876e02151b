import { DeliveryFate } from "../contract/miss.js";
import type { WebhookFaults } from "../scenario/types.js";
import { attemptDelayMs, attemptFails, downtimeAt, isDuplicated, reorderHoldMs, type PlannedAttempt, type PlannedOutcome } from "../webhooks/fault-plan.js";
import { deliveryMessage } from "./draws.js";

/**
 * How a webhook sender walks its retry schedule, shared by the provider's sender
 * (src/provider/webhooks.ts), the plan the receiver plays in `compare` (src/run/fault-script.ts),
 * the model and the virtual clock. One chain of attempts per event (two when the plan duplicates
 * it): the first leaves `retries[0]` (plus any reorder hold) after settlement; each attempt
 * reaches the endpoint one network delay after it leaves; its answer takes one more delay back;
 * then the sender waits the next entry of the schedule (or longer, if `Retry-After` says so)
 * before the next attempt leaves. Only a 2xx ends a chain well; 410 disables the endpoint where the
 * profile says so (the standard profile; SuccessRule.goneDisables in src/api/profile.ts).
 */

/** What ends a chain, as afterAttempt() returns it (a wait ≥ 0 means: retry after that long). */
export const ChainEnd = { delivered: -1, disabled: -2, exhausted: -3 } as const;

/**
 * After attempt `attempt` was answered `status` (0: no answer, refused or timed out): ChainEnd, or
 * the scenario ms to wait before the next attempt leaves. Each entry of the schedule is the wait
 * after the previous attempt failed (as Svix and the spec describe it); Retry-After may ask longer.
 */
export function afterAttempt(status: number, attempt: number, retriesMs: readonly number[], retryAfterMs: number, goneDisables = true): number {
  if (status >= 200 && status < 300) return ChainEnd.delivered;
  if (status === 410 && goneDisables) return ChainEnd.disabled;
  const next = retriesMs[attempt + 1];
  if (next === undefined) return ChainEnd.exhausted;
  return Math.max(next, retryAfterMs);
}

/** The wait before a chain's first attempt leaves (scenario ms after settlement). */
export function firstAttemptWaitMs(retriesMs: readonly number[], reorderHoldMs: number): number {
  return (retriesMs[0] ?? 0) + reorderHoldMs;
}

/** How the seeded plan has the endpoint answer an attempt arriving `sinceStartMs` after the run's first payment. */
export const PlanAnswer = { refused: 0, outage: 503, failure: 500, accepted: 204 } as const;

/**
 * The plan's answer to attempt `attempt` of chain `chain` for payment `index`: a `refuse` window
 * refuses the connection (no exchange at all), a `503` window answers 503, a drawn failure 500,
 * anything else is accepted.
 */
export function planAnswer(seed: number, faults: WebhookFaults, index: number, chain: number, attempt: number, sinceStartMs: number): number {
  const window = downtimeAt(faults.downtime, sinceStartMs);
  if (window) return window.mode === "refuse" ? PlanAnswer.refused : PlanAnswer.outage;
  return attemptFails(seed, faults, index, chain, attempt) ? PlanAnswer.failure : PlanAnswer.accepted;
}

/** What a walk needs besides the payment: the scenario's seed, faults and schedule, and the network. */
export interface DeliveryRules {
  seed: number;
  faults: WebhookFaults;
  retriesMs: readonly number[];
  /** One-way delay (scenario ms) of payment `index`'s message `message` (see deliveryMessage). */
  oneWay(index: number, message: number): number;
}

/**
 * Walks payment `index`'s delivery chains as the plan has them answered: `visit(chain, attempt,
 * arriveAt, answer)` for every attempt reaching the endpoint by `horizon` (refused ones included,
 * with answer 0). Times are scenario ms on the caller's clock; `runStart` is when downtime windows
 * start counting. Returns the payment's fate by `horizon`: delivered when a chain was, exhausted
 * when a chain ran out, none when the walk was cut short. Allocates nothing.
 */
export function walkDeliveries(
  rules: DeliveryRules,
  index: number,
  settledAt: number,
  runStart: number,
  horizon: number,
  visit: (chain: number, attempt: number, arriveAt: number, answer: number) => void,
): number {
  const { seed, faults, retriesMs } = rules;
  const chains = isDuplicated(seed, faults, index) ? 2 : 1;
  const hold = reorderHoldMs(seed, faults, index);
  let fate: number = DeliveryFate.none;
  for (let chain = 0; chain < chains; chain++) {
    let leave = settledAt + firstAttemptWaitMs(retriesMs, hold);
    for (let attempt = 0; ; attempt++) {
      const arrive = leave + attemptDelayMs(seed, faults, index, chain, attempt) + rules.oneWay(index, deliveryMessage(chain, attempt, 0));
      if (arrive > horizon) break;
      const answer = planAnswer(seed, faults, index, chain, attempt, arrive - runStart);
      visit(chain, attempt, arrive, answer);
      const next = afterAttempt(answer, attempt, retriesMs, 0);
      if (next === ChainEnd.delivered) {
        fate = DeliveryFate.delivered;
        break;
      }
      if (next === ChainEnd.exhausted) {
        if (fate !== DeliveryFate.delivered) fate = DeliveryFate.exhausted;
        break;
      }
      // The failure is known once its answer (or the refused connection's reset) is back.
      leave = arrive + rules.oneWay(index, deliveryMessage(chain, attempt, 1)) + next;
    }
  }
  return fate;
}

/** The plan's answers by name, as tests and traces read them. */
export const OUTCOMES: Record<number, PlannedOutcome> = { [PlanAnswer.refused]: "refused", [PlanAnswer.outage]: "503", [PlanAnswer.failure]: "500", [PlanAnswer.accepted]: "delivered" };

/**
 * The attempts the sender will make for one payment's event, settled at `settledAtMs` (scenario
 * ms from the run's start), with every message taking `oneWayMs` and the run lasting long enough.
 * This is what the seed prescribes: tests compare the run's counts to it, the model predicts from
 * it, and in `compare` the receiver plays its 500s and 503s from it.
 */
export function planDeliveries(seed: number, faults: WebhookFaults, retriesMs: readonly number[], paymentIndex: number, settledAtMs: number, oneWayMs = 0): PlannedAttempt[] {
  const out: PlannedAttempt[] = [];
  const rules: DeliveryRules = { seed, faults, retriesMs, oneWay: () => oneWayMs };
  walkDeliveries(rules, paymentIndex, settledAtMs, 0, Infinity, (chain, attempt, atMs, answer) => out.push({ chain, attempt, atMs, outcome: OUTCOMES[answer]! }));
  return out;
}
