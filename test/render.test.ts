import { describe, expect, it } from "vitest";
import type { CompareDocument, CompareResult, StrategyResult } from "../src/contract/result.js";
import { colorEnabled, strategyColor } from "../src/render/color.js";
import { formatBytes, formatCount, formatMs, formatRatio } from "../src/contract/format.js";
import { renderJson } from "../src/render/json.js";
import { renderTable } from "../src/render/table.js";
import { decide } from "../src/contract/verdict.js";
import { coloured, compareResult, plain, polling, seven, strip, two, variant, webhook } from "./render-fixtures.js";
describe("renderTable", () => {
  it("lays out two strategies side by side, with a header and the verdict", () => {
    expect(renderTable(two, plain)).toMatchInlineSnapshot(`
      "checkout · 20 payments · seed 42 · poll every 1 s
      ┌───────────────────────┬──────────┬─────────┐
      │                       │  polling │ webhook │
      ├───────────────────────┼──────────┼─────────┤
      │ Requests              │          │         │
      │   total               │      118 │      23 │
      │   model: requests     │      117 │      21 │
      │   wasted              │ 98 (83%) │ 3 (13%) │
      │   per payment         │     5.90 │    1.15 │
      │   consumer→provider   │      118 │       1 │
      │   provider→consumer   │        0 │      22 │
      │                       │          │         │
      │ Bytes                 │          │         │
      │   total               │  27.3 kB │ 14.2 kB │
      │   consumer→provider   │  13.0 kB │   212 B │
      │   provider→consumer   │  14.3 kB │ 14.0 kB │
      │                       │          │         │
      │ Detection latency     │          │         │
      │   min                 │  3.20 ms │ 0.41 ms │
      │   mean                │ 471.9 ms │ 0.68 ms │
      │   model: latency mean │ 455.2 ms │ 0.00 ms │
      │   p50                 │ 452.3 ms │ 0.61 ms │
      │   p90                 │ 903.1 ms │ 0.97 ms │
      │   p95                 │ 951.2 ms │ 1.12 ms │
      │   p99                 │ 991.7 ms │ 1.46 ms │
      │   max                 │ 998.4 ms │ 1.52 ms │
      │                       │          │         │
      │ Payments              │          │         │
      │   detected            │    20/20 │   20/20 │
      │   missed              │        0 │       0 │
      │   duplicates          │        0 │       1 │
      │                       │          │         │
      │ Deliveries            │          │         │
      │   attempted           │        0 │      22 │
      │   succeeded           │        0 │      20 │
      │   retried             │        0 │       2 │
      │                       │          │         │
      │ Load                  │          │         │
      │   requests/s (mean)   │     12.8 │    2.73 │
      │   busiest second      │       20 │       6 │
      │   held open (most)    │        0 │       0 │
      │                       │          │         │
      │ Duration              │   9.18 s │  8.41 s │
      └───────────────────────┴──────────┴─────────┘
      Model vs measured
        polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts
          only the network, not this machine's own time (request processing, timers,
          the event loop).
        polling: 118 requests vs 117 modelled: within one per payment; the model
          leaves out this machine's own time per exchange.
        webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the
          network, not this machine's own time (request processing, timers, the event
          loop).
        webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model
          expects none.
      Both learned all 20 outcomes. Duplicate deliveries, recognised by id and
      processed once: webhook 1. webhook learned outcomes sooner: p95 0.95 s sooner
      than polling (1.12 ms vs 951.2 ms). webhook needed 1.15 requests per payment
      against polling's 5.90 (4.75 fewer), and moved 711 B per payment against
      polling's 1.4 kB (652 B less).
      → use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75
        more requests per payment"
    `);
  });

  it.each([
    ["2 strategies", two],
    ["7 strategies", seven],
    ["7 strategies, interrupted, sped up", compareResult(seven.strategies, { partial: true, scenario: { ...seven.scenario, name: "a-scenario-with-a-rather-long-name-for-a-header", speed: 25 } })],
    ["a name wider than the terminal", compareResult([polling, webhook], { scenario: { ...two.scenario, name: "x".repeat(130), seed: 123_456_789 } })],
  ])("fits 80 columns with %s, coloured or not", (_label, result) => {
    for (const palette of [plain, coloured]) {
      for (const line of strip(renderTable(result, palette)).split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    }
  });

  it("splits 7 strategies into tables of at most 4, each repeating the metric column", () => {
    const out = renderTable(seven, plain);
    const tables = out.split("\n").filter((line) => line.startsWith("┌"));
    expect(tables.length).toBeGreaterThanOrEqual(2);
    const heads = out.split("\n").filter((line) => /^│\s+│/.test(line) && /polling|sse|webhook|hybrid|conditional/.test(line));
    expect(heads).toHaveLength(tables.length);
    for (const head of heads) expect(head.split("│").length - 3).toBeLessThanOrEqual(4);
    expect(out.match(/Detection latency/g)).toHaveLength(tables.length);
    for (const s of seven.strategies) expect(out).toContain(s.name);
  });

  it("uses no ANSI codes when colour is off and some when it is on", () => {
    expect(renderTable(seven, plain)).not.toContain("\x1b[");
    expect(renderTable(compareResult([variant(polling, "polling", { detected: 18 }), webhook], { partial: true }), plain)).not.toContain("\x1b[");
    expect(renderTable(two, coloured)).toContain("\x1b[");
  });

  it("paints missed payments red and warns about a partial run", () => {
    const result = compareResult([variant(polling, "polling", { detected: 18 }), webhook], { partial: true });
    const out = renderTable(result, coloured);
    expect(out).toContain(coloured.bad("2"));
    expect(out).toContain(coloured.warn("partial results: the run was interrupted"));
    expect(renderTable(two, plain)).not.toContain("partial results");
  });

  it("hides deliveries when no strategy received any, and shows speed when it is not 1", () => {
    const out = renderTable(compareResult([polling], { scenario: { ...two.scenario, speed: 10, payments: 1 } }), plain);
    expect(out).not.toContain("Deliveries");
    expect(out.split("\n")[0]).toBe("checkout · 1 payment · seed 42 · poll every 1 s · speed 10×");
    expect(renderTable(two, plain)).toContain("Deliveries");
  });

  it("ends without a newline", () => {
    expect(renderTable(two, plain).endsWith("\n")).toBe(false);
  });
});

describe("format", () => {
  it.each([
    [0, "0"],
    [7, "7"],
    [999, "999"],
    [1000, "1,000"],
    [12_345, "12,345"],
    [1_234_567, "1,234,567"],
    [-4321, "-4,321"],
    [12.6, "13"],
  ])("formatCount(%d) = %s", (n, expected) => expect(formatCount(n)).toBe(expected));

  it.each([
    [0, "0 B"],
    [812, "812 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [14_200, "14.2 kB"],
    [14_249, "14.2 kB"],
    [812_400, "812 kB"],
    [999_960, "1.0 MB"],
    [3_100_000, "3.1 MB"],
    [2_500_000_000, "2.5 GB"],
  ])("formatBytes(%d) = %s", (n, expected) => expect(formatBytes(n)).toBe(expected));

  it.each([
    [1, "1.0×"],
    [1.04, "1.04×"],
    [5.1, "5.1×"],
    [5.13043, "5.13×"],
    [9.999, "10×"],
    [45, "45×"],
    [45.67, "45.7×"],
    [741.47, "741×"],
    [999.6, "1,000×"],
    [12_437, "12,400×"],
    [452_300, "452,000×"],
    [Infinity, "∞×"],
  ])("formatRatio(%d) = %s", (x, expected) => expect(formatRatio(x)).toBe(expected));

  it("formatMs follows formatDuration", () => {
    expect(formatMs(0.61)).toBe("0.61 ms");
    expect(formatMs(452.3)).toBe("452.3 ms");
    expect(formatMs(9184.2)).toBe("9.18 s");
  });
});

describe("colour", () => {
  it.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean]>([
    ["a TTY", { isTTY: true }, {}, true],
    ["a pipe", { isTTY: false }, {}, false],
    ["a stream without isTTY", {}, {}, false],
    ["NO_COLOR on a TTY", { isTTY: true }, { NO_COLOR: "1" }, false],
    ["an empty NO_COLOR on a TTY", { isTTY: true }, { NO_COLOR: "" }, true],
    ["TERM=dumb on a TTY", { isTTY: true }, { TERM: "dumb" }, false],
    ["FORCE_COLOR on a pipe", { isTTY: false }, { FORCE_COLOR: "1" }, true],
    ["FORCE_COLOR over NO_COLOR", { isTTY: false }, { FORCE_COLOR: "3", NO_COLOR: "1" }, true],
    ["FORCE_COLOR=0 on a TTY", { isTTY: true }, { FORCE_COLOR: "0" }, false],
    ["an empty FORCE_COLOR on a pipe", { isTTY: false }, { FORCE_COLOR: "", NO_COLOR: "" }, false],
  ])("%s", (_label, stream, env, expected) => expect(colorEnabled(stream, env)).toBe(expected));

  it("gives every strategy its own colour, and none when disabled", () => {
    const names = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"];
    const painted = names.map((n) => strategyColor(coloured, n)("x"));
    expect(new Set(painted).size).toBe(names.length);
    for (const n of names) expect(strategyColor(plain, n)(n)).toBe(n);
    expect(strategyColor(coloured, "smoke-signals")("x")).toBe("x");
  });
});

describe("renderJson", () => {
  it("round-trips the result with fractions rounded to 3 decimals", () => {
    const text = renderJson(seven);
    expect(text.endsWith("\n")).toBe(false);
    expect(text).not.toMatch(/\d\.\d{4,}/);
    const parsed = JSON.parse(text) as CompareDocument;
    expect(parsed.strategies[5]!.latencyMs!.mean).toBe(0.681);
    expect(parsed.strategies[0]!.durationMs).toBe(9184.2);
    expect(parsed.strategies[0]!.requests.total).toBe(118);
    expect(parsed.scenario).toEqual(seven.scenario);
    const { verdict, recommendation, ranking } = decide(seven);
    expect(parsed.verdict).toBe(verdict);
    expect(parsed.recommendation).toBe(recommendation);
    expect(parsed.ranking.map((e) => e.name)).toEqual(ranking.map((e) => e.name));
    // Rounding aside, nothing is lost or renamed, and the verdict sits right after the strategies, as it always has, the recommendation and the ranking after it.
    const roundAll = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" ? Math.round(x * 1000) / 1000 : x)));
    expect(parsed).toEqual(roundAll({ ...seven, verdict, recommendation, ranking }));
    expect(Object.keys(parsed)).toEqual(["schemaVersion", "tool", "clock", "partial", "scenario", "strategies", "verdict", "recommendation", "ranking"]);
  });

  it("keeps null latency and integers as they are", () => {
    const parsed = JSON.parse(renderJson(compareResult([variant(polling, "polling", { p50: null, detected: 0 })]))) as CompareResult;
    expect(parsed.strategies[0]!.latencyMs).toBeNull();
    expect(parsed.strategies[0]!.payments.missed).toBe(20);
    expect(renderJson(two)).toBe(JSON.stringify(JSON.parse(renderJson(two)), null, 2));
  });
});
