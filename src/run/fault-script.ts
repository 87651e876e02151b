import { indexOfId } from "../api/payment.js";
import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import type { WebhookEvent } from "../webhooks/event.js";
import { arrivingOutcomes, scriptsFailures, type PlannedAttempt } from "../webhooks/fault-plan.js";
import { NetworkDelays } from "../policy/draws.js";
import { OUTCOMES, walkDeliveries } from "../policy/delivery.js";

/** What the receiver answers a verified delivery instead of 2xx, or undefined to process it. */
export type DeliveryScript = (event: WebhookEvent) => 500 | 503 | undefined;

/**
 * The receiver's part of the seeded fault plan in `compare`: the 503s of a `503` downtime window
 * and the drawn 500s, played after the delivery verified, so nothing on the wire tells the
 * receiver what to do. The sender only ever decides `refuse` (no exchange happens then).
 *
 * Both sides follow one plan: the k-th delivery of payment i to arrive is answered as the k-th
 * attempt of its plan that reaches the endpoint. The plan is walked as the sender walks it
 * (src/policy/delivery.ts), each message delayed by the scenario's network as the provider draws
 * it; settlements are placed `delay` after each creation, counted from the first payment's
 * creation (where downtime windows start). Undefined when the plan scripts no 500 or 503.
 */
export function faultScript(scenario: Scenario): DeliveryScript | undefined {
  const faults = scenario.faults.webhook;
  if (!scriptsFailures(faults)) return undefined;
  const offsets = arrivalOffsets(scenario.payments.arrival, scenario.payments.count, scenario.seed);
  const rule = settlementRule(scenario);
  const network = new NetworkDelays(scenario.seed, scenario.network.latencyMs, scenario.network.jitterMs);
  const rules = { seed: scenario.seed, faults, retriesMs: scenario.webhook.retriesMs, oneWay: (i: number, m: number) => network.oneWay(i, m) };
  const createdAt = (i: number) => offsets[i]! + network.oneWay(i, 0);
  const plans = new Map<number, { outcomes: string[]; arrived: number }>();
  return (event) => {
    const i = indexOfId(event.data.id);
    if (!(i >= 0 && i < offsets.length)) return undefined;
    let plan = plans.get(i);
    if (!plan) {
      const attempts: PlannedAttempt[] = [];
      walkDeliveries(rules, i, createdAt(i) + settlementFor(rule, i).delayMs, createdAt(0), Infinity, (chain, attempt, atMs, answer) =>
        attempts.push({ chain, attempt, atMs, outcome: OUTCOMES[answer]! }),
      );
      plan = { outcomes: arrivingOutcomes(attempts), arrived: 0 };
      plans.set(i, plan);
    }
    const outcome = plan.outcomes[plan.arrived++];
    return outcome === "503" ? 503 : outcome === "500" ? 500 : undefined;
  };
}
