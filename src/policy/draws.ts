import { mix32, Rng, Stream } from "../scenario/random.js";

/**
 * Draws keyed by (seed, stream, a, b) rather than taken in turn from a generator: both engines
 * compute the same value for the same message or step without sharing state and in any order, and
 * the virtual clock gets its draw in O(1) where a generator would have to be replayed.
 */
export class KeyedDraws {
  private readonly key: number;

  constructor(seed: number, stream: number) {
    this.key = mix32(mix32(seed >>> 0) ^ Math.imul(stream, 0x9e3779b1));
  }

  /** Uniform in [0, 1) for (a, b). */
  unit(a: number, b: number): number {
    return this.hash(a, b) / 4294967296;
  }

  /** A generator of its own for (a, b), where one draw is not enough (a distribution's sample). */
  rng(a: number, b: number): Rng {
    return new Rng(this.hash(a, b));
  }

  private hash(a: number, b: number): number {
    return mix32(this.key ^ mix32(Math.imul(a, 0x9e3779b1) ^ mix32(b + 0x632be5ab)));
  }
}

/**
 * Message numbers: every message that concerns payment i is numbered, so its network delay is
 * drawn from (seed, i, message) alike on both clocks. 0 and 1 are its creation (`POST /payments`
 * and the 201); requests about it then take 2, 4, 6… in the order the consumer sends them, each
 * answer the number after its request. Deliveries and stream events number apart (below), since
 * they do not take turns with the payment's requests.
 */
export const FIRST_MESSAGE = 2;

/** Delivery attempt `attempt` of chain `chain` (0, or 1 for a seeded duplicate): the request, then its answer (`back` 1). */
export function deliveryMessage(chain: number, attempt: number, back: 0 | 1): number {
  return 0x100000 + 2 * (chain * 4096 + attempt) + back;
}

/** The event of payment i on the stream's `connection`-th connection (a replay travels again). */
export function streamEventMessage(connection: number): number {
  return 0x200000 + connection;
}

/**
 * Exchanges that concern no one payment draw their delays under a key of their own, beyond every
 * payment index (at most 10,000,000): the p-th list page, the c-th stream connection, the registration.
 * Each is a request (message 0) and its answer (message 1).
 */
export const SharedKey = { listPage: 0x4000_0000, stream: 0x5000_0000, register: 0x6000_0000, unknown: 0x7000_0000 } as const;

/**
 * The scenario's network: each message of every exchange pays latency + jitter·U in the direction
 * it travels, U uniform in [0, 1) keyed by (seed, subject, message). The provider applies these in
 * scenario ms (it divides by speed), the virtual clock adds them as they are.
 */
export class NetworkDelays {
  private readonly draws: KeyedDraws;

  constructor(
    seed: number,
    readonly latencyMs: number,
    readonly jitterMs: number,
  ) {
    this.draws = new KeyedDraws(seed, Stream.networkJitter);
  }

  /** True when the scenario simulates no network at all: every message is on its way at once. */
  get none(): boolean {
    return this.latencyMs === 0 && this.jitterMs === 0;
  }

  /** One-way delay (scenario ms) of `message` about `subject` (a payment index, or a SharedKey plus an ordinal). */
  oneWay(subject: number, message: number): number {
    if (this.jitterMs === 0) return this.latencyMs;
    return this.latencyMs + this.jitterMs * this.draws.unit(subject, message);
  }

  /** The longest one-way delay the scenario can draw. */
  get maxOneWayMs(): number {
    return this.latencyMs + this.jitterMs;
  }
}
