import { describe, expect, it } from "vitest";
import type { CheckDocument, ScenarioCheck } from "../src/contract/result.js";
import { verdict } from "../src/contract/verdict.js";
import { renderCheckJson, renderCheckTable } from "../src/render/check.js";
import { renderJson } from "../src/render/json.js";
import { brokenScenario, checkResult, coloured, compareResult, failedRatio, heldLatency, heldMissed, mixedCheck, overWide, plain, polling, scenarioCheck, variant, webhook } from "./render-fixtures.js";

describe("renderCheckTable", () => {
  it("gives one line per scenario, the failures beneath, then the summary", () => {
    expect(renderCheckTable(mixedCheck, plain)).toMatchInlineSnapshot(`
      "✓ checkout              2/2  use webhooks: polling learned outcomes 0.95…  9.4 s
      ✓ bank-transfer         1/1  use webhooks: polling learned outcomes 0.95…  9.4 s
      ✗ lazy-poller           1/3  use webhooks: polling learned outcomes 0.95…  9.4 s
        ✗ polling.requests.total >= 10 * webhook.requests.total
            got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)
        ✗ *.latencyMs.p99 < 500ms
            polling: got 991.7 ms, expected < 500 ms
            webhook: got 1.46 ms, expected < 500 ms
      ✓ classroom             1/1  use webhooks: polling learned outcomes 0.95…  9.4 s
      ✓ flash-sale            2/2  use webhooks: polling learned outcomes 0.95…  9.4 s
      ! examples/broken.yaml    –  could not run                                 0.0 s
        examples/broken.yaml:3:12: settlement.delay: "lognormal(median=2s" is not a
          distribution; expected fixed(2s), uniform(500ms, 4s), exponential(mean=2s)
          or lognormal(median=2s, p95=8s)

      6 scenarios: 4 passed, 1 failed, 1 error · 7 of 9 expectations hold · 41.2 s"
    `);
  });

  it("says so when everything passed", () => {
    const all = checkResult([scenarioCheck("checkout", [heldLatency, heldMissed]), scenarioCheck("classroom", [heldMissed])], 12_345);
    expect(renderCheckTable(all, plain)).toMatchInlineSnapshot(`
      "✓ checkout   2/2  use webhooks: polling learned outcomes 0.95 s later at…  9.4 s
      ✓ classroom  1/1  use webhooks: polling learned outcomes 0.95 s later at…  9.4 s

      2 scenarios: 2 passed, 0 failed · 3 of 3 expectations hold · 12.3 s"
    `);
  });

  it("marks a scenario an interrupt cut short, or kept from starting, as interrupted and judges neither (issue 13, D4)", () => {
    const cut = scenarioCheck("checkout", [heldLatency, { ...failedRatio }], { status: "partial" });
    cut.result = { ...cut.result!, partial: true };
    const never: ScenarioCheck = { file: "examples/lazy.json", name: "examples/lazy.json", description: "", status: "partial", durationMs: 0, expectations: [] };
    expect(renderCheckTable(checkResult([scenarioCheck("classroom", [heldMissed]), cut, never]), plain)).toMatchInlineSnapshot(`
      "✓ classroom           1/1  use webhooks: polling learned outcomes 0.95 s…  9.4 s
      – checkout              –  interrupted; expectations not judged            9.4 s
      – examples/lazy.json    –  interrupted before it ran                       0.0 s

      3 scenarios: 1 passed, 0 failed, 2 interrupted · 1 of 1 expectation holds · 41.2 s"
    `);
  });

  it("fits 80 columns with long names, long verdicts and long errors, coloured or not", () => {
    const longVerdict = compareResult([
      polling,
      variant(polling, "polling-backoff", { requests: 71, p50: 903.7, detected: 12 }),
      variant(polling, "long-polling", { requests: 41, p50: 1.84, detected: 17 }),
      variant(webhook, "hybrid", { detected: 19 }),
      webhook,
    ]);
    expect(verdict(longVerdict).length).toBeGreaterThan(200);
    const long = checkResult([
      scenarioCheck("a-scenario-with-a-rather-long-name-that-goes-on", [heldLatency, failedRatio]),
      // A verdict of over 200 characters: three strategies that missed payments, each named.
      scenarioCheck("x", [heldLatency], { result: longVerdict }),
      { ...brokenScenario, name: "z".repeat(90), error: `${"w".repeat(120)}\nsecond line of the error` },
    ]);
    for (const palette of [plain, coloured]) expect(overWide(renderCheckTable(long, palette))).toEqual([]);
    expect(renderCheckTable(long, plain)).toContain("…");
  });

  it("cuts nothing in a log: the whole name and recommendation, the short columns first", () => {
    const long = checkResult([scenarioCheck("a-scenario-with-a-rather-long-name-that-goes-on", [heldLatency]), scenarioCheck("x", [heldLatency])]);
    const out = renderCheckTable(long, plain, { fit: false });
    expect(out).not.toContain("…");
    const advice = "use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment";
    expect(out.split("\n").slice(0, 2)).toEqual([`✓ a-scenario-with-a-rather-long-name-that-goes-on  1/1  9.4 s  ${advice}`, `✓ x                                                1/1  9.4 s  ${advice}`]);
  });

  it("uses no ANSI codes when colour is off; paints errors red when on", () => {
    expect(renderCheckTable(mixedCheck, plain)).not.toContain("\x1b[");
    const out = renderCheckTable(mixedCheck, coloured);
    expect(out).toContain(coloured.bad("could not run"));
    expect(out).toContain(coloured.bad("  examples/broken.yaml:3:12: settlement.delay: \"lognormal(median=2s\" is not a"));
    expect(out).toContain(coloured.good("✓"));
  });

  it("ends without a newline", () => {
    expect(renderCheckTable(mixedCheck, plain).endsWith("\n")).toBe(false);
  });
});

describe("renderCheckJson", () => {
  it("rounds fractions as renderJson does and keeps every field", () => {
    const text = renderCheckJson(mixedCheck);
    expect(text).not.toMatch(/\d\.\d{4,}/);
    const parsed = JSON.parse(text) as CheckDocument;
    expect(parsed.summary).toEqual(mixedCheck.summary);
    expect(parsed.durationMs).toBe(41_234.5);
    expect(parsed.scenarios[0]!.result!.strategies[1]!.latencyMs!.mean).toBe(0.681);
    // The embedded compare results read exactly as `compare --format json` writes them.
    expect(JSON.stringify(parsed.scenarios[0]!.result, null, 2)).toBe(renderJson(mixedCheck.scenarios[0]!.result!));
    // Each scenario that ran carries its verdict after its expectations; one that could not run, none.
    expect(Object.keys(parsed.scenarios[0]!)).toEqual(["file", "name", "description", "status", "durationMs", "expectations", "verdict", "recommendation", "result"]);
    expect(parsed.scenarios[0]!.verdict).toBe(verdict(mixedCheck.scenarios[0]!.result!));
    expect(parsed.scenarios[0]!.recommendation).toBe("use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment");
    expect(Object.keys(parsed.scenarios[5]!)).toEqual(["file", "name", "description", "status", "error", "durationMs", "expectations"]);
  });
});
