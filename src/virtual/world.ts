import { PaymentDraws } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import { FIRST_MESSAGE, NetworkDelays } from "../policy/draws.js";
import { LOOPBACK_ROUND_TRIP_MS } from "../policy/machine.js";
import { orderBy } from "../util/order.js";

export { FIRST_MESSAGE };

export interface SimulateOptions {
  /**
   * Provider time per exchange (scenario ms) between a request's arrival and its answer. Default 0;
   * set it to see how a slow provider shifts the figures.
   */
  serviceMs?: number;
  /**
   * The machine's own round trip (ms) the simulation adds to every exchange, half each way, on top
   * of the scenario's network. Default LOOPBACK_ROUND_TRIP_MS, measured on loopback; 0 leaves the
   * machine out entirely (the model's world).
   */
  machineRoundTripMs?: number;
  /** `auto` uses per-payment closed forms where they hold; `events` forces the event queue (for tests). */
  engine?: "auto" | "events";
  /** Build per-payment records, as `--details` does. */
  details?: boolean;
}

/**
 * What every strategy of one scenario shares: when each payment is created and settles, and the
 * network between shop and provider. Times are scenario ms from the start of the strategy's run.
 *
 * The causal chain mirrors the real run: `POST /payments` leaves at the arrival offset, the
 * provider creates the payment one network delay later, and the shop learns its id one more delay
 * after that (the anchor of a poller's schedule). Every message's delay is the scenario's network,
 * drawn per message exactly as the real provider draws it (src/policy/draws.ts), plus half the
 * machine's round trip: the real run's loopback is never free, and a zero round trip would put a
 * retry after a one-second Retry-After exactly on the next one-second poll slot, which no real
 * poller can hit.
 */
export class World {
  readonly n: number;
  readonly createdAt: Float64Array;
  readonly anchor: Float64Array;
  readonly settleAt: Float64Array;
  readonly failed: Uint8Array;
  /** The shop has every 201 back; the run waits at most a deadline past this. */
  readonly lastAnchor: number;
  /** The latest moment the run can end: the last creation's answer plus the deadline. */
  readonly cutoff: number;
  /** The constant part of every one-way delay: the scenario's latency plus half the machine's round trip. */
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly serviceMs: number;
  readonly machineRoundTripMs: number;
  readonly network: NetworkDelays;
  /** The scenario's per-payment draws, shared with each strategy's model (src/model/predict.ts). */
  readonly draws: PaymentDraws;
  private readonly machineOneWay: number;

  constructor(
    readonly scenario: Scenario,
    options: SimulateOptions = {},
  ) {
    const n = (this.n = scenario.payments.count);
    this.network = new NetworkDelays(scenario.seed, scenario.network.latencyMs, scenario.network.jitterMs);
    this.machineRoundTripMs = options.machineRoundTripMs ?? LOOPBACK_ROUND_TRIP_MS;
    this.machineOneWay = this.machineRoundTripMs / 2;
    this.latencyMs = scenario.network.latencyMs + this.machineOneWay;
    this.jitterMs = scenario.network.jitterMs;
    this.serviceMs = options.serviceMs ?? 0;
    const draws = (this.draws = new PaymentDraws(scenario));
    const offsets = draws.offsets;
    this.createdAt = new Float64Array(n);
    this.anchor = new Float64Array(n);
    this.settleAt = new Float64Array(n);
    this.failed = draws.failed;
    // The k-th creation request to reach the provider draws message 0 of key k; the provider numbers
    // payments in the order their creation completes, which jitter can change: sort then.
    for (let k = 0; k < n; k++) this.createdAt[k] = offsets[k]! + this.oneWay(k, 0);
    if (this.jitterMs > 0) this.createdAt.sort();
    let lastAnchor = 0;
    for (let i = 0; i < n; i++) {
      const created = this.createdAt[i]!;
      this.settleAt[i] = created + draws.delayMs[i]!;
      const anchor = (this.anchor[i] = created + this.oneWay(i, 1));
      if (anchor > lastAnchor) lastAnchor = anchor;
    }
    this.lastAnchor = lastAnchor;
    this.cutoff = lastAnchor + scenario.deadlineMs;
  }

  /** Payment indices by settlement time, ties by index: sorted once, for every strategy that walks them so (streams, reconciliation). */
  settlementOrder(): Uint32Array {
    return (this.bySettlement ??= orderBy(this.settleAt));
  }

  private bySettlement: Uint32Array | undefined;

  /** The per-payment arrays of a strategy whose result is built, for the next (see Tally.of). */
  spareTally: { detectedAt: Float64Array; requests: Uint32Array } | undefined;

  /** True when every one-way delay is the same, so per-payment closed forms apply. */
  get constantDelay(): boolean {
    return this.jitterMs === 0;
  }

  /** One-way delay of message j about subject i (a payment, or a SharedKey plus an ordinal): see src/policy/draws.ts. */
  oneWay(i: number, j: number): number {
    return this.network.oneWay(i, j) + this.machineOneWay;
  }
}
