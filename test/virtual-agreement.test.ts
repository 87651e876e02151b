import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResult, StrategyResult } from "../src/contract/result.js";
import { loadScenarioFile } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/types.js";
import { reconcile } from "../src/virtual/hybrid.js";
import { simulateScenario, simulateStrategy } from "../src/virtual/simulate.js";
import { walkWebhook } from "../src/virtual/webhook.js";
import { World } from "../src/virtual/world.js";
import { runCli } from "./helpers/cli.js";

/**
 * The virtual clock against the real run on small seeded scenarios: the real CLI (spawning real
 * servers) once per scenario, the simulation in-process, the two compared within the issue's
 * tolerances: requests within 1%, polling's mean latency within 5%, bytes within 10%.
 *
 * Why the seeds are searched: the real run adds a few milliseconds of machine overhead before
 * each poll reaches the provider (the 201's trip back, timers, loopback). A payment settling within
 * that margin after a poll slot is seen one poll earlier in the real run than in the simulation,
 * which at 20 payments moves the request count by 1.6% and the mean latency by 5%: quantisation,
 * not disagreement. So each scenario takes the first seed from its base whose settlements all keep
 * CLEAR_AFTER_MS past a slot (and CLEAR_BEFORE_MS before the next, for the settlement timer's own
 * lateness). Arrivals are at a rate, not a burst: a burst's cold connections add 20–50 ms to
 * every creation in the real run, a figure issue #6 item 3 is about, not a property of polling.
 *
 * A busy machine can still make the real run's timers later than a seed's clearance. The run
 * measures that itself (its loops' health), so each comparison counts the payments or events that
 * close to an edge and allows each to cross it: no slack on a calm machine, and on a loaded one
 * what the measured lateness explains (see crossable; for the hybrid case also how
 * far the real creations drifted from their planned offsets, 27–36 ms seen, past its 30 ms clearance).
 */
const CLEAR_AFTER_MS = 20;
const CLEAR_BEFORE_MS = 3;

interface Case {
  label: string;
  file: object;
  baseSeed: number;
  /** Whether the seed keeps every settlement clear of what the real run could see on the other side of a boundary (and exercises the case). */
  clear?: (s: Scenario) => boolean;
  args?: string[];
}

const CASES: Case[] = [
  {
    label: "20 payments at 10/s, uniform(500ms, 4s), polled every second",
    baseSeed: 42,
    file: { name: "agreement-1s", payments: { count: 20, arrival: { rate: "10/s" } }, settlement: { delay: "uniform(500ms, 4s)", failureRate: 0.05 }, polling: { interval: "1s" } },
  },
  {
    label: "50 payments at 20/s, uniform(500ms, 4s), polled every 250 ms",
    baseSeed: 7,
    file: { name: "agreement-250ms", payments: { count: 50, arrival: { rate: "20/s" } }, settlement: { delay: "uniform(500ms, 4s)", failureRate: 0.05 }, polling: { interval: "250ms" } },
  },
];

/**
 * Hybrid where webhooks lose payments: the endpoint refuses connections from 1 s to 4 s while the
 * sender tries only twice (at settlement, 200 ms later), so payments settling then are lost to the
 * webhook and left to the reconciliation pass every second. A 3 s deadline leaves some of those
 * missed too (retries exhausted, reconciled too late) beside payments missed by the deadline alone,
 * so missedByReason is exercised on both counts. About 5 s of real time for each strategy.
 */
const HYBRID: Case = {
  label: "hybrid: 20 payments at 10/s, webhooks refused from 1 s to 4 s with retries [0s, 200ms], reconciled every second",
  baseSeed: 5,
  file: {
    name: "agreement-hybrid",
    payments: { count: 20, arrival: { rate: "10/s" } },
    settlement: { delay: "uniform(500ms, 4s)", failureRate: 0.05 },
    webhook: { retries: ["0s", "200ms"] },
    hybrid: { reconcileEvery: "1s" },
    faults: { webhook: { downtime: [{ from: "1s", to: "4s", mode: "refuse" }] } },
    deadline: "3s",
    strategies: ["webhook", "hybrid"],
  },
  clear: clearForHybrid,
  args: ["--details"],
};

/**
 * The real run's timers fire late, never early: a list page reads the provider a few ms after the
 * simulation's read (its lateness accumulating over the passes, each re-armed when the previous
 * one ends), and a payment settles a ms or so late. The seed keeps every settlement out of
 * [read − HYBRID_CLEAR_BEFORE_MS, read + HYBRID_CLEAR_MS], every delivery attempt and detection that far
 * from the outage's edges and the deadline, and every page that far from the run's end; then
 * which page lists which payment, and so every count, is the same in both runs.
 */
const HYBRID_CLEAR_MS = 30;
/** A settlement timer's own lateness on a busy machine (three real runs at once, vitest's workers): up to several ms. */
const HYBRID_CLEAR_BEFORE_MS = 10;

/**
 * Events of the hybrid case that a real run late by `late` ms (consumer and provider timers alike)
 * could see on the other side of their edge: settlements near a page's read, delivery attempts
 * near an outage's edge, detections near the deadline, pages near the run's end. Each can move
 * the real run's counts by one from the simulation's. (Times are the simulation's: ms from its start.)
 */
function hybridNearEvents(s: Scenario, late: { after: number; before: number }): number {
  const world = new World(s);
  const hooked = new Float64Array(world.n);
  for (let i = 0; i < world.n; i++) hooked[i] = walkWebhook(world, i, world.cutoff, null);
  const pages = reconcile(world, hooked, world.cutoff, new Float64Array(world.n).fill(NaN));
  const result = simulateStrategy(s, "hybrid", { details: true });
  const near = (a: number, b: number) => Math.abs(a - b) < late.after;
  const start = world.createdAt[0]!;
  const edges = s.faults.webhook.downtime.flatMap((w) => [start + w.fromMs, start + w.toMs]);
  let count = 0;
  for (let i = 0; i < world.n; i++) {
    const settled = world.settleAt[i]!;
    if (pages.some((p) => settled > p.arriveAt - late.before && settled < p.arriveAt + late.after)) count++;
    let attempt = settled;
    // Advanced once per wait, then checked against every edge (an attempt near the run's end is
    // counted by one run and not the other). Advancing it inside the check, once per edge looked
    // at, let seed 28 through with an attempt 19 ms after the outage's end: the flake.
    for (const wait of s.webhook.retriesMs) {
      attempt += wait;
      if ([...edges, result.durationMs].some((e) => near(attempt, e))) count++;
    }
    const at = result.details![i]!.detectedAtMs;
    if (at !== null && near(at - world.createdAt[i]!, s.deadlineMs)) count++;
  }
  return count + pages.filter((p) => near(p.arriveAt, result.durationMs)).length;
}

function clearForHybrid(s: Scenario): boolean {
  // The seed must also exercise what the case is about: both kinds of miss.
  const missed = simulateStrategy(s, "hybrid").payments.missedByReason;
  if (missed["retries-exhausted"] === 0 || missed.deadline === 0) return false;
  return hybridNearEvents(s, { after: HYBRID_CLEAR_MS, before: HYBRID_CLEAR_BEFORE_MS }) === 0;
}

/**
 * Payments settling within `late.after` ms after a poll slot (a late poll sees them a poll early)
 * or `late.before` ms before the next (a late settlement is seen a poll later).
 */
function nearSlots(s: Scenario, late: { after: number; before: number }): number {
  const world = new World(s);
  const T = s.polling.intervalMs;
  let count = 0;
  for (let i = 0; i < world.n; i++) {
    const phase = (((world.settleAt[i]! - world.anchor[i]! - world.latencyMs) % T) + T) % T;
    if (phase < late.after || phase > T - late.before) count++;
  }
  return count;
}

/** Whether every payment settles clear of the poll slots (phase after the slot in [after, T − before]). */
function clearOfSlots(s: Scenario): boolean {
  return nearSlots(s, { after: CLEAR_AFTER_MS, before: CLEAR_BEFORE_MS }) === 0;
}

/**
 * How late the real run's timers fired, from its own health figures (`stat` of each loop's
 * lateness, sampled every 5 ms, so plus one period, plus 1 ms of rounding). A late consumer polls
 * (or pages) after its slot; a late provider settles after its draw.
 */
function measuredLateness(real: CompareResult, stat: "p99" | "max" = "max"): { after: number; before: number } {
  const worst = (side: "provider" | "consumer") => Math.max(...real.strategies.map((r) => r.health?.[side]?.eventLoopDelayMs[stat] ?? Infinity));
  return { after: Math.max(worst("consumer"), worst("provider")) + 6, before: worst("provider") + 6 };
}

/**
 * How many payments (or events) the run's lateness may have carried across an edge: none when
 * even its worst lateness stays inside every clearance (then the comparison is exact). Otherwise
 * those within its p99 lateness of an edge, plus 1% of `n` for what lay past the p99. Not all
 * those within its max: one stall of 100–150 ms (a collection, a burst of creations) showed up in
 * the max even on an idle machine and would excuse every payment.
 */
function crossable(real: CompareResult, n: number, near: (late: { after: number; before: number }) => number): number {
  if (near(measuredLateness(real, "max")) === 0) return 0;
  return near(measuredLateness(real, "p99")) + Math.ceil(n / 100);
}

/** The largest difference between two objects' numeric fields (nested), or Infinity when their shapes differ. */
function countsApart(a: object, b: object): number {
  let worst = 0;
  for (const [key, x] of Object.entries(a)) {
    const y = (b as Record<string, unknown>)[key];
    if (typeof x === "number" && typeof y === "number") worst = Math.max(worst, Math.abs(x - y));
    else if (x && y && typeof x === "object" && typeof y === "object") worst = Math.max(worst, countsApart(x, y));
    else if (x !== y) return Infinity;
  }
  return Object.keys(b).length === Object.keys(a).length ? worst : Infinity;
}

const within = (actual: number, expected: number, share: number) => Math.abs(actual - expected) <= share * Math.abs(expected);

function figures(r: StrategyResult) {
  return { requests: r.requests.total, wasted: r.requests.wasted, bytes: r.bytes.total, mean: r.latencyMs?.mean, missed: r.payments.missed };
}

describe("virtual clock agrees with the real run", () => {
  let dir: string;
  const runs: Array<{ c: Case; seed: number; scenario: Scenario; real: CompareResult; virtual: CompareResult }> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-virtual-"));
    // The real runs at once: about 13 s rather than 35.
    await Promise.all(
      [...CASES, HYBRID].map(async (c) => {
        const path = join(dir, `${c.file && (c.file as { name: string }).name}.json`);
        let seed = c.baseSeed;
        let scenario!: Scenario;
        const clear = c.clear ?? clearOfSlots;
        for (; seed < c.baseSeed + 2000; seed++) {
          await writeFile(path, JSON.stringify({ deadline: "30s", strategies: ["polling", "webhook"], ...c.file, seed }));
          scenario = await loadScenarioFile(path);
          if (clear(scenario)) break;
        }
        expect(clear(scenario), `${c.label}: no seed clear of the boundaries`).toBe(true);
        const cli = await runCli(["compare", path, "--format", "json", ...(c.args ?? [])], { timeoutMs: 40_000 });
        expect(cli.code, cli.stderr).toBe(0);
        runs.push({ c, seed, scenario, real: JSON.parse(cli.stdout) as CompareResult, virtual: simulateScenario(scenario, { details: Boolean(c.args?.includes("--details")) }) });
      }),
    );
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(HYBRID.label, () => {
    const run = runs.find((r) => r.c === HYBRID)!;
    const [realWebhook, realHybrid] = run.real.strategies;
    const [virtualWebhook, virtualHybrid] = run.virtual.strategies;
    // Reconciled: the payments the hybrid knows sooner than the webhook alone would (the simulation says which).
    const reconciled = virtualHybrid!.details!.filter((d, i) => d.latencyMs !== null && d.detectedAtMs !== virtualWebhook!.details![i]!.detectedAtMs).map((d) => d.id);
    const latencyOf = (r: StrategyResult, id: string) => r.details!.find((d) => d.id === id)!.latencyMs!;
    const gaps = reconciled.map((id) => latencyOf(realHybrid!, id) - latencyOf(virtualHybrid!, id));
    const mean = (r: StrategyResult) => reconciled.reduce((sum, id) => sum + latencyOf(r, id), 0) / reconciled.length;
    const report = {
      seed: run.seed,
      webhook: { real: figures(realWebhook!), virtual: figures(virtualWebhook!) },
      hybrid: { real: figures(realHybrid!), virtual: figures(virtualHybrid!) },
      reconciled: { count: reconciled.length, realMean: mean(realHybrid!), virtualMean: mean(virtualHybrid!), gapsMs: gaps.map((g) => Math.round(g * 10) / 10) },
      missedByReason: { real: realHybrid!.payments.missedByReason, virtual: virtualHybrid!.payments.missedByReason },
    };
    // The seed keeps every event 30 ms clear of its edge (10 ms before a page's read); when the real
    // run measured its own timers later than that, events that close may have crossed, each moving
    // a count by one (and a payment to the next pass, 1 s later). Zero on a calm machine: exact.
    // Outage windows count from the first payment's creation, so a payment created later than its
    // planned offset (its POST's round trip, a cold connection) has every event shifted by as much:
    // the real run's creation stamps against the simulation's add to the lateness.
    const drift = Math.max(
      ...run.real.strategies.map((r, k) => {
        const real = r.details!;
        const planned = run.virtual.strategies[k]!.details!;
        return Math.max(...real.map((d, i) => Math.abs(d.createdAtMs - real[0]!.createdAtMs - (planned[i]!.createdAtMs - planned[0]!.createdAtMs))));
      }),
    );
    const withDrift = (t: { after: number; before: number }) => ({ after: t.after + drift, before: t.before + drift });
    const late = withDrift(measuredLateness(run.real, "p99"));
    const near = crossable(run.real, run.scenario.payments.count, (t) => hybridNearEvents(run.scenario, withDrift(t)));
    console.log(`${HYBRID.label}: ${JSON.stringify({ ...report, lateMs: late, creationDriftMs: drift, nearEvents: near })}`);

    // The seed must exercise what this case is about: payments lost to the webhook, found by the passes, and both kinds of miss.
    expect(reconciled.length).toBeGreaterThanOrEqual(3);
    expect(virtualHybrid!.payments.missedByReason["retries-exhausted"]).toBeGreaterThan(0);
    expect(virtualHybrid!.payments.missedByReason.deadline).toBeGreaterThan(0);
    expect(virtualWebhook!.payments.missed).toBeGreaterThan(virtualHybrid!.payments.missed);
    for (const [real, virtual] of [[realWebhook!, virtualWebhook!], [realHybrid!, virtualHybrid!]] as const) {
      // Clear of every boundary, the counts are deterministic: equal, not merely within 1%.
      for (const part of ["requests", "deliveries", "payments"] as const) {
        if (near === 0) expect(virtual[part], `${real.name} ${part}`).toEqual(real[part]);
        else expect(countsApart(virtual[part], real[part]), `${real.name} ${part}: ${near} events within ${JSON.stringify(late)} ms of an edge`).toBeLessThanOrEqual(near);
      }
      // Bytes: within 10%, and a request's worth for each event that may have crossed its edge.
      const perRequest = real.bytes.total / Math.max(1, real.requests.total);
      expect(Math.abs(virtual.bytes.total - real.bytes.total), `${real.name} bytes`).toBeLessThanOrEqual(0.1 * real.bytes.total + near * perRequest);
    }
    // A reconciled payment's latency is polling-like: from its settlement to the answer of the
    // first page listing it, hundreds of ms. The real one is later by the pass's accumulated timer
    // lateness and loopback round trips (a few ms per pass) and earlier by the settlement timer's
    // own lateness (a ms, 15 seen with vitest's workers and other runs sharing two cores): measured
    // gaps of −15 to +10 ms. What must hold is that each payment was found by the same page in both
    // runs, a pass (1 s) apart otherwise: every gap under half a pass (a fixed 50 ms was exceeded by
    // −55 ms gaps with the load average at 7–8 on two cores: still the same page, a pass is 1,000 ms),
    // and the mean within the 5% (about 1% measured), which catches any systematic shift.
    // Each near event may put one payment on another pass.
    const passMs = run.scenario.hybrid.reconcileEveryMs;
    expect(gaps.filter((gap) => Math.abs(gap) >= passMs / 2).length, `gaps ${gaps.map((g) => g.toFixed(1))}`).toBeLessThanOrEqual(near);
    expect(Math.abs(mean(virtualHybrid!) - mean(realHybrid!)), "reconciled mean latency").toBeLessThanOrEqual(0.05 * mean(realHybrid!) + (near * passMs) / reconciled.length);
  });

  for (const c of CASES) {
    it(c.label, () => {
      const run = runs.find((r) => r.c === c)!;
      const [realPolling, realWebhook] = run.real.strategies;
      const [virtualPolling, virtualWebhook] = run.virtual.strategies;
      const report = { seed: run.seed, polling: { real: figures(realPolling!), virtual: figures(virtualPolling!) }, webhook: { real: figures(realWebhook!), virtual: figures(virtualWebhook!) } };
      // The seed keeps settlements 20 ms after a slot and 3 ms before the next; a real run whose
      // timers ran later than that (as its own health measured) may see the payments that close to
      // a slot one poll earlier or later: one request each, and up to an interval of latency.
      const late = measuredLateness(run.real, "p99");
      const movable = crossable(run.real, run.scenario.payments.count, (t) => nearSlots(run.scenario, t));
      console.log(`${c.label}: ${JSON.stringify({ ...report, lateMs: late, movable })}`);

      expect(run.virtual.clock).toBe("virtual");
      for (const [real, virtual] of [[realPolling!, virtualPolling!], [realWebhook!, virtualWebhook!]] as const) {
        const slack = (share: number, value: number) => Math.max(share * value, real.name === "polling" ? movable : 0);
        expect(Math.abs(virtual.requests.total - real.requests.total), `${real.name} requests`).toBeLessThanOrEqual(slack(0.01, real.requests.total));
        expect(Math.abs(virtual.requests.wasted - real.requests.wasted), `${real.name} wasted`).toBeLessThanOrEqual(slack(0.01, real.requests.wasted));
        const perRequest = real.bytes.total / real.requests.total;
        expect(Math.abs(virtual.bytes.total - real.bytes.total), `${real.name} bytes`).toBeLessThanOrEqual(0.1 * real.bytes.total + (real.name === "polling" ? movable * perRequest : 0));
        expect(virtual.payments.missed).toBe(real.payments.missed);
      }
      const T = run.scenario.polling.intervalMs;
      const n = run.scenario.payments.count;
      expect(Math.abs(virtualPolling!.latencyMs!.mean - realPolling!.latencyMs!.mean), "polling mean latency").toBeLessThanOrEqual(0.05 * realPolling!.latencyMs!.mean + (movable * T) / n);
      // The webhook's real latency is the machine's own (~1 ms on loopback: a POST, an HMAC, a
      // parse); the simulation's is the network delay, 0 here. A ratio of the two means nothing,
      // so each is only held under 5% of polling's mean: both tell the same story.
      // (The real one plus its run's measured timer lateness: 10.8 ms was seen with the load average near 14.)
      expect(realWebhook!.latencyMs!.mean).toBeLessThan(0.05 * realPolling!.latencyMs!.mean + late.after);
      expect(virtualWebhook!.latencyMs!.mean).toBeLessThan(0.05 * virtualPolling!.latencyMs!.mean);
    });
  }
});
