import { indexOfId } from "../api/payment.js";
import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import type { WebhookEvent } from "../webhooks/event.js";
import { arrivingOutcomes, planDeliveries, scriptsFailures } from "../webhooks/fault-plan.js";

/** What the receiver answers a verified delivery instead of 2xx, or undefined to process it. */
export type DeliveryScript = (event: WebhookEvent) => 500 | 503 | undefined;

/**
 * The receiver's part of the seeded fault plan in `compare`: the 503s of a `503` downtime window
 * and the drawn 500s, played after the delivery verified, so nothing on the wire tells the
 * receiver what to do. The sender only ever decides `refuse` (no exchange happens then).
 *
 * Both sides follow one plan: the k-th delivery of payment i to arrive is answered as the k-th
 * attempt of its plan that reaches the endpoint. Settlements are placed as the provider makes
 * them, `delay` after each creation, counted from the first payment's creation (where downtime
 * windows start), with the scenario's mean one-way delay before each attempt leaves, as the
 * sender adds it. Undefined when the plan scripts no 500 or 503.
 */
export function faultScript(scenario: Scenario): DeliveryScript | undefined {
  const faults = scenario.faults.webhook;
  if (!scriptsFailures(faults)) return undefined;
  const offsets = arrivalOffsets(scenario.payments.arrival, scenario.payments.count, scenario.seed);
  const rule = settlementRule(scenario);
  const oneWayMs = scenario.network.latencyMs + scenario.network.jitterMs / 2;
  const plans = new Map<number, { outcomes: string[]; arrived: number }>();
  return (event) => {
    const i = indexOfId(event.data.id);
    if (!(i >= 0 && i < offsets.length)) return undefined;
    let plan = plans.get(i);
    if (!plan) {
      const settledAtMs = offsets[i]! - offsets[0]! + settlementFor(rule, i).delayMs;
      plan = { outcomes: arrivingOutcomes(planDeliveries(scenario.seed, faults, scenario.webhook.retriesMs, i, settledAtMs, oneWayMs)), arrived: 0 };
      plans.set(i, plan);
    }
    const outcome = plan.outcomes[plan.arrived++];
    return outcome === "503" ? 503 : outcome === "500" ? 500 : undefined;
  };
}
