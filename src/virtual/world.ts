import { arrivalOffsets, settlementFor, settlementRule } from "../scenario/plan.js";
import { Stream } from "../scenario/random.js";
import type { Scenario } from "../scenario/types.js";

export interface SimulateOptions {
  /**
   * Provider time per exchange (scenario ms) between a request's arrival and its answer. Default 0:
   * the simulation leaves out the real run's machine overhead (about 0.1–1 ms per exchange on
   * loopback), which is what it is for; set it to see how a slow provider shifts the figures.
   */
  serviceMs?: number;
  /** `auto` uses per-payment closed forms where they hold; `events` forces the event queue (for tests). */
  engine?: "auto" | "events";
  /** Build per-payment records, as `--details` does. */
  details?: boolean;
}

/** 32-bit mix (splitmix32 / MurmurHash3 finalizer), as scenario/random.ts uses. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * What every strategy of one scenario shares: when each payment is created and settles, and the
 * network between shop and provider. Times are scenario ms from the start of the strategy's run.
 *
 * The causal chain mirrors the real run: `POST /payments` leaves at the arrival offset, the
 * provider creates the payment one network delay later, and the shop learns its id one more delay
 * after that (the anchor of a poller's schedule).
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
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly serviceMs: number;
  private readonly jitterKey: number;

  constructor(
    readonly scenario: Scenario,
    options: SimulateOptions = {},
  ) {
    const n = (this.n = scenario.payments.count);
    this.latencyMs = scenario.network.latencyMs;
    this.jitterMs = scenario.network.jitterMs;
    this.serviceMs = options.serviceMs ?? 0;
    this.jitterKey = mix32(mix32(scenario.seed >>> 0) ^ Math.imul(Stream.networkJitter, 0x9e3779b1));
    const offsets = arrivalOffsets(scenario.payments.arrival, n, scenario.seed);
    const rule = settlementRule(scenario);
    this.createdAt = new Float64Array(n);
    this.anchor = new Float64Array(n);
    this.settleAt = new Float64Array(n);
    this.failed = new Uint8Array(n);
    let lastAnchor = 0;
    for (let i = 0; i < n; i++) {
      const created = offsets[i]! + this.oneWay(i, 0);
      const { delayMs, outcome } = settlementFor(rule, i);
      this.createdAt[i] = created;
      this.settleAt[i] = created + delayMs;
      this.failed[i] = outcome === "failed" ? 1 : 0;
      const anchor = (this.anchor[i] = created + this.oneWay(i, 1));
      if (anchor > lastAnchor) lastAnchor = anchor;
    }
    this.lastAnchor = lastAnchor;
    this.cutoff = lastAnchor + scenario.deadlineMs;
  }

  /** True when every one-way delay is the same, so per-payment closed forms apply. */
  get constantDelay(): boolean {
    return this.jitterMs === 0;
  }

  /**
   * One-way delay of payment i's j-th message (j = 0, 1 are its creation; strategies go on from
   * FIRST_MESSAGE). latency + jitter·U, U drawn from (seed, networkJitter, i, j): mean latency +
   * jitter/2, as the provider draws it. Keyed by message rather than drawn in arrival order, so
   * the closed forms and the event queue see the same delays.
   */
  oneWay(i: number, j: number): number {
    if (this.jitterMs === 0) return this.latencyMs;
    const u = mix32(this.jitterKey ^ mix32(Math.imul(i, 0x9e3779b1) ^ mix32(j + 0x632be5ab))) / 4294967296;
    return this.latencyMs + this.jitterMs * u;
  }
}

export const FIRST_MESSAGE = 2;
