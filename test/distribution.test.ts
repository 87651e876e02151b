import { describe, expect, it } from "vitest";
import { ParseError } from "../src/errors.js";
import { formatDuration, parseDuration } from "../src/scenario/duration.js";
import { meanOf, parseDistribution, sample } from "../src/scenario/distribution.js";
import { arrivalOffsets, settlementFor } from "../src/scenario/plan.js";
import { Rng, rngFor } from "../src/scenario/random.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["2s", 2000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    ["0", 0],
    ["0ms", 0],
    ["500us", 0.5],
    [" 3s ", 3000],
    ["2min", 120_000],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["5 sec", "", "ms", "-1s", "1", "1.2.3s", "2 hours", "1e3ms", "NaNs"])("rejects %j with the expected form", (text) => {
    expect(() => parseDuration(text)).toThrow(ParseError);
    expect(() => parseDuration(text)).toThrow(/expected a number with a unit/);
  });

  it("formats for people", () => {
    expect(formatDuration(0.42)).toBe("0.42 ms");
    expect(formatDuration(452.3)).toBe("452.3 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(150_000)).toBe("2.5 min");
  });
});

describe("distributions", () => {
  it.each([
    ["fixed(2s)", { kind: "fixed", valueMs: 2000 }],
    ["uniform(500ms, 4s)", { kind: "uniform", minMs: 500, maxMs: 4000 }],
    ["exponential(mean=2s)", { kind: "exponential", meanMs: 2000 }],
    ["lognormal(median=2s, p95=8s)", { kind: "lognormal", medianMs: 2000, p95Ms: 8000 }],
    ["2s", { kind: "fixed", valueMs: 2000 }],
  ])("parses %s", (text, shape) => expect(parseDistribution(text)).toMatchObject(shape));

  it.each([
    ["uniform(4s, 1s)", /impossible/],
    ["normal(2s)", /unknown distribution/],
    ["uniform(1s)", /takes 2 arguments/],
    ["exponential(mean=0s)", /positive mean/],
    ["lognormal(median=8s, p95=2s)", /impossible/],
    ["exponential(median=2s)", /names "median"/],
    ["uniform(1 sec, 2s)", /not a duration/],
    ["fixed(", /not a distribution/],
  ])("rejects %s", (text, message) => {
    expect(() => parseDistribution(text)).toThrow(ParseError);
    expect(() => parseDistribution(text)).toThrow(message);
  });

  it.each(["fixed(2s)", "uniform(500ms, 4s)", "exponential(mean=2s)", "lognormal(median=2s, p95=8s)"])("%s: the sample mean over 20,000 seeded draws is within 3%% of the theoretical mean", (text) => {
    const dist = parseDistribution(text);
    const rng = new Rng(7);
    let sum = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) sum += sample(dist, rng);
    expect(Math.abs(sum / n - meanOf(dist)) / meanOf(dist)).toBeLessThan(0.03);
  });

  it("lognormal puts 95% of draws below p95", () => {
    const dist = parseDistribution("lognormal(median=2s, p95=8s)");
    const rng = new Rng(11);
    const draws = Array.from({ length: 20_000 }, () => sample(dist, rng)).sort((a, b) => a - b);
    expect(draws[Math.floor(draws.length * 0.5)]! / 2000).toBeGreaterThan(0.95);
    expect(draws[Math.floor(draws.length * 0.5)]! / 2000).toBeLessThan(1.05);
    expect(draws[Math.floor(draws.length * 0.95)]! / 8000).toBeGreaterThan(0.93);
    expect(draws[Math.floor(draws.length * 0.95)]! / 8000).toBeLessThan(1.07);
  });

  it("uniform stays inside its bounds", () => {
    const dist = parseDistribution("uniform(500ms, 4s)");
    const rng = new Rng(3);
    for (let i = 0; i < 5000; i++) {
      const v = sample(dist, rng);
      expect(v).toBeGreaterThanOrEqual(500);
      expect(v).toBeLessThan(4000);
    }
  });
});

describe("seeded settlements", () => {
  const rule = { seed: 42, delay: parseDistribution("uniform(500ms, 4s)"), failureRate: 0.05 };

  it("the same (seed, index) always gives the same settlement, whatever was drawn before", () => {
    const forward = Array.from({ length: 50 }, (_, i) => settlementFor(rule, i));
    const backward = Array.from({ length: 50 }, (_, i) => settlementFor(rule, 49 - i)).reverse();
    expect(backward).toEqual(forward);
  });

  it("another seed gives other delays", () => {
    const a = Array.from({ length: 20 }, (_, i) => settlementFor(rule, i).delayMs);
    const b = Array.from({ length: 20 }, (_, i) => settlementFor({ ...rule, seed: 43 }, i).delayMs);
    expect(a).not.toEqual(b);
  });

  it("fails about failureRate of payments", () => {
    const n = 20_000;
    let failed = 0;
    for (let i = 0; i < n; i++) if (settlementFor(rule, i).outcome === "failed") failed++;
    expect(failed / n).toBeGreaterThan(0.04);
    expect(failed / n).toBeLessThan(0.06);
  });

  it("independent streams do not correlate", () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (rngFor(1, 1, i).next() === rngFor(1, 2, i).next()) same++;
    expect(same).toBe(0);
  });

  it("Poisson arrivals: increasing offsets with the requested mean rate", () => {
    const offsets = arrivalOffsets({ kind: "rate", perSecond: 50, source: "50/s" }, 10_000, 42);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThanOrEqual(offsets[i - 1]!);
    const rate = (offsets.length - 1) / (offsets[offsets.length - 1]! / 1000);
    expect(rate).toBeGreaterThan(48);
    expect(rate).toBeLessThan(52);
    expect([...arrivalOffsets({ kind: "burst" }, 5, 42)]).toEqual([0, 0, 0, 0, 0]);
  });
});
