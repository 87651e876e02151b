import { sample } from "./distribution.js";
import { Stream, rngFor, Rng } from "./random.js";
import type { Arrival, Scenario } from "./types.js";

export type Outcome = "succeeded" | "failed";

/** What the scenario decides for payment #index, identical for every strategy. */
export interface Settlement {
  delayMs: number;
  outcome: Outcome;
}

/** The subset of a scenario that decides settlements; small enough to send to the provider worker. */
export interface SettlementRule {
  seed: number;
  delay: Scenario["settlement"]["delay"];
  failureRate: number;
}

export function settlementRule(s: Scenario): SettlementRule {
  return { seed: s.seed, delay: s.settlement.delay, failureRate: s.settlement.failureRate };
}

/**
 * The settlement of the index-th payment (0-based) created at the provider. Pure in (rule, index):
 * the provider worker and the model compute the same value without sharing state.
 */
export function settlementFor(rule: SettlementRule, index: number): Settlement {
  const delayMs = Math.max(0, sample(rule.delay, rngFor(rule.seed, Stream.settlementDelay, index)));
  const outcome: Outcome = rngFor(rule.seed, Stream.settlementOutcome, index).next() < rule.failureRate ? "failed" : "succeeded";
  return { delayMs, outcome };
}

/** Creation offsets (ms of scenario time from the start of a run): all zero for a burst, a Poisson process for a rate. */
export function arrivalOffsets(arrival: Arrival, count: number, seed: number): Float64Array {
  const offsets = new Float64Array(count);
  if (arrival.kind === "burst") return offsets;
  const rng = new Rng(seed ^ (Stream.arrival * 0x9e3779b1));
  const meanGapMs = 1000 / arrival.perSecond;
  let t = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = t;
    t += -meanGapMs * Math.log(rng.nextOpen());
  }
  return offsets;
}
