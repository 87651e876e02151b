import { describe, expect, it } from "vitest";
import type { CompareResult, RepeatInfo } from "../src/contract/result.js";
import { verdict } from "../src/contract/verdict.js";
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
  it("shows mean ± sd for the figures thresholds watch, says how many runs in the header, and changes nothing else", () => {
    // The layout itself is render.test.ts's snapshot; here only what --repeat changes.
    const once = renderTable(two, plain);
    const result = repeated(two);
    const out = renderTable(result, plain);
    expect(out.split("\n")[0]).toBe(scenarioLine(result));
    const rows = (text: string) => text.split("\n").filter((l) => l.startsWith("│")).map((l) => l.split("│").slice(1, -1).map((c) => c.trim()));
    const [onceRows, repeatedRows] = [rows(once), rows(out)];
    expect(repeatedRows).toHaveLength(onceRows.length);
    // The rows the stddev covers, in table order: requests total, then latency mean, p50, p95.
    const watched = ["total", "mean", "p50", "p95"];
    const spread: Array<(s: RepeatInfo["stddev"][number]) => number> = [(s) => s.requests.total, (s) => s.latencyMs!.mean, (s) => s.latencyMs!.p50, (s) => s.latencyMs!.p95];
    let w = 0;
    repeatedRows.forEach((cells, i) => {
      const label = cells[0]!;
      const isWatched = w < watched.length && label === watched[w];
      cells.slice(1).forEach((cell, k) => {
        if (!isWatched) return void expect(cell, `${label} (row ${i})`).toBe(onceRows[i]![k + 1]);
        // "471.9 ± 14.6 ms" is "471.9 ms" with the spread, shown to the figure's own decimals.
        const m = /^(.*?) ± ([\d.]+)(.*)$/.exec(cell);
        expect(m, `${label}: ${cell}`).not.toBeNull();
        expect(m![1]! + m![3]!, label).toBe(onceRows[i]![k + 1]);
        const decimals = m![2]!.split(".")[1]?.length ?? 0;
        expect(Number(m![2]), `${label} ${cell}`).toBe(Number(spread[w]!(result.repeat!.stddev[k]!).toFixed(decimals)));
      });
      if (isWatched) w++;
    });
    expect(w).toBe(watched.length);
    // Below the table: the model notes as without --repeat, then the verdict of the repeated
    // figures (the means, which may differ from one run's).
    const notes = (text: string, r: CompareResult) => text.slice(text.lastIndexOf("┘"), text.lastIndexOf(verdict(r).slice(0, 20)));
    expect(notes(out, result)).toBe(notes(once, two));
    expect(out.replace(/\s+/g, " ")).toContain(verdict(result).replace(/\s+/g, " "));
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
