/**
 * Seeded randomness. Every draw the scenario makes comes from here, keyed by (seed, stream, index),
 * so the provider in its worker and the model in the main thread compute the same value for
 * payment #i without sharing state, and every strategy sees identical settlements and faults.
 */

/** 32-bit mix (a finalizer from MurmurHash3 / splitmix32). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Named streams keep independent draws from colliding (settlement vs arrivals vs faults). */
export const Stream = {
  settlementDelay: 1,
  settlementOutcome: 2,
  arrival: 3,
  networkJitter: 4,
  backoff: 5,
  webhookFault: 6,
  apiFault: 7,
  faultDelay: 8,
} as const;

/** A small, fast, seeded generator (mulberry32). Returns floats in [0, 1). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = mix32(seed >>> 0 || 0x9e3779b9);
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in (0, 1): safe for logarithms. */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }
  /** Standard normal (Box–Muller). */
  nextGaussian(): number {
    const u = this.nextOpen();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** The generator for one (seed, stream, index) triple: the same triple always gives the same draws. */
export function rngFor(seed: number, stream: number, index: number): Rng {
  return new Rng(mix32(mix32(seed >>> 0) ^ Math.imul(stream, 0x9e3779b1) ^ mix32(index + 0x632be5ab)));
}

/** One uniform draw in [0, 1) for (seed, stream, index). */
export function drawUnit(seed: number, stream: number, index: number): number {
  return rngFor(seed, stream, index).next();
}
