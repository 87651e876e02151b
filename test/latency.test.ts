import hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { LatencyAggregate, summarizeLatencies } from "../src/contract/latency.js";
import { Rng } from "../src/scenario/random.js";

/** The aggregation this module replaced: hdr-histogram-js itself, µs, 3 significant digits. */
function viaHdr(values: number[]) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3 });
  for (const v of values) h.recordValue(Math.max(0, Math.round(v * 1000)));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const at = (p: number) => Math.min(max, Math.max(min, h.getValueAtPercentile(p) / 1000));
  const out = { p50: at(50), p90: at(90), p95: at(95), p99: at(99) };
  h.destroy();
  return out;
}

describe("summarizeLatencies", () => {
  it("is null when nothing was detected", () => expect(summarizeLatencies([])).toBeNull());

  it("exact min, max and mean; percentiles within HDR's 3 significant digits", () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 0.5); // 0.5 … 500 ms
    const s = summarizeLatencies(values)!;
    expect(s.min).toBe(0.5);
    expect(s.max).toBe(500);
    expect(s.mean).toBeCloseTo(250.25, 9);
    expect(s.p50).toBeGreaterThan(249.5 * 0.999);
    expect(s.p50).toBeLessThan(250.5 * 1.001);
    expect(s.p99).toBeGreaterThan(494 * 0.999);
    expect(s.p99).toBeLessThan(496 * 1.001);
  });

  it("keeps percentiles ordered and inside [min, max]", () => {
    const values = [0.31, 0.29, 5, 1200, 0.4, 0.35];
    const s = summarizeLatencies(values)!;
    const order = [s.min, s.p50, s.p90, s.p95, s.p99, s.max];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("resolves sub-millisecond values to the microsecond", () => {
    const s = summarizeLatencies([0.123, 0.123, 0.123])!;
    expect(s.p50).toBeCloseTo(0.123, 3);
  });

  it("gives hdr-histogram-js's percentiles exactly, bucket edges and every magnitude included", () => {
    const rng = new Rng(7);
    const cases: number[][] = [
      [0],
      [0, 0.0004, 0.0005, 2.047, 2.048, 2.049, 4.095, 4.096],
      // Powers of two in µs and their neighbours, where Math.log2 decides the bucket.
      Array.from({ length: 39 }, (_, k) => [2 ** (k + 1) - 1, 2 ** (k + 1), 2 ** (k + 1) + 1].map((us) => us / 1000)).flat(),
      Array.from({ length: 5000 }, () => rng.next() * 1000),
      Array.from({ length: 5000 }, () => Math.exp(rng.next() * 20) / 1000), // 1 µs to 8 minutes
      Array.from({ length: 7 }, () => 604_800_000 * rng.next()), // up to the 7-day deadline
    ];
    for (const values of cases) {
      const s = summarizeLatencies(values)!;
      expect({ p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 }).toEqual(viaHdr(values));
    }
  });

  it("aggregates in any batch the same as all at once, in constant memory", () => {
    const rng = new Rng(11);
    const values = Array.from({ length: 20_000 }, () => rng.next() * 3000);
    const streaming = new LatencyAggregate();
    for (const v of values) streaming.add(v);
    expect(streaming.summary()).toEqual(summarizeLatencies(values));
    expect(streaming.count).toBe(20_000);
    expect(new LatencyAggregate().summary()).toBeNull();
  });
});
