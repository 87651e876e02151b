import { DeliveryFate } from "../contract/miss.js";
import { attemptDelayMs, attemptFails, downtimeAt, isDuplicated, reorderHoldMs } from "../webhooks/fault-plan.js";
import { Tally } from "./tally.js";
import { DELIVERY_FAILED_BYTES, DELIVERY_OK_BYTES, DELIVERY_OUTAGE_BYTES, REGISTER_REQUEST_BYTES, REGISTER_RESPONSE_BYTES, Status, deliveryRequestBytes } from "./wire.js";
import { FIRST_MESSAGE, type World } from "./world.js";

/**
 * Webhooks: at settlement the provider sends; each attempt arrives one network delay after it
 * leaves and is answered at once. Retries follow the schedule, each wait counted from the failed
 * attempt; the seeded fault plan (src/webhooks/fault-plan.ts) decides refusals, 503s, 500s,
 * duplicates and reorder holds. Downtime windows count from the first payment's creation, as the
 * sender's clock does. Payments never share state here (the receiver never answers 410, so the
 * endpoint is never disabled), so each one is walked on its own: twice, once to find when the
 * run ends, once to count what happened by then.
 */
export function simulateWebhook(world: World): Tally {
  const tally = new Tally(world.n);
  tally.fates = new Uint8Array(world.n);
  for (let i = 0; i < world.n; i++) tally.detectedAt[i] = walkWebhook(world, i, world.cutoff, null);
  const endedAt = (tally.endedAt = tally.endOfRun(world));
  countRegistration(tally);
  for (let i = 0; i < world.n; i++) {
    const at = (tally.detectedAt[i] = walkWebhook(world, i, endedAt, tally));
    if (at === at) tally.useful++;
  }
  return tally;
}

/** `POST /webhook-endpoints` before the run: one request the provider counts. */
export function countRegistration(tally: Tally): void {
  tally.c2pRequests += 1;
  tally.histogram.add(0);
  tally.c2pBytes += REGISTER_REQUEST_BYTES;
  tally.p2cBytes += REGISTER_RESPONSE_BYTES;
}

/**
 * Walks payment i's delivery chains up to `horizon`; returns the first delivery's arrival (NaN if
 * none), counting into `tally` (deliveries, duplicates, bytes, the fate) when given.
 */
export function walkWebhook(world: World, i: number, horizon: number, tally: Tally | null): number {
  const { scenario } = world;
  const { seed } = scenario;
  const faults = scenario.faults.webhook;
  const retries = scenario.webhook.retriesMs;
  const s = world.settleAt[i]!;
  const runStart = world.createdAt[0]!;
  const chains = isDuplicated(seed, faults, i) ? 2 : 1;
  const hold = reorderHoldMs(seed, faults, i);
  const status = world.failed[i] ? Status.failed : Status.succeeded;
  let first = NaN;
  let exhausted = false;
  let j = FIRST_MESSAGE;
  for (let chain = 0; chain < chains; chain++) {
    let t = s;
    let gap = (retries[0] ?? 0) + hold;
    for (let attempt = 0; ; attempt++) {
      t += gap + attemptDelayMs(seed, faults, i, chain, attempt) + world.oneWay(i, j++);
      if (t > horizon) break;
      const window = downtimeAt(faults.downtime, t - runStart);
      let delivered = false;
      if (tally) {
        tally.deliveries.attempted++;
        if (attempt > 0) tally.deliveries.retried++;
      }
      if (window?.mode !== "refuse") {
        // A refused connection carries no HTTP exchange; anything else is a request to the receiver.
        // The receiver plays the plan's 503s and 500s once the delivery verified: the request is whole either way.
        const outage = window?.mode === "503";
        const failed = !outage && attemptFails(seed, faults, i, chain, attempt);
        delivered = !outage && !failed;
        if (tally) {
          tally.p2cRequests++;
          tally.histogram.add(t);
          tally.p2cBytes += deliveryRequestBytes(i, status, scenario.webhook.signature);
          tally.c2pBytes += outage ? DELIVERY_OUTAGE_BYTES : failed ? DELIVERY_FAILED_BYTES : DELIVERY_OK_BYTES;
          if (delivered) tally.deliveries.succeeded++;
        }
      }
      if (delivered) {
        // The second chain to arrive carries a webhook-id already seen: acknowledged, counted as a duplicate.
        if (first === first) {
          if (tally) tally.duplicates++;
          first = Math.min(first, t);
        } else first = t;
        break;
      }
      const next = retries[attempt + 1];
      if (next === undefined) {
        exhausted = true;
        break;
      }
      gap = next;
    }
  }
  if (tally) tally.fates![i] = first === first ? DeliveryFate.delivered : exhausted ? DeliveryFate.exhausted : DeliveryFate.none;
  return first;
}
