import { describe, expect, it } from "vitest";
import type { PlannedAttempt } from "../src/webhooks/fault-plan.js";
import { planDeliveries } from "../src/policy/delivery.js";
import { settlementFor, settlementRule } from "../src/scenario/plan.js";
import type { StrategyResult } from "../src/contract/result.js";
import type { DowntimeMode, Scenario } from "../src/scenario/types.js";
import { fastScenario, run } from "./helpers/run.js";

/** What the seed prescribes for every payment's webhook (a burst: payment i settles at D_i from the start). */
function plan(s: Scenario): PlannedAttempt[][] {
  const rule = settlementRule(s);
  return Array.from({ length: s.payments.count }, (_, i) => planDeliveries(s.seed, s.faults.webhook, s.webhook.retriesMs, i, settlementFor(rule, i).delayMs));
}

function prescribed(s: Scenario) {
  const p = plan(s);
  const all = p.flat();
  return {
    attempted: all.length,
    succeeded: all.filter((a) => a.outcome === "delivered").length,
    retried: all.filter((a) => a.attempt > 0).length,
    reached: all.filter((a) => a.outcome !== "refused").length,
    // A duplicate is the second delivered copy of one event.
    duplicates: p.filter((attempts) => attempts.filter((a) => a.outcome === "delivered").length === 2).length,
    exhausted: p.filter((attempts) => !attempts.some((a) => a.outcome === "delivered")).length,
    /** Closest any attempt comes to a downtime window's edge, in scenario ms. */
    margin: Math.min(Infinity, ...all.flatMap((a) => s.faults.webhook.downtime.flatMap((w) => [Math.abs(a.atMs - w.fromMs), Math.abs(a.atMs - w.toMs)]))),
    /** Scenario ms from the last attempt to the end of a run that lasts until the deadline. */
    beforeDeadline: s.deadlineMs - Math.max(...all.map((a) => a.atMs)),
  };
}

/**
 * Each retry is timed from the previous attempt's answer, so on a loaded machine lateness adds up
 * along a chain: an attempt planned 428 scenario ms before an outage ends can land after it, be
 * delivered, and leave the chain one attempt short (seen at speed 10, where 428 ms is 43 ms of
 * wall time, with the load average near 8 on two cores). At speed 4 the edges sit over 100 ms of
 * wall time from every attempt, and a 10 s deadline ends each run half a second after the last.
 */
const WALL_MARGIN_MS = 100;
const WALL_BEFORE_END_MS = 500;

/** Wall ms a timer of this run could fire late: its loops' worst measured lateness, a sampling period, a ms of rounding. */
function lateness(r: StrategyResult): number {
  expect(r.health?.provider, `${r.name}: both loops' health`).toBeTruthy();
  return Math.max(r.health!.provider!.eventLoopDelayMs.max, r.health!.consumer.eventLoopDelayMs.max) + 6;
}

/**
 * Attempts that could differ from the plan when every step of a chain runs up to `lateMs` of wall
 * time late (each retry is timed from the previous answer, so the k-th attempt up to k + 1 steps):
 * an attempt that slips past the outage's end is delivered, and the rest of its chain never runs.
 */
function crossings(s: Scenario, lateMs: number): number {
  const edges = s.faults.webhook.downtime.flatMap((w) => [w.fromMs, w.toMs]);
  let count = 0;
  for (const attempts of plan(s)) {
    for (const a of attempts) {
      const slip = (a.attempt + 1) * lateMs * s.speed;
      if (edges.some((e) => a.atMs < e && a.atMs + slip >= e)) count += attempts.length - a.attempt;
    }
  }
  return count;
}

function outage(toMs: number, mode: DowntimeMode, retries: number[]) {
  return fastScenario((s) => {
    s.speed = 4;
    s.deadlineMs = 10_000;
    s.webhook.retriesMs = retries;
    s.faults.webhook.downtime = [{ fromMs: 0, toMs, mode }];
    s.hybrid.reconcileEveryMs = 2000;
  });
}

describe("seeded webhook faults: counts equal what the seed prescribes", () => {
  it("failures and duplicates: attempts, retries, successes and duplicates match the plan exactly", async () => {
    const s = fastScenario((s) => {
      s.webhook.retriesMs = [0, 100, 200, 400, 800];
      s.faults.webhook.failureRate = 0.35;
      s.faults.webhook.duplicateRate = 0.3;
      s.faults.webhook.delay = { kind: "uniform", minMs: 0, maxMs: 50, source: "uniform(0ms, 50ms)" };
    });
    const want = prescribed(s);
    // The seed must exercise what this test is about.
    expect(want.retried).toBeGreaterThan(0);
    expect(want.duplicates).toBeGreaterThan(0);
    const { result } = await run(s, "webhook", { untilDeadline: true });
    expect(result.deliveries).toEqual({ attempted: want.attempted, succeeded: want.succeeded, retried: want.retried });
    expect(result.payments.duplicates).toBe(want.duplicates);
    expect(result.requests.providerToConsumer).toBe(want.reached);
    expect(result.payments.missed).toBe(want.exhausted);
    expect(result.payments.missedByReason["retries-exhausted"]).toBe(want.exhausted);
    expect(result.model!.requests.total).toBe(want.reached + 1);
  }, 20_000);

  it.each(["refuse", "503"] as const)("an outage (%s) shorter than the schedule: webhook and hybrid miss nothing, retries as prescribed", async (mode) => {
    const s = outage(4000, mode, [0, 2000, 4000, 8000]);
    const want = prescribed(s);
    // Timers run late on a busy machine, never early: every attempt well clear of the window's
    // edges and well before the run ends, in wall time.
    expect(want.margin / s.speed).toBeGreaterThanOrEqual(WALL_MARGIN_MS);
    expect(want.beforeDeadline / s.speed).toBeGreaterThanOrEqual(WALL_BEFORE_END_MS);
    expect(want.exhausted).toBe(0);
    expect(want.retried).toBeGreaterThan(0);
    for (const name of ["webhook", "hybrid"] as const) {
      const { result } = await run(s, name, { untilDeadline: true });
      expect(result.payments.missed, name).toBe(0);
      // Exact unless this run measured its timers late enough for a chain to carry an attempt
      // across the outage's end (100 ms of wall time was not always enough with the load average
      // near 10); then each attempt that could have crossed may take the rest of its chain with it.
      const slack = crossings(s, lateness(result));
      const { attempted, succeeded, retried } = result.deliveries;
      expect(succeeded, name).toBe(10);
      expect(Math.abs(attempted - want.attempted), `${name}: attempts; ${slack} could cross an edge`).toBeLessThanOrEqual(slack);
      expect(want.attempted - attempted, name).toBe(want.retried - retried);
      // Refused attempts never reach the receiver; 503s do, and come back refused.
      expect(result.requests.providerToConsumer, name).toBe(mode === "refuse" ? 10 : attempted);
    }
  }, 30_000);

  it.each(["refuse", "503"] as const)("an outage (%s) longer than the schedule: plain webhook misses every payment, hybrid misses none", async (mode) => {
    const s = outage(20_000, mode, [0, 1000, 2000]);
    expect(prescribed(s).beforeDeadline / s.speed).toBeGreaterThanOrEqual(WALL_BEFORE_END_MS);
    const webhook = (await run(s, "webhook", { untilDeadline: true })).result;
    expect(webhook.deliveries).toEqual({ attempted: 30, succeeded: 0, retried: 20 });
    expect(webhook.payments.missed).toBe(10);
    expect(webhook.payments.missedByReason).toEqual({ "retries-exhausted": 10, deadline: 0, "endpoint-disabled": 0, interrupted: 0 });
    expect(webhook.requests.providerToConsumer).toBe(mode === "refuse" ? 0 : 30);

    const hybrid = (await run(s, "hybrid", { untilDeadline: true })).result;
    expect(hybrid.deliveries).toEqual({ attempted: 30, succeeded: 0, retried: 20 });
    expect(hybrid.payments.missed).toBe(0);
    expect(hybrid.payments.missedByReason).toEqual({ "retries-exhausted": 0, deadline: 0, "endpoint-disabled": 0, interrupted: 0 });
    // Reconciliation pages brought the outcomes: far fewer requests than payments.
    expect(hybrid.requests.consumerToProvider - 1).toBeGreaterThan(0);
    expect(hybrid.requests.consumerToProvider - 1).toBeLessThan(10);
  }, 30_000);

  it("reorder: deliveries arrive out of settlement order; nothing regresses and nothing is missed", async () => {
    const s = fastScenario((s) => {
      s.faults.webhook.reorder = true;
      // At speed 10 the 100 ms margins below are 10 ms of wall time, which a loaded machine's timers can eat.
      s.speed = 2;
    });
    // The seed holds some event back long enough to land well after one that settled later.
    const rule = settlementRule(s);
    const leave = Array.from({ length: 10 }, (_, i) => ({ settled: settlementFor(rule, i).delayMs, at: plan(s)[i]![0]!.atMs }));
    expect(leave.some((a) => leave.some((b) => a.settled < b.settled - 100 && a.at > b.at + 100))).toBe(true);
    const { result, stats } = await run(s, "webhook");
    expect(result.payments.missed).toBe(0);
    expect(stats.outOfOrder).toBeGreaterThan(0);
    expect(stats.stale).toBe(0);
    expect(result.deliveries).toEqual({ attempted: 10, succeeded: 10, retried: 0 });
  }, 20_000);
});
