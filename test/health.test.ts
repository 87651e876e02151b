import { describe, expect, it } from "vitest";
import type { LoopHealth, RunHealth } from "../src/contract/result.js";
import { LoopMonitor, MONITOR_RESOLUTION_MS } from "../src/measure/health.js";
import { DELAY_FLOOR_MS, healthWarnings, type HealthInput } from "../src/render/health.js";

const calm: LoopHealth = { eventLoopDelayMs: { p50: 0.1, p99: 1.2, max: 2.5 }, utilization: 0.05 };
const side = (p99: number, utilization = 0.1): LoopHealth => ({ eventLoopDelayMs: { p50: p99 / 4, p99, max: p99 * 2 }, utilization });
const run = (provider: LoopHealth | null, consumer: LoopHealth): RunHealth => ({ provider, consumer });

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
    expect(new LoopMonitor().stop()).toEqual({ eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, utilization: 0 });
  });
});

describe("healthWarnings", () => {
  const cases: Array<{ what: string; input: HealthInput; expected: RegExp[] }> = [
    { what: "calm sides", input: { name: "polling", latencyMs: { p50: 480 }, health: run(calm, calm) }, expected: [] },
    { what: "no health at all (a hand-built result)", input: { name: "webhook", latencyMs: { p50: 0.3 } }, expected: [] },
    {
      what: "a consumer 60 ms late against a 480 ms p50 (limit 48 ms)",
      input: { name: "polling", latencyMs: { p50: 480 }, health: run(calm, side(60)) },
      expected: [/^warning: during polling, the consumer \(main thread\): its event loop ran timers up to 60\.0 ms late \(p99\), more than a tenth of the 480 ms latency p50; .*Try fewer payments, a longer interval, or --clock virtual\.$/],
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
      const warnings = healthWarnings([c.input]);
      expect(warnings).toHaveLength(c.expected.length);
      c.expected.forEach((re, i) => expect(warnings[i]).toMatch(re));
    });
  }
});

describe("healthWarnings: queued requests", () => {
  it("warns when polls queued although neither loop looked busy", () => {
    const consumer: LoopHealth = { ...calm, roundTripMs: { p50: 0.4, p99: 900, max: 1800 } };
    const [warning, ...rest] = healthWarnings([{ name: "polling", latencyMs: { p50: 465 }, health: run(calm, consumer) }]);
    expect(rest).toEqual([]);
    expect(warning).toMatch(/during polling, the consumer \(main thread\): its polls took up to 900 ms \(p99 round trip, queueing included\), more than a tenth of the 465 ms latency p50;/);
  });
  it("stays quiet for loopback round trips", () => {
    const consumer: LoopHealth = { ...calm, roundTripMs: { p50: 0.4, p99: 2.1, max: 12 } };
    expect(healthWarnings([{ name: "polling", latencyMs: { p50: 465 }, health: run(calm, consumer) }])).toEqual([]);
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
    expect(trips.summary()).toEqual({ p50: 1, p99: 49, max: 100 });
  });
});
