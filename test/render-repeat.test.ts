import { describe, expect, it } from "vitest";
import type { CompareResult, RepeatInfo } from "../src/contract/result.js";
import { repeatNote } from "../src/render/rows.js";
import { renderTable, scenarioLine } from "../src/render/table.js";
import { coloured, compareResult, overWide, plain, polling, seven, two, webhook } from "./render-fixtures.js";

/** The spread `foldRepeats` would report for each strategy of `result`. */
function repeated(result: CompareResult, runs = 5): CompareResult {
  const stddev: RepeatInfo["stddev"] = result.strategies.map((s, i) => ({
    name: s.name,
    requests: { total: 1.5 + i * 3.1, wasted: 1.2 },
    bytes: { total: 410.3 },
    latencyMs: s.latencyMs ? { mean: s.latencyMs.mean * 0.031, p50: s.latencyMs.p50 * 0.042, p95: s.latencyMs.p95 * 0.018, p99: s.latencyMs.p99 * 0.02 } : null,
    payments: { missed: 0 },
  }));
  const seeds = Array.from({ length: runs }, (_, i) => result.scenario.seed + i);
  return { ...result, strategies: result.strategies.map((s) => ({ ...s, requests: { ...s.requests, total: s.requests.total + 0.4 } })), repeat: { runs, seeds, stddev } };
}

describe("--repeat", () => {
  it("shows mean ± sd for the figures thresholds watch, and says how many runs in the header", () => {
    expect(renderTable(repeated(two), plain)).toMatchInlineSnapshot(`
      "checkout · 20 payments · poll every 1 s (mean of 5 runs, seeds 42–46)
      ┌───────────────────────┬─────────────────┬────────────────┐
      │                       │         polling │        webhook │
      ├───────────────────────┼─────────────────┼────────────────┤
      │ Requests              │                 │                │
      │   total               │       118 ± 1.5 │       23 ± 4.6 │
      │   model: requests     │             117 │             21 │
      │   wasted              │        98 (83%) │        3 (13%) │
      │   per payment         │            5.90 │           1.15 │
      │   consumer→provider   │             118 │              1 │
      │   provider→consumer   │               0 │             22 │
      │                       │                 │                │
      │ Bytes                 │                 │                │
      │   total               │         27.3 kB │        14.2 kB │
      │   consumer→provider   │         13.0 kB │          212 B │
      │   provider→consumer   │         14.3 kB │        14.0 kB │
      │                       │                 │                │
      │ Detection latency     │                 │                │
      │   min                 │         3.20 ms │        0.41 ms │
      │   mean                │ 471.9 ± 14.6 ms │ 0.68 ± 0.02 ms │
      │   model: latency mean │        455.2 ms │        0.00 ms │
      │   p50                 │ 452.3 ± 19.0 ms │ 0.61 ± 0.03 ms │
      │   p90                 │        903.1 ms │        0.97 ms │
      │   p95                 │ 951.2 ± 17.1 ms │ 1.12 ± 0.02 ms │
      │   p99                 │        991.7 ms │        1.46 ms │
      │   max                 │        998.4 ms │        1.52 ms │
      │                       │                 │                │
      │ Payments              │                 │                │
      │   detected            │           20/20 │          20/20 │
      │   missed              │               0 │              0 │
      │   duplicates          │               0 │              1 │
      │                       │                 │                │
      │ Deliveries            │                 │                │
      │   attempted           │               0 │             22 │
      │   succeeded           │               0 │             20 │
      │   retried             │               0 │              2 │
      │                       │                 │                │
      │ Duration              │          9.18 s │         8.41 s │
      └───────────────────────┴─────────────────┴────────────────┘
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
      webhook needed 5.06× fewer requests and learned each outcome 741× sooner
      (p50: 0.61 ms vs 452.3 ms)."
    `);
  });

  it("fits 80 columns with 7 strategies, splitting into more tables when the cells grow", () => {
    const result = repeated(seven);
    for (const palette of [plain, coloured]) expect(overWide(renderTable(result, palette))).toEqual([]);
    const tablesOnce = renderTable(seven, plain).split("\n").filter((l) => l.startsWith("┌")).length;
    const tablesRepeated = renderTable(result, plain).split("\n").filter((l) => l.startsWith("┌")).length;
    expect(tablesRepeated).toBeGreaterThanOrEqual(tablesOnce);
    for (const s of seven.strategies) expect(renderTable(result, plain)).toContain(s.name);
  });

  it("keeps a strategy that detected nothing as a dash", () => {
    const result = repeated(compareResult([polling, { ...webhook, latencyMs: null }]));
    const p95 = renderTable(result, plain).split("\n").find((l) => l.includes("p95"));
    expect(p95).toMatchInlineSnapshot(`"│   p95                 │ 951.2 ± 17.1 ms │        – │"`);
  });

  it.each<[number[], string]>([
    [[42, 43, 44, 45, 46], "(mean of 5 runs, seeds 42–46)"],
    [[7], "(mean of 1 run, seed 7)"],
    [[1, 5, 9], "(mean of 3 runs, seeds 1, 5, 9)"],
  ])("names the seeds %j", (seeds, expected) => {
    expect(repeatNote({ runs: seeds.length, seeds, stddev: [] })).toBe(expected);
  });

  it("drops the single seed from the header in favour of the range", () => {
    expect(scenarioLine(repeated(two))).toBe("checkout · 20 payments · poll every 1 s (mean of 5 runs, seeds 42–46)");
  });
});
