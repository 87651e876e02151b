import { describe, expect, it } from "vitest";
import { parseDistribution } from "../src/scenario/distribution.js";
import { STRATEGY_NAMES } from "../src/scenario/types.js";
import { settlementFor, settlementRule } from "../src/scenario/plan.js";
import { Stream } from "../src/scenario/random.js";
import { FIRST_MESSAGE, KeyedDraws } from "../src/policy/draws.js";
import { fastScenario, run } from "./helpers/run.js";
import type { StrategyResult } from "../src/contract/result.js";

const NO_MISSES = { "retries-exhausted": 0, deadline: 0, "endpoint-disabled": 0, interrupted: 0 };

/**
 * How late a timer could fire in this run, in wall ms: the worst lateness either loop measured
 * (sampled every 5 ms, so plus one period), plus 1 ms for rounding to whole ms.
 */
function lateness(r: StrategyResult): number {
  expect(r.health?.provider, `${r.name}: both loops' health`).toBeTruthy();
  return Math.max(r.health!.provider!.eventLoopDelayMs.max, r.health!.consumer.eventLoopDelayMs.max) + 5 + 1;
}

function sound(r: StrategyResult): void {
  expect(r.requests.total).toBe(r.requests.consumerToProvider + r.requests.providerToConsumer);
  expect(r.bytes.total).toBe(r.bytes.consumerToProvider + r.bytes.providerToConsumer);
  const m = r.payments.missedByReason;
  expect(m["retries-exhausted"] + m.deadline + m["endpoint-disabled"]).toBe(r.payments.missed);
}

describe("every strategy on a sunny day (real provider worker, loopback HTTP)", () => {
  const results = new Map<string, StrategyResult>();
  const stats = new Map<string, Awaited<ReturnType<typeof run>>["stats"]>();

  it.each(STRATEGY_NAMES.map((n) => [n]))("%s learns all 10 outcomes", async (name) => {
    const out = await run(fastScenario(), name);
    results.set(name, out.result);
    stats.set(name, out.stats);
    sound(out.result);
    expect(out.result.payments.missed).toBe(0);
    expect(out.result.payments.missedByReason).toEqual(NO_MISSES);
    expect(out.result.errors).toEqual({ rateLimited: 0, server: 0, rejected: 0 });
  }, 20_000);

  it("conditional: about the same requests as polling, fewer bytes per request (304s carry no body)", () => {
    const p = results.get("polling")!;
    const c = results.get("conditional")!;
    // Same settlements, same schedule: only a payment settling within a timer's lateness of a poll
    // slot can cost one poll more or less, in either run. How late timers ran, each run measured
    // (its loops' health). At speed 10 this seed's nearest settlement is 193 scenario ms from a slot,
    // so while both runs' loops stay under 13 ms late the counts must be equal; a run late by 100 ms
    // (×10: a whole interval) could move every payment, and the bound says so rather than flake.
    const scenario = fastScenario();
    const late = Math.max(lateness(p), lateness(c)) * scenario.speed;
    const T = scenario.polling.intervalMs;
    const movable = Array.from({ length: 10 }, (_, i) => settlementFor(settlementRule(scenario), i).delayMs % T).filter((phase) => phase < late || T - phase < late).length;
    expect(Math.abs(c.requests.total - p.requests.total)).toBeLessThanOrEqual(2 * movable);
    // Bytes: polling's answers all carry the payment; conditional's carry it once per payment (the
    // 200 that brings news) and otherwise a 304 without it. Measured per 304 against polling's
    // average answer (334 bytes here), the saving was 104 bytes (the body and its two headers);
    // more than 50 is asserted, whatever share of the requests were 304s (fewer on a starved
    // machine, where more payments had settled by their first poll). A fixed ratio of bytes per
    // request (0.79 measured against 0.8 asserted) failed on that share alone.
    const fullAnswer = p.bytes.providerToConsumer / p.requests.total;
    expect(c.requests.wasted).toBeGreaterThan(0);
    expect((c.requests.total * fullAnswer - c.bytes.providerToConsumer) / c.requests.wasted).toBeGreaterThan(50);
  });

  it("long-polling: one held request per payment when the wait outlasts settlement", () => {
    const l = results.get("long-polling")!;
    expect(l.requests.total).toBe(10);
    expect(l.requests.wasted).toBe(0);
    expect(l.model?.requests.total).toBe(10);
  });

  it("sse: one stream for everything, counted as one request with its bytes", () => {
    const s = results.get("sse")!;
    expect(s.requests.total).toBe(1);
    expect(s.requests.wasted).toBe(0);
    // Ten events of a ~200-byte payment each travelled on it.
    expect(s.bytes.providerToConsumer).toBeGreaterThan(10 * 200);
    expect(stats.get("sse")!.reconnects).toBe(0);
  });

  it("polling-backoff: every answer without news is wasted; the model replays the seeded jitter", () => {
    const b = results.get("polling-backoff")!;
    expect(b.requests.wasted).toBe(b.requests.total - 10);
    expect(b.model).not.toBeNull();
    expect(b.requests.total).toBeGreaterThanOrEqual(10);
  });

  it("webhook and hybrid: one delivery per payment; hybrid's reconciliation found nothing left to catch", () => {
    for (const name of ["webhook", "hybrid"]) {
      const w = results.get(name)!;
      expect(w.deliveries).toEqual({ attempted: 10, succeeded: 10, retried: 0 });
      expect(w.requests.providerToConsumer).toBe(10);
    }
  });
});

describe("polling under refusals", () => {
  it("fails exactly the reads the seed prescribes and still learns everything", async () => {
    const errorRate = 0.25;
    const { result } = await run(fastScenario((s) => (s.faults.api.errorRate = errorRate)), "polling");
    sound(result);
    // Poll k of payment i is its message 2 + 2k, and draws its fault from that key (src/policy/draws.ts).
    const draws = new KeyedDraws(42, Stream.apiFault);
    let prescribed = 0;
    result.details!.forEach((p, i) => {
      for (let k = 0; k < p.requests; k++) if (draws.rng(i, FIRST_MESSAGE + 2 * k).next() < errorRate) prescribed++;
    });
    expect(result.errors.server).toBe(prescribed);
    expect(result.errors.server).toBeGreaterThan(0);
    expect(result.payments.missed).toBe(0);
  }, 20_000);

  it.each(["polling", "conditional", "polling-backoff", "long-polling"] as const)("%s honours 429 Retry-After and counts every 429 the provider sent", async (name) => {
    const { result, stats } = await run(fastScenario((s) => (s.provider.rateLimitPerSecond = 4)), name);
    sound(result);
    expect(result.errors.rateLimited).toBeGreaterThan(0);
    expect(stats.rateLimited).toBe(result.errors.rateLimited);
    expect(result.payments.missed).toBe(0);
    // Each 429 brought nothing: it is among the wasted requests.
    expect(result.requests.wasted).toBeGreaterThanOrEqual(result.errors.rateLimited);
  }, 20_000);
});

describe("sse reconnects", () => {
  it("reopens a dropped stream with Last-Event-ID and misses nothing, with no gap in event ids", async () => {
    const { result, stats } = await run(fastScenario(), "sse", { provider: { sse: { dropAfterEvents: 3 } } });
    sound(result);
    expect(result.payments.missed).toBe(0);
    expect(stats.reconnects).toBeGreaterThanOrEqual(3);
    expect(stats.gaps).toBe(0);
    // One request per connection; a reopen begun as the run ended may not have reached the provider.
    expect(result.requests.total).toBeGreaterThanOrEqual(stats.reconnects!);
    expect(result.requests.total).toBeLessThanOrEqual(stats.reconnects! + 1);
  }, 20_000);
});

describe("long-polling windows", () => {
  it("asks again each time the wait ends: requests match the model's one per window", async () => {
    const scenario = fastScenario((s) => {
      s.settlement.delay = parseDistribution("uniform(2s, 4s)");
      s.longPolling.waitMs = 1000;
      // Each re-ask costs a round trip the model leaves out; at speed 10 a loaded machine's round
      // trips add up to a window's worth of drift, at speed 2 they stay a few milliseconds.
      s.speed = 2;
    });
    const { result } = await run(scenario, "long-polling");
    expect(result.payments.missed).toBe(0);
    // A payment's re-asks drift later by each window's timer lateness (as the run measured it, in
    // scenario ms): over its at most 4 windows a drift past a whole window loses it one request.
    const lost = 10 * Math.floor((4 * lateness(result) * scenario.speed) / scenario.longPolling.waitMs);
    // Each payment pends through 2–4 one-second windows; the request that brings news is the last.
    expect(result.requests.total).toBeGreaterThanOrEqual(30 - lost);
    expect(Math.abs(result.requests.total - result.model!.requests.total)).toBeLessThanOrEqual(3 + lost);
  }, 20_000);
});

describe("hybrid under a tight rate limit", () => {
  it("resumes a refused reconciliation pass where it stopped, so payments past the first page are still caught", async () => {
    const scenario = fastScenario((s) => {
      s.payments.count = 150;
      s.speed = 1;
      s.deadlineMs = 15_000;
      s.settlement.delay = parseDistribution("uniform(50ms, 150ms)");
      s.webhook.retriesMs = [0];
      // Every delivery is refused: only reconciliation can learn the outcomes.
      s.faults.webhook.downtime = [{ fromMs: 0, toMs: 60_000, mode: "refuse" }];
      s.hybrid.reconcileEveryMs = 400;
      // One page a second: each round's second page is refused with 429.
      s.provider.rateLimitPerSecond = 1;
    });
    const { result } = await run(scenario, "hybrid");
    expect(result.errors.rateLimited).toBeGreaterThan(0);
    // Pages of 100: without resuming, every round would start again at page 1 and 50 would be missed.
    expect(result.payments.missed).toBe(0);
    expect(result.payments.detected).toBe(150);
  }, 30_000);
});
