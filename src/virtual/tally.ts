import { LatencyAggregate } from "../contract/latency.js";
import { HeldSpans, loadOf, RequestHistogram } from "../contract/load.js";
import { DeliveryFate, noMisses } from "../contract/miss.js";
import { predict } from "../model/predict.js";
import { endOfRun, inTime, missFor } from "../policy/outcome.js";
import { idOf } from "../api/payment.js";
import type { StrategyName } from "../scenario/types.js";
import type { MissedByReason, PaymentRecord, StrategyResult } from "../contract/result.js";
import type { World } from "./world.js";

/** What one simulated strategy counted, on both sides, as the real run's meters would. */
export class Tally {
  c2pRequests = 0;
  p2cRequests = 0;
  c2pBytes = 0;
  p2cBytes = 0;
  /** Exchanges that brought at least one new outcome in time (see inTime). */
  useful = 0;
  duplicates = 0;
  /** Requests about one payment (polls, deliveries and their retries), by payment. */
  readonly requests: Uint32Array;
  /** Requests about no one payment: the registration, list pages, stream connections. */
  unattributed = 0;
  /** When the consumer learned each outcome (NaN: never, within the run). */
  readonly detectedAt: Float64Array;
  /** Webhook fate per payment (DeliveryFate), for missedByReason; null for strategies without webhooks. */
  fates: Uint8Array | null = null;
  readonly deliveries = { attempted: 0, succeeded: 0, retried: 0 };
  readonly errors = { rateLimited: 0, server: 0, rejected: 0 };
  endedAt = 0;
  /** Every request counted above, by the second of scenario time it arrived in. */
  readonly histogram = new RequestHistogram();
  /** Long polls and streams the provider held open, for `load.connectionsHeld`. */
  readonly held = new HeldSpans();

  constructor(n: number, spare?: Pick<Tally, "detectedAt" | "requests">) {
    this.detectedAt = (spare?.detectedAt ?? new Float64Array(n)).fill(NaN);
    this.requests = spare?.requests.fill(0) ?? new Uint32Array(n);
  }

  /**
   * A tally for one strategy of `world`, on the per-payment arrays of the strategy before it when
   * its result is built (see release): 12 bytes a payment that the next strategy would otherwise
   * allocate while the garbage collector has yet to return the last one's.
   */
  static of(world: World): Tally {
    const spare = world.spareTally;
    world.spareTally = undefined;
    return new Tally(world.n, spare);
  }

  /** Hands the per-payment arrays to the world's next strategy: call once the result is built. */
  release(world: World): void {
    world.spareTally = { detectedAt: this.detectedAt, requests: this.requests };
  }

  /** The run ends when every outcome is known, or at the cutoff: the moment, as the real run decides it. */
  endOfRun(world: World): number {
    return endOfRun(this.detectedAt, world.cutoff);
  }

  /** Forgets detections after the run ended (found by a pass that looked as far as the cutoff). */
  clip(endedAt: number): void {
    for (let i = 0; i < this.detectedAt.length; i++) if (this.detectedAt[i]! > endedAt) this.detectedAt[i] = NaN;
  }

  /** Whether payment i's detection counts: known by the end of the run and within its deadline. */
  inTime(world: World, i: number): boolean {
    const at = this.detectedAt[i]!;
    return at <= this.endedAt && inTime(at, world.createdAt[i]!, world.scenario.deadlineMs);
  }
}

/**
 * The JSON contract for one strategy, with the definitions of run/strategy-run.ts `aggregate()`.
 * One pass in payment order, streaming: the latencies go to the same aggregate as the real run's,
 * and per-payment records are built only for `--details`.
 */
export function strategyResult(world: World, name: StrategyName, tally: Tally, details: boolean): StrategyResult {
  const { n, scenario } = world;
  const latencies = new LatencyAggregate();
  let detected = 0;
  let succeeded = 0;
  let failed = 0;
  const missedByReason: MissedByReason = noMisses();
  const records: PaymentRecord[] = [];
  for (let i = 0; i < n; i++) {
    const at = tally.detectedAt[i]!;
    const known = inTime(at, world.createdAt[i]!, scenario.deadlineMs);
    if (known) {
      latencies.add(Math.max(0, at - world.settleAt[i]!));
      detected++;
      if (world.failed[i]) failed++;
      else succeeded++;
    } else missedByReason[missFor(tally.fates?.[i] ?? DeliveryFate.none, false)]++;
    if (details) records.push(record(world, tally, i, known));
  }
  const total = tally.c2pRequests + tally.p2cRequests;
  return {
    name,
    // The virtual clock has only its own receiver (compare refuses --webhook-url with it).
    receiver: name === "webhook" || name === "hybrid" ? "built-in" : null,
    requests: {
      total,
      consumerToProvider: tally.c2pRequests,
      providerToConsumer: tally.p2cRequests,
      wasted: Math.max(0, total - tally.useful),
      perPayment: n > 0 ? total / n : 0,
      unattributed: tally.unattributed,
      // No free 304s: the virtual clock refuses a profile whose 304s are free with a poller (simulate.ts).
      free: 0,
    },
    bytes: { total: tally.c2pBytes + tally.p2cBytes, consumerToProvider: tally.c2pBytes, providerToConsumer: tally.p2cBytes },
    latencyMs: latencies.summary(),
    payments: { total: n, detected, missed: n - detected, duplicates: tally.duplicates, succeeded, failed, missedByReason },
    deliveries: { ...tally.deliveries },
    errors: { ...tally.errors },
    durationMs: tally.endedAt,
    load: loadOf(tally.histogram, tally.endedAt, tally.held.peak(), details),
    model: predict(scenario, name, world.draws),
    ...(details ? { details: records } : {}),
  };
}

function record(world: World, tally: Tally, i: number, known: boolean): PaymentRecord {
  const settled = world.settleAt[i]! <= tally.endedAt;
  const at = tally.detectedAt[i]!;
  return {
    id: idOf(i),
    status: settled && at === at ? (world.failed[i] ? "failed" : "succeeded") : "pending",
    createdAtMs: world.createdAt[i]!,
    settledAtMs: settled ? world.settleAt[i]! : null,
    detectedAtMs: at === at ? at : null,
    settlementDelayMs: settled ? world.settleAt[i]! - world.createdAt[i]! : null,
    latencyMs: known ? Math.max(0, at - world.settleAt[i]!) : null,
    requests: tally.requests[i]!,
  };
}
