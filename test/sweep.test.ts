import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { summarizeLatencies } from "../src/contract/latency.js";
import { renderSweepChart, renderSweepJson, renderSweepTable, sweepVerdict } from "../src/render/sweep.js";
import type { RunEvent } from "../src/contract/events.js";
import type { SweepResult } from "../src/contract/result.js";
import { parseIntervalList, validateIntervals } from "../src/run/sweep.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { settlementFor } from "../src/scenario/plan.js";
import { coloured, overWide, plain, strip } from "./render-fixtures.js";
import { sweep } from "./sweep-fixtures.js";

describe("renderSweepTable and renderSweepChart (hand-built sweep)", () => {
  it("the table: a row per interval, the webhook beneath, the trade-off in a sentence", () => {
    expect(renderSweepTable(sweep, plain)).toMatchInlineSnapshot(`
      "checkout · 20 payments · seed 42 · polling at 5 intervals, webhook as reference

                      requests  wasted       p50       p95      mean  missed
      polling 250 ms       412     392  118.4 ms  236.2 ms  121.7 ms       0
      polling 500 ms       216     196  241.3 ms  471.9 ms  244.8 ms       0
      polling 1 s          118      98  452.3 ms  951.2 ms  471.9 ms       0
      polling 2 s           69      49    1.01 s    1.90 s  987.2 ms       0
      polling 5 s           38      18    2.44 s    4.70 s    2.39 s       0
      webhook               21       1   0.61 ms   1.12 ms   0.68 ms       0

      polling every 250 ms: 20.6 requests per payment, p95 236.2 ms; every 5 s: 1.90
      requests per payment, p95 4.70 s. webhook: 1.05 requests per payment, p95
      1.12 ms: 19.6 fewer requests per payment than polling every 250 ms, and p95
      240 ms sooner."
    `);
  });

  it("the chart: requests across, p50 up on a log axis, each dot labelled, the webhook marked", () => {
    expect(renderSweepChart(sweep, plain)).toMatchInlineSnapshot(`
      "latency p50 (log scale)
        10 s ┤
             │      ● 5s
         1 s ┤        ··● 2s
             │             ···● 1s··
             │                      ······● 500ms·····
      100 ms ┤                                        ············● 250ms
             │
       10 ms ┤
             │
             │
        1 ms ┤    ◆ webhook
             │
      0.1 ms ┤
             └─┬───────────┬────────────┬───────────┬────────────┬───────────┬───────
               0          100          200         300          400         500
                                                                             requests
      ● polling, labelled by poll interval   ◆ webhook (reference)"
    `);
  });

  it("fits 80 columns, in colour too, and paints each strategy in its own colour", () => {
    for (const text of [renderSweepTable(sweep, coloured), renderSweepChart(sweep, coloured), renderSweepChart(sweep, coloured, 80)]) expect(overWide(text)).toEqual([]);
    const chart = renderSweepChart(sweep, coloured);
    expect(chart).toContain(coloured.strategies.polling!("●"));
    expect(chart).toContain(coloured.strategies.webhook!("◆"));
    expect(strip(chart)).toBe(renderSweepChart(sweep, plain));
  });

  it("a narrower chart still fits its width", () => {
    for (const width of [60, 72]) expect(strip(renderSweepChart(sweep, plain, width)).split("\n").every((l) => [...l].length <= width)).toBe(true);
  });

  it("linear axes when the figures do not span orders of magnitude", () => {
    const close: SweepResult = { ...sweep, webhook: null, points: sweep.points.slice(1, 3) };
    const chart = renderSweepChart(close, plain);
    expect(chart).not.toContain("log scale");
    expect(chart).toContain("● 500ms");
    expect(chart).toContain("● 1s");
  });

  it("says so when nothing was detected, and when the sweep was cut short", () => {
    const none: SweepResult = { ...sweep, partial: true, webhook: null, points: sweep.points.map((p) => ({ ...p, latencyMs: null })) };
    expect(renderSweepChart(none, plain)).toBe("no latency to chart: nothing was detected");
    expect(sweepVerdict(none)).toBe("polling detected nothing at any interval.");
    expect(renderSweepTable(none, plain)).toContain("partial results: the sweep was interrupted");
  });

  it("JSON is the SweepResult itself, fractions rounded", () => {
    const parsed = JSON.parse(renderSweepJson(sweep)) as SweepResult;
    expect(parsed.points.map((p) => p.intervalMs)).toEqual([250, 500, 1000, 2000, 5000]);
    expect(parsed.webhook).toMatchObject({ intervalMs: null, requests: { total: 21 } });
    expect(parsed.points[0]!.requests.perPayment).toBe(20.6);
  });
});

describe("--intervals", () => {
  it.each([
    ["250ms,500ms,1s,2s,5s", [250, 500, 1000, 2000, 5000]],
    [" 50ms , 1.5s ", [50, 1500]],
    ["2m", [120_000]],
  ])("%s", (text, ms) => expect(parseIntervalList(text)).toEqual(ms));

  it.each([[""], [","], ["fast"], ["0"], ["1s,soon"]])("rejects %j, naming the piece", (text) => {
    expect(() => parseIntervalList(text)).toThrow(/interval|duration/);
  });

  it("a sweep needs distinct intervals above zero", () => {
    expect(() => validateIntervals([])).toThrow(UsageError);
    expect(() => validateIntervals([100, 100])).toThrow(/twice/);
    expect(() => validateIntervals([100, -1])).toThrow(/above zero/);
  });
});

// The provider runs in a worker loaded from dist/, so the run goes through the built code.
const built = (await import(new URL("../dist/run/sweep.js", import.meta.url).href)) as typeof import("../src/run/sweep.js");

describe("sweepIntervals (real provider, loopback HTTP)", () => {
  const PAYMENTS = 10;
  const INTERVALS = [50, 200, 500];
  const DELAY = "uniform(200ms, 1s)";
  /**
   * How far a measured p50 may sit from the model's ⌈D/T⌉·T − D for the same draws: a poll's
   * answer on loopback takes about a millisecond and timers fire a few ms late (or the settlement
   * timer fires late, shortening the wait), so 25 ms leaves a CI runner room; where a run measured
   * its timers later than that (51 ms off was seen with the load average near 8), its own figure.
   * A p50 is an order statistic, so it moves no more than the samples do.
   */
  const P50_TOLERANCE_MS = 25;
  /** At most one poll per payment lands on the other side of a settlement boundary. */
  const REQUESTS_TOLERANCE = PAYMENTS / 2;

  const scenario = defaultScenario();
  scenario.name = "tiny";
  scenario.payments.count = PAYMENTS;
  scenario.settlement = { delay: parseDistribution(DELAY), failureRate: 0 };
  scenario.deadlineMs = 5_000;
  const delays = Array.from({ length: PAYMENTS }, (_, i) => settlementFor({ seed: scenario.seed, delay: scenario.settlement.delay, failureRate: 0 }, i).delayMs);
  const predicted = INTERVALS.map((T) => ({
    requests: delays.reduce((sum, d) => sum + Math.ceil(d / T) + 1, 0),
    p50: summarizeLatencies(delays.map((d) => Math.ceil(d / T) * T - d))!.p50,
  }));

  it("the scenario's draws keep neighbouring intervals further apart than the tolerances", () => {
    for (let i = 1; i < INTERVALS.length; i++) {
      expect(predicted[i - 1]!.requests - predicted[i]!.requests).toBeGreaterThan(2 * REQUESTS_TOLERANCE);
      expect(predicted[i]!.p50 - predicted[i - 1]!.p50).toBeGreaterThan(2 * P50_TOLERANCE_MS);
    }
  });

  it("fewer requests and a later p50 as the interval grows; the webhook needs payments + 1 requests", async () => {
    // Each run's own measure of how late its timers fired (both loops' worst, plus a sampling period
    // and a ms of rounding): a late poll lengthens a latency by at most that, a late settlement
    // shortens it by at most that, and an order statistic moves no more than its samples.
    // A poll whose answer comes back later than an interval (its timer late, or its round trip long)
    // is followed by the next slot still ahead, skipping those in between: fewer requests.
    const lateness: number[] = [];
    const answeredLate: number[] = [];
    const onEvent = (e: RunEvent) => {
      if (e.kind !== "strategy-end") return;
      const h = e.result.health;
      lateness.push(h?.provider ? Math.max(h.provider.eventLoopDelayMs.max, h.consumer.eventLoopDelayMs.max) + 6 : Infinity);
      answeredLate.push(h?.provider ? lateness.at(-1)! + (h.consumer.roundTripMs?.max ?? 0) : Infinity);
    };
    const result = await built.sweepIntervals(scenario, INTERVALS, { host: "127.0.0.1", webhookPort: 0, details: false, onEvent });
    expect(result.partial).toBe(false);
    expect(result.points.map((p) => p.intervalMs)).toEqual(INTERVALS);
    result.points.forEach((p, i) => {
      expect(p.payments.missed).toBe(0);
      const skippable = PAYMENTS * Math.floor(answeredLate[i]! / p.intervalMs!);
      expect(Math.abs(p.requests.total - predicted[i]!.requests), `requests at ${p.intervalMs} ms; answers up to ${answeredLate[i]} ms late`).toBeLessThanOrEqual(REQUESTS_TOLERANCE + skippable);
      expect(Math.abs(p.latencyMs!.p50 - predicted[i]!.p50), `p50 at ${p.intervalMs} ms; timers up to ${lateness[i]} ms late`).toBeLessThanOrEqual(Math.max(P50_TOLERANCE_MS, lateness[i]!));
    });
    for (let i = 1; i < result.points.length; i++) {
      expect(result.points[i]!.requests.total).toBeLessThan(result.points[i - 1]!.requests.total);
      expect(result.points[i]!.latencyMs!.p50).toBeGreaterThan(result.points[i - 1]!.latencyMs!.p50);
    }
    // One delivery per payment and the endpoint's registration.
    expect(result.webhook!.requests.total).toBe(PAYMENTS + 1);
    expect(result.webhook!.payments.missed).toBe(0);
    expect(result.webhook!.latencyMs!.p50).toBeLessThan(result.points[0]!.latencyMs!.p50);
    expect(result.scenario).toMatchObject({ name: "tiny", payments: PAYMENTS, seed: 42 });
    // The whole sweep renders within 80 columns.
    expect(overWide(renderSweepTable(result, coloured) + "\n" + renderSweepChart(result, coloured))).toEqual([]);
  }, 30_000);
});
