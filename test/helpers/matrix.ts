import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompareResult, StrategyResult } from "../../src/contract/result.js";
import { loadScenarioFile } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/types.js";
import { simulateScenario } from "../../src/virtual/simulate.js";
import { SSE_HEARTBEAT_BYTES } from "../../src/virtual/wire.js";
import { backoffOf } from "../../src/policy/polling.js";
import { runCli } from "./cli.js";

/**
 * The verification matrix (issue 11): a scenario run for real (the CLI, real sockets) and on the
 * virtual clock, checked against relations with margins, never exact timings.
 *
 * Where a real run can part from the simulation: the real machine adds its own time to every
 * exchange (a loopback round trip, late timers), which moves a request across a settlement, a
 * token of the rate limit or an outage's edge now and then. How far that can move the counts is
 * measured on the virtual clock itself: the same scenario with every message `d` ms later, or
 * `d` ms sooner, or each message up to `d` ms apart (jitter), where `d` is the deviation the real
 * run's own health measured (its loops' worst lateness and its worst loopback round trip, in
 * scenario time). The counts must then agree within 2%, or within what that sensitivity explains;
 * when the seed is clear of every such edge (searched for below), exactly.
 */

/** The largest answer in flight for one pending payment: a poll's 200 with its payment view (about 330 bytes), or for a hybrid a list page of these ten payments. */
const MAX_ANSWER_BYTES = { poll: 400, page: 2_500 };
/** The most one `if-none-match: "<etag>"` request line takes: the name, a quoted ETag well past any the provider makes, CRLF. */
const IF_NONE_MATCH_LINE_MAX = "if-none-match: ".length + 32 + 2;

/** The clearance a seed is searched for, in wall ms: a request up to twice this much late or early crosses no edge. */
export const CLEARANCE_WALL_MS = 3;

export interface MatrixCase {
  label: string;
  /** The scenario file (without its seed). */
  file: Record<string, unknown>;
  baseSeed: number;
  /** Whether the simulation shows the case exercising what it is about. */
  exercises: (virtual: CompareResult) => boolean;
}

/** What must agree between the engines, per strategy. */
function counts(r: StrategyResult) {
  return {
    requests: r.requests.total,
    wasted: r.requests.wasted,
    unattributed: r.requests.unattributed,
    c2p: r.requests.consumerToProvider,
    p2c: r.requests.providerToConsumer,
    detected: r.payments.detected,
    missed: r.payments.missed,
    duplicates: r.payments.duplicates,
    rateLimited: r.errors.rateLimited,
    server: r.errors.server,
    attempted: r.deliveries.attempted,
    retried: r.deliveries.retried,
  };
}
type Counts = ReturnType<typeof counts>;

/**
 * The scenario with every message `shift` ms later (sooner when negative), `jitter` ms more jitter,
 * and a hybrid's passes `pass` ms apart more: a pass starts on the consumer's own timer, which a
 * shift of the network moves together with the settlements it lists, so it is moved on its own.
 */
function perturbed(s: Scenario, shift: number, jitter: number, pass = 0): Scenario {
  return {
    ...s,
    network: { latencyMs: Math.max(0, s.network.latencyMs + shift), jitterMs: s.network.jitterMs + jitter },
    hybrid: { reconcileEveryMs: Math.max(1, s.hybrid.reconcileEveryMs + pass) },
  };
}

type Spread = Record<keyof Counts, number> & { latencyMean: number };

/**
 * Per strategy, the most a perturbation of up to `d` scenario ms moves each count, and the latency
 * mean, on the virtual clock: every message later or sooner by d/4, d/2, d and 2d, or spread apart
 * by that much jitter. A rate limit is chaotic (one request over a token's edge changes who is held
 * off for a second), so one size of perturbation can miss what another finds; the sizes around
 * the measured deviation cover it. The latency mean's spread leaves out the even shift every
 * payment pays (crossingShift): that part is the machine's time, checked on its own.
 */
function sensitivity(s: Scenario, d: number, rateProbes = true): Spread[] {
  const baseResults = simulateScenario(s, { details: true }).strategies;
  const base = baseResults.map(counts);
  const spread = base.map((c) => ({ ...(Object.fromEntries(Object.keys(c).map((k) => [k, 0])) as Record<keyof Counts, number>), latencyMean: 0 }));
  for (const size of [d / 4, d / 2, d, 2 * d]) {
    const probes = [perturbed(s, size, 0), perturbed(s, -size, 0), perturbed(s, 0, size), perturbed(s, 0, 0, size), perturbed(s, 0, 0, -size)];
    // A rate limit decides on the tokens refilled since the last request: `size` ms of timing is
    // rate × size tokens, the same as the rate itself that much off over a request's gap.
    const rate = s.provider.rateLimitPerSecond;
    if (rate !== null && rateProbes) for (const sign of [1, -1]) probes.push({ ...s, provider: { rateLimitPerSecond: rate * (1 + (sign * rate * size) / 1000) } });
    for (const p of probes) {
      simulateScenario(p, { details: true }).strategies.forEach((r, i) => {
        const c = counts(r);
        for (const k of Object.keys(c) as Array<keyof Counts>) spread[i]![k] = Math.max(spread[i]![k], Math.abs(c[k] - base[i]![k]));
        spread[i]!.latencyMean = Math.max(spread[i]!.latencyMean, crossingShift(baseResults[i]!, r));
      });
    }
  }
  return spread;
}

/**
 * How far the latency mean moved beyond the perturbation's own even shift: each payment's change
 * less the median change (what every payment paid), averaged over the payments. A payment whose
 * poll crossed its settlement moves by a whole interval; that is what this keeps.
 */
function crossingShift(before: StrategyResult, after: StrategyResult): number {
  const changes: number[] = [];
  before.details!.forEach((p, k) => {
    const q = after.details![k]!;
    if (p.latencyMs !== null && q.latencyMs !== null) changes.push(q.latencyMs - p.latencyMs);
  });
  if (changes.length === 0) return 0;
  const median = [...changes].sort((a, b) => a - b)[Math.floor(changes.length / 2)]!;
  return Math.abs(changes.reduce((sum, c) => sum + (c - median), 0) / changes.length);
}

/** A seed is clear when no perturbation up to the clearance moves any count. */
function clear(s: Scenario): boolean {
  // The rate probes stand for noise a real run measured; a seed is searched for against timing alone.
  return sensitivity(s, CLEARANCE_WALL_MS * s.speed, false).every((spread) => Object.entries(spread).every(([k, v]) => k === "latencyMean" || v === 0));
}

/** The worst deviation from the simulation's timing this real run measured, in scenario ms. */
function deviation(r: StrategyResult, speed: number): number {
  const h = r.health!;
  const worst = Math.max(h.consumer.eventLoopDelayMs.max, h.provider?.eventLoopDelayMs.max ?? 0, h.loopbackRoundTripMs?.max ?? 0);
  return worst * speed;
}

export interface MatrixRun {
  c: MatrixCase;
  seed: number;
  scenario: Scenario;
  clear: boolean;
  real: CompareResult;
  virtual: CompareResult;
}

/** Finds the case's seed (the first from its base clear of every edge, else the base), runs it for real and on the virtual clock. */
export async function runCase(c: MatrixCase): Promise<MatrixRun> {
  const dir = await mkdtemp(join(tmpdir(), "apiwh-matrix-"));
  try {
    const path = join(dir, "case.json");
    const load = async (seed: number) => {
      await writeFile(path, JSON.stringify({ ...c.file, seed }));
      return loadScenarioFile(path);
    };
    // The first seed that exercises the case and is clear of every edge; else the first that exercises it.
    let chosen: { seed: number; scenario: Scenario } | undefined;
    let isClear = false;
    for (let k = 0; k < 40 && !isClear; k++) {
      const s = await load(c.baseSeed + k);
      if (!c.exercises(simulateScenario(s))) continue;
      isClear = clear(s);
      if (!chosen || isClear) chosen = { seed: c.baseSeed + k, scenario: s };
    }
    expect(chosen, `${c.label}: no seed from ${c.baseSeed} exercises the case`).toBeDefined();
    const { seed, scenario } = chosen!;
    await load(seed);
    const cli = await runCli(["compare", path, "--format", "json", "--details"], { timeoutMs: 90_000 });
    expect(cli.code, cli.stderr).toBe(0);
    return { c, seed, scenario, clear: isClear, real: JSON.parse(cli.stdout) as CompareResult, virtual: simulateScenario(scenario, { details: true }) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every relation of the matrix, for every strategy of a run. */
export function checkRun(run: MatrixRun): void {
  const { scenario, real, virtual } = run;
  const { latencyMs, jitterMs } = scenario.network;
  expect(run.c.exercises(virtual), `${run.c.label}: the seed exercises the case`).toBe(true);
  real.strategies.forEach((r, i) => {
    const v = virtual.strategies[i]!;
    const where = `${run.c.label}, ${r.name} (seed ${run.seed})`;
    expect(r.name).toBe(v.name);
    const d = deviation(r, scenario.speed);
    const spread = sensitivity(scenario, d)[i]!;
    const rc = counts(r);
    const vc = counts(v);
    const h = r.health!;
    const health = { loopback: h.loopbackRoundTripMs, providerLate: h.provider?.eventLoopDelayMs, consumerLate: h.consumer.eventLoopDelayMs };
    const report = { real: rc, virtual: vc, spread, deviationMs: Math.round(d * 10) / 10, clear: run.clear, health, latency: [r.latencyMs?.mean, v.latencyMs?.mean] };
    console.log(`${where}: ${JSON.stringify(report)}`);

    // Counts: within 2%, or within what the run's own measured deviation moves them on the virtual clock.
    for (const k of Object.keys(rc) as Array<keyof Counts>) {
      const allowed = Math.max(Math.floor(0.02 * vc[k]), spread[k]);
      expect(Math.abs(rc[k] - vc[k]), `${where}: ${k} ${rc[k]} vs ${vc[k]} (allowed ${allowed})`).toBeLessThanOrEqual(allowed);
    }

    // Every request is about one payment or counted once as shared.
    const perPayment = r.details!.reduce((sum, p) => sum + p.requests, 0);
    expect(perPayment + r.requests.unattributed, `${where}: Σ details[].requests + unattributed`).toBe(r.requests.total);
    const vPerPayment = v.details!.reduce((sum, p) => sum + p.requests, 0);
    expect(vPerPayment + v.requests.unattributed, `${where}: the simulation's Σ details[].requests + unattributed`).toBe(v.requests.total);

    // Wasted = total − useful, useful counted from what was learned in time: one request per
    // detection for pollers and webhooks, one stream for sse; a hybrid's useful requests are
    // deliveries and pages that brought a new outcome, at least one and at most one per detection.
    const useful = r.requests.total - r.requests.wasted;
    if (r.name === "sse") expect(useful, `${where}: useful`).toBe(r.payments.detected > 0 ? 1 : 0);
    else if (r.name === "hybrid") {
      expect(useful, `${where}: useful`).toBeLessThanOrEqual(r.payments.detected);
      expect(useful, `${where}: useful`).toBeGreaterThanOrEqual(Math.min(1, r.payments.detected));
    } else expect(useful, `${where}: useful`).toBe(r.payments.detected);

    // No outcome is known sooner than one trip through the configured network.
    for (const p of r.details!) if (p.latencyMs !== null) expect(p.latencyMs, `${where}: ${p.id}`).toBeGreaterThanOrEqual(latencyMs - jitterMs);

    // Bytes follow the requests: the same requests (the same number about each payment, the same
    // refusals), the same bytes (a list page's bytes also depend on which payments it lists, the
    // same when the run stayed within the seed's clearance).
    const samePerPayment = r.details!.every((p, k) => p.requests === v.details![k]!.requests);
    const sameRequests = samePerPayment && rc.c2p === vc.c2p && rc.p2c === vc.p2c && rc.rateLimited === vc.rateLimited && rc.server === vc.server;
    const exact = run.clear && d <= CLEARANCE_WALL_MS * scenario.speed;
    // A run that ended at its cutoff (payments still pending) may have had answers on their way
    // then: the real run counts those it wrote before its provider stopped, the simulation those
    // back by the end. Each pending payment has at most one answer in flight.
    const inFlight = r.payments.missed > 0 ? r.payments.missed * (r.name === "hybrid" ? MAX_ANSWER_BYTES.page : MAX_ANSWER_BYTES.poll) : 0;
    if (sameRequests && inFlight > 0) {
      expect(r.bytes.consumerToProvider, `${where}: bytes`).toBe(v.bytes.consumerToProvider);
      expect(Math.abs(r.bytes.providerToConsumer - v.bytes.providerToConsumer), `${where}: bytes back, ${r.payments.missed} pending at the end`).toBeLessThanOrEqual(inFlight);
    } else if (sameRequests && (r.name !== "hybrid" || exact)) {
      if (r.name === "sse") {
        // A stream's heartbeat that falls between the run's end and the stream's close (the real
        // run's own time, ×speed) is written and counted; the simulation stops at the end.
        const extra = r.bytes.providerToConsumer - v.bytes.providerToConsumer;
        expect([0, SSE_HEARTBEAT_BYTES], `${where}: stream bytes ${r.bytes.providerToConsumer} vs ${v.bytes.providerToConsumer}`).toContain(extra);
        expect(r.bytes.consumerToProvider, `${where}: bytes`).toBe(v.bytes.consumerToProvider);
      } else if (rc.rateLimited > 0 && r.name !== "hybrid") {
        // Which poll the token bucket refuses moves with the run's own timing, and a refused poll
        // that learnt nothing changes no count: the 429 can land on another payment's poll. The
        // answer that poll got instead names its payment in its body and its ETag, so pay_10's is
        // 2 bytes longer than pay_3's: up to 2 bytes per id digit of difference, per 429. Seen:
        // 11,951 against 11,949 bytes back with every count the same (polling-backoff, seed 305).
        const digits = String(scenario.payments.count).length - 1;
        if (r.name === "conditional") {
          // A conditional poller sends If-None-Match only once it holds its payment's ETag, so a 429
          // on one payment's first poll, against another's later poll in the other run, moves one
          // `if-none-match: "<etag>"` line between requests and turns a 304 into a 200 with its
          // body. Seen: 3,208 against 3,230 bytes sent, one 22-byte line (seed 305, under .ci/run).
          const sent = Math.abs(r.bytes.consumerToProvider - v.bytes.consumerToProvider);
          expect(sent, `${where}: bytes sent, ${rc.rateLimited} answered 429`).toBeLessThanOrEqual(IF_NONE_MATCH_LINE_MAX * rc.rateLimited);
          expect(Math.abs(r.bytes.providerToConsumer - v.bytes.providerToConsumer), `${where}: bytes back, ${rc.rateLimited} answered 429`).toBeLessThanOrEqual((MAX_ANSWER_BYTES.poll + 2 * digits) * rc.rateLimited);
        } else {
          expect(r.bytes.consumerToProvider, `${where}: bytes`).toBe(v.bytes.consumerToProvider);
          expect(Math.abs(r.bytes.providerToConsumer - v.bytes.providerToConsumer), `${where}: bytes back, ${rc.rateLimited} answered 429`).toBeLessThanOrEqual(2 * digits * rc.rateLimited);
        }
      } else expect(r.bytes, `${where}: bytes`).toEqual(v.bytes);
    }

    // Latency means within 5% + 2 ms, plus the machine's own time the real run measured, at its
    // speed: a loopback round trip (p99) and a late timer on each side (p90; a detection waits on
    // timers of both: a settlement, a poll slot, a delivery's departure), which the simulation
    // stands in for with one fixed round trip; plus what the run's measured deviation moves the
    // mean on the virtual clock (a poll that crossed a settlement or a token of the rate limit).
    if (r.latencyMs && v.latencyMs) {
      const late = (side: typeof h.consumer | null) => side?.eventLoopDelayMs.p90 ?? side?.eventLoopDelayMs.p99 ?? 0;
      const machine = ((h.loopbackRoundTripMs?.p99 ?? 0) + late(h.provider) + late(h.consumer)) * scenario.speed;
      // A walk that differs from the simulation's by a request (a 429 over a token's edge the probes
      // did not meet) re-draws that payment's next sleep: at most one sleep's ceiling (the backoff's
      // cap, a fixed poller's interval) on one payment's latency, so on the mean ÷ detected.
      const sleepCeiling = r.name === "polling-backoff" ? backoffOf(scenario).capMs : r.name === "polling" || r.name === "conditional" ? scenario.polling.intervalMs : 0;
      const walk = (Math.abs(rc.requests - vc.requests) * sleepCeiling) / Math.max(1, r.payments.detected);
      // A mean over n payments also carries one payment's worst stall, once: the largest timer
      // lateness of each side, over the detected payments (seen: hybrid under a rate limit, one
      // delivery late by a stall, mean 25.4 vs 10.4 ms against a margin of 13.2 without it).
      const worst = (((h.provider?.eventLoopDelayMs.max ?? 0) + (h.consumer.eventLoopDelayMs.max ?? 0)) * scenario.speed) / Math.max(1, r.payments.detected);
      const margin = 0.05 * v.latencyMs.mean + 2 + machine + spread.latencyMean + walk + worst;
      expect(Math.abs(r.latencyMs.mean - v.latencyMs.mean), `${where}: latency mean ${r.latencyMs.mean.toFixed(2)} vs ${v.latencyMs.mean.toFixed(2)} (margin ${margin.toFixed(2)})`).toBeLessThanOrEqual(margin);
    }
  });
}

/**
 * One file of the matrix: its cases run for real one after the other (two real runs at once would
 * add to each other's machine time), then each is checked. The cases are split over files so
 * vitest's workers can take them side by side.
 */
export function describeMatrix(title: string, cases: readonly MatrixCase[]): void {
  describe(`real and virtual clocks, under ${title}`, () => {
    const runs: MatrixRun[] = [];
    beforeAll(async () => {
      for (const c of cases) runs.push(await runCase(c));
    }, 120_000);

    for (const c of cases) it(c.label, () => checkRun(runs.find((r) => r.c === c)!));
  });
}
