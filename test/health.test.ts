import { describe, expect, it } from "vitest";
import type { LoopHealth, RunHealth } from "../src/contract/result.js";
import { LoopMonitor, MONITOR_RESOLUTION_MS } from "../src/measure/health.js";
import { DELAY_FLOOR_MS, healthWarnings, strategyWarnings, type HealthInput } from "../src/render/health.js";

const calm: LoopHealth = { eventLoopDelayMs: { p50: 0.1, p99: 1.2, max: 2.5 }, utilization: 0.05 };
const side = (p99: number, utilization = 0.1): LoopHealth => ({ eventLoopDelayMs: { p50: p99 / 4, p99, max: p99 * 2 }, utilization });
const run = (provider: LoopHealth | null, consumer: LoopHealth, loopback: number | null = null): RunHealth => ({
  unit: "wall-clock ms",
  provider,
  consumer,
  loopbackRoundTripMs: loopback === null ? null : { p50: loopback, p99: loopback * 2, max: loopback * 3 },
  warnings: [],
});
/** A result's health as a hand-built fixture carries it: no warnings recorded, so they are computed (at speed 1). */
const bare = (provider: LoopHealth | null, consumer: LoopHealth) => ({ provider, consumer });

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin: a stall the monitor must see */
  }
}

describe("LoopMonitor", () => {
  it("reports a calm loop as calm: delays are lateness beyond the sampling period, not the period itself", async () => {
    // A 50 ms period: Node records period + lateness, so a monitor that forgot to subtract the
    // period would read at least 50 ms, while a waiting loop's p50 lateness is a fraction of a
    // millisecond on an idle machine; half a period leaves a loaded machine 25 ms.
    const PERIOD_MS = 50;
    const monitor = new LoopMonitor(PERIOD_MS);
    monitor.start();
    await new Promise((r) => setTimeout(r, 8 * PERIOD_MS));
    const h = monitor.stop();
    expect(h.eventLoopDelayMs.p50).toBeLessThan(PERIOD_MS / 2);
    // Waiting is not working: a loop that only waits is busy a small share of the time.
    expect(h.utilization).toBeLessThan(0.5);
  });

  it("sees a stall and a busy loop", async () => {
    const monitor = new LoopMonitor();
    const started = performance.now();
    monitor.start();
    await new Promise((r) => setTimeout(r, 20));
    blockFor(60);
    await new Promise((r) => setTimeout(r, 10));
    const h = monitor.stop();
    const wallMs = performance.now() - started;
    // The sample due during the 60 ms block fires at its end, about 60 − 5 (one period) late;
    // another period of slack covers where the block fell between two samples.
    expect(h.eventLoopDelayMs.max).toBeGreaterThan(60 - 2 * MONITOR_RESOLUTION_MS);
    // The loop was busy for the 60 ms block at least, within a window no longer than wallMs
    // (timers firing late on a loaded machine lengthen the window, not the busy time).
    expect(h.utilization * wallMs).toBeGreaterThanOrEqual(60 * 0.99);
  });

  it("reads zeros when never started", () => {
    expect(new LoopMonitor().stop()).toEqual({ eventLoopDelayMs: { p50: 0, p90: 0, p99: 0, max: 0 }, utilization: 0 });
  });
});

describe("healthWarnings", () => {
  const cases: Array<{ what: string; input: HealthInput; expected: RegExp[] }> = [
    { what: "calm sides", input: { name: "polling", latencyMs: { p50: 480 }, health: run(calm, calm) }, expected: [] },
    { what: "no health at all (a hand-built result)", input: { name: "webhook", latencyMs: { p50: 0.3 } }, expected: [] },
    {
      what: "a consumer 60 ms late against a 480 ms p50 (limit 48 ms)",
      input: { name: "polling", latencyMs: { p50: 480 }, health: run(calm, side(60)) },
      expected: [/^warning: during polling, the consumer \(main thread\): its event loop ran timers up to 60\.0 ms late \(p99\), more than a tenth of the 480 ms latency p50; .*Try a longer interval, or --clock virtual\.$/],
    },
    { what: "40 ms late against a 480 ms p50 is within a tenth", input: { name: "polling", latencyMs: { p50: 480 }, health: run(side(40), side(40)) }, expected: [] },
    {
      what: "a small p50 falls back to the noise floor",
      input: { name: "webhook", latencyMs: { p50: 0.3 }, health: run(side(DELAY_FLOOR_MS - 0.5), side(DELAY_FLOOR_MS + 1)) },
      expected: [/consumer \(main thread\): its event loop ran timers up to 6\.00 ms late \(p99\), more than the 5 ms the monitor can resolve/],
    },
    {
      what: "a saturated provider, named, with its share",
      input: { name: "polling", latencyMs: { p50: 500 }, health: run(side(10, 0.97), calm) },
      expected: [/^warning: during polling, the provider \(worker thread\): its event loop was busy 97% of the time \(saturated\);/],
    },
    {
      what: "both rules on both sides, one sentence per side",
      input: { name: "polling", latencyMs: { p50: 100 }, health: run(side(30, 0.95), side(12, 0.99)) },
      expected: [/provider.*busy 95%.* and its event loop ran timers up to 30\.0 ms late/, /consumer.*busy 99%.* and its event loop ran timers up to 12\.0 ms late/],
    },
    { what: "nothing detected: only the floor applies", input: { name: "sse", latencyMs: null, health: run(null, side(8)) }, expected: [/during sse, the consumer \(main thread\): .* 8\.00 ms late \(p99\), more than the 5 ms/] },
    { what: "utilisation of exactly 0.9 is not saturation", input: { name: "webhook", latencyMs: { p50: 1 }, health: run(side(1, 0.9), calm) }, expected: [] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      // The run records its warnings; a result without them (hand-built) has them computed at speed 1.
      const warnings = healthWarnings([{ ...c.input, health: c.input.health && bare(c.input.health.provider, c.input.health.consumer) }]);
      expect(strategyWarnings(c.input, 1)).toEqual(warnings);
      expect(warnings).toHaveLength(c.expected.length);
      c.expected.forEach((re, i) => expect(warnings[i]).toMatch(re));
    });
  }
});

describe("healthWarnings: queued requests", () => {
  it("warns when polls queued although neither loop looked busy", () => {
    const consumer: LoopHealth = { ...calm, roundTripMs: { p50: 0.4, p99: 900, max: 1800 } };
    const [warning, ...rest] = healthWarnings([{ name: "polling", latencyMs: { p50: 465 }, health: bare(calm, consumer) }]);
    expect(rest).toEqual([]);
    expect(warning).toMatch(/during polling, the consumer \(main thread\): its polls took up to 900 ms beyond the simulated network \(p99 round trip, queueing included\), more than a tenth of the 465 ms latency p50;/);
  });
  it("stays quiet for loopback round trips", () => {
    const consumer: LoopHealth = { ...calm, roundTripMs: { p50: 0.4, p99: 2.1, max: 12 } };
    expect(healthWarnings([{ name: "polling", latencyMs: { p50: 465 }, health: bare(calm, consumer) }])).toEqual([]);
  });
});

describe("roundTripSummary", () => {
  it("takes nearest-rank percentiles of what was recorded", async () => {
    const { RoundTrips } = await import("../src/measure/health.js");
    const trips = new RoundTrips();
    expect(trips.summary()).toBeNull();
    for (let i = 100; i >= 1; i--) trips.record(i);
    for (let i = 0; i < 5000; i++) trips.record(1); // grows past the first buffer
    // 5,100 samples: 5,001 ones, then 2…100; rank ⌈0.99·5100⌉ = 5049 is the 48th of those, 49.
    // p90: rank 4590, a one.
    expect(trips.summary()).toEqual({ p50: 1, p90: 1, p99: 49, max: 100 });
  });
});

describe("healthWarnings: sample size, speed and the recorded warnings", () => {
  it("judges a small run by its typical delay, not by one hiccup: three detections read the p50, thirty the p90, three hundred the p99", () => {
    const hiccup: LoopHealth = { eventLoopDelayMs: { p50: 0.2, p90: 0.8, p99: 7, max: 12 }, utilization: 0.05 };
    const at = (detected: number) => strategyWarnings({ name: "webhook", latencyMs: { p50: 1.1 }, payments: { total: detected, detected }, health: run(calm, hiccup) }, 1);
    expect(at(3)).toEqual([]);
    expect(at(30)).toEqual([]);
    expect(at(300)).toHaveLength(1);
    expect(at(300)[0]).toMatch(/ran timers up to 7\.00 ms late \(p99\)/);
    // A typical delay past the floor is news at any size.
    const slow: LoopHealth = { eventLoopDelayMs: { p50: 6, p90: 8, p99: 9, max: 10 }, utilization: 0.3 };
    expect(strategyWarnings({ name: "webhook", latencyMs: { p50: 1.1 }, payments: { total: 3, detected: 3 }, health: run(calm, slow) }, 1)[0]).toMatch(/up to 6\.00 ms late \(p50\)/);
  });

  it("compares in scenario time: a delay that is a fraction of the latency at speed 1 is more than a tenth of it at speed 20", () => {
    const late: LoopHealth = { eventLoopDelayMs: { p50: 3, p90: 8, p99: 30, max: 40 }, utilization: 0.3 };
    const input: HealthInput = { name: "polling", latencyMs: { p50: 4000 }, payments: { total: 300, detected: 300 }, health: run(calm, late) };
    // 30 ms against a 4 s p50: quiet at speed 1 (limit 400 ms), loud at speed 20 (30 ms of wall time is 600 ms of scenario time).
    expect(strategyWarnings(input, 1)).toEqual([]);
    expect(strategyWarnings(input, 20)[0]).toMatch(/ran timers up to 30\.0 ms late \(p99\), more than a tenth of the 4\.00 s latency p50 at --speed 20.*Try a lower speed, a longer interval, or --clock virtual\.$/);
  });

  it("says when speed stretches the machine's own round trip past a tenth of a latency, and which speed would not", () => {
    // A webhook at speed 100 reports about 100 × its real millisecond.
    const input: HealthInput = { name: "webhook", latencyMs: { p50: 97 }, payments: { total: 20, detected: 20 }, health: run(calm, calm, 0.9) };
    const [warning, ...rest] = strategyWarnings(input, 100);
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^warning: at --speed 100, this machine's own 0\.90 ms per exchange \(loopback round trip, p50\) counts as 90\.0 ms of scenario time, more than a tenth of webhook's 97\.0 ms latency p50/);
    expect(warning).toMatch(/so webhook's figures carry the tool's own delay, multiplied by the speed\. Use a lower speed, or --clock virtual\.$/);
    // A polling p50 of a second tolerates speed 20 with the same machine: 19 × 0.9 ms is under 100 ms.
    expect(strategyWarnings({ ...input, name: "polling", latencyMs: { p50: 1000 } }, 20)).toEqual([]);
    expect(strategyWarnings({ ...input, name: "polling", latencyMs: { p50: 1000 } }, 200)[0]).toMatch(/^warning: at --speed 200, .* 180 ms of scenario time, more than a tenth of polling's 1\.00 s latency p50/);
    // Speed 1 stretches nothing.
    expect(strategyWarnings(input, 1)).toEqual([]);
  });

  it("prints what the run recorded, whatever the health figures would say at speed 1", () => {
    const recorded = { ...run(calm, calm, 0.9), warnings: ["warning: recorded by the run"] };
    expect(healthWarnings([{ name: "webhook", latencyMs: { p50: 97 }, health: recorded }])).toEqual(["warning: recorded by the run"]);
  });
});
