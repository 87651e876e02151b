import { describe, expect, it } from "vitest";
import { summarizeLatencies } from "../src/contract/latency.js";

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
});
