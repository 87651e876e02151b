import { DeliveryFate } from "../contract/miss.js";
import { PlanAnswer, walkDeliveries, type DeliveryRules } from "../policy/delivery.js";
import { Tally } from "./tally.js";
import { DELIVERY_FAILED_BYTES, DELIVERY_OK_BYTES, DELIVERY_OUTAGE_BYTES, REGISTER_REQUEST_BYTES, REGISTER_RESPONSE_BYTES, Status, deliveryRequestBytes, profileDeliveryRequestBytes } from "./wire.js";
import type { World } from "./world.js";
import type { Profile } from "../api/profile.js";
import { profileNamed } from "../api/profiles.js";

/**
 * Webhooks: the provider's sender as src/policy/delivery.ts walks it (the same decisions the real
 * sender makes): at settlement the provider sends; each attempt reaches the receiver one network
 * delay after it leaves and its answer takes one more back; retries follow the schedule, each wait
 * counted from the failed attempt's answer; the seeded fault plan decides refusals, 503s, 500s,
 * duplicates and reorder holds. Downtime windows count from the first payment's creation, as the
 * sender's clock does. Payments never share state here (the receiver never answers 410, so the
 * endpoint is never disabled), so each one is walked on its own, counting, as far as the cutoff.
 * When the run ends before an attempt the walks saw (a retry or a duplicate after every outcome
 * was known), the payments are walked again, counting only up to the end.
 */
export function simulateWebhook(world: World): Tally {
  const walker = new WebhookWalker(world);
  let tally = walkAll(world, walker, world.cutoff);
  const endedAt = tally.endOfRun(world);
  if (walker.latest > endedAt) tally = walkAll(world, walker, endedAt);
  tally.endedAt = endedAt;
  countRegistration(tally);
  for (let i = 0; i < world.n; i++) if (tally.inTime(world, i)) tally.useful++;
  return tally;
}

function walkAll(world: World, walker: WebhookWalker, horizon: number): Tally {
  const tally = Tally.of(world);
  tally.fates = new Uint8Array(world.n);
  walker.latest = -Infinity;
  for (let i = 0; i < world.n; i++) tally.detectedAt[i] = walker.walk(i, horizon, tally);
  return tally;
}

/** `POST /webhook-endpoints` before the run: one request the provider counts, about no payment. */
export function countRegistration(tally: Tally): void {
  tally.c2pRequests += 1;
  tally.unattributed += 1;
  tally.histogram.add(0);
  tally.c2pBytes += REGISTER_REQUEST_BYTES;
  tally.p2cBytes += REGISTER_RESPONSE_BYTES;
}

/** Walks payments' deliveries with one visitor object, so a million payments allocate no closure each. */
export class WebhookWalker {
  private readonly rules: DeliveryRules;
  private readonly runStart: number;
  private tally: Tally | null = null;
  private index = 0;
  private first = NaN;
  private status: number = Status.succeeded;
  /** A profile other than the standard one, whose deliveries are counted as it writes them. */
  private readonly profile: Profile | undefined;
  /** Per chain, why its last attempt failed, as the sender names it in a profile's retry headers. */
  private readonly lastFailure = ["http_error", "http_error"];
  /** The latest arrival of any attempt walked (set it to −Infinity to start over). */
  latest = -Infinity;

  constructor(private readonly world: World) {
    const { scenario } = world;
    this.profile = scenario.profile !== "standard" ? profileNamed(scenario.profile) : undefined;
    this.rules = { seed: scenario.seed, faults: scenario.faults.webhook, retriesMs: scenario.webhook.retriesMs, oneWay: (i, m) => world.oneWay(i, m) };
    this.runStart = world.createdAt[0] ?? 0;
  }

  /**
   * Walks payment i's delivery chains up to `horizon`; returns the first delivery's arrival (NaN if
   * none), counting into `tally` (deliveries, duplicates, requests, bytes, the fate) when given.
   */
  walk(i: number, horizon: number, tally: Tally | null): number {
    this.tally = tally;
    this.index = i;
    this.first = NaN;
    this.status = this.world.failed[i] ? Status.failed : Status.succeeded;
    const fate = walkDeliveries(this.rules, i, this.world.settleAt[i]!, this.runStart, horizon, this.visit);
    if (tally) tally.fates![i] = fate === DeliveryFate.delivered || this.first === this.first ? DeliveryFate.delivered : fate;
    return this.first;
  }

  private readonly visit = (chain: number, attempt: number, arriveAt: number, answer: number): void => {
    if (arriveAt > this.latest) this.latest = arriveAt;
    const tally = this.tally;
    if (tally) {
      tally.deliveries.attempted++;
      if (attempt > 0) tally.deliveries.retried++;
    }
    // A refused connection carries no HTTP exchange; anything else is a request to the receiver,
    // which plays the plan's 503s and 500s once the delivery verified: the request is whole either way.
    if (answer !== PlanAnswer.refused && tally) {
      const i = this.index;
      tally.p2cRequests++;
      tally.requests[i]!++;
      tally.histogram.add(arriveAt);
      tally.p2cBytes += this.profile
        ? profileDeliveryRequestBytes(this.profile, i, this.status, attempt, this.lastFailure[chain]!)
        : deliveryRequestBytes(i, this.status, this.world.scenario.webhook.signature);
      tally.c2pBytes += answer === PlanAnswer.outage ? DELIVERY_OUTAGE_BYTES : answer === PlanAnswer.failure ? DELIVERY_FAILED_BYTES : DELIVERY_OK_BYTES;
      if (answer === PlanAnswer.accepted) tally.deliveries.succeeded++;
    }
    if (attempt === 0) this.lastFailure[chain] = "http_error";
    if (answer !== PlanAnswer.accepted) this.lastFailure[chain] = answer === PlanAnswer.refused ? "connection_failed" : "http_error";
    if (answer === PlanAnswer.accepted) {
      // The second chain to arrive carries a webhook-id already seen: acknowledged, counted as a duplicate.
      if (this.first === this.first) {
        if (tally) tally.duplicates++;
        this.first = Math.min(this.first, arriveAt);
      } else this.first = arriveAt;
    }
  };
}

/** Payment i's first delivery's arrival by `horizon` (NaN if none), counting into `tally` when given. */
export function walkWebhook(world: World, i: number, horizon: number, tally: Tally | null): number {
  return new WebhookWalker(world).walk(i, horizon, tally);
}
