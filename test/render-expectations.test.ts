import { describe, expect, it } from "vitest";
import type { ExpectationResult } from "../src/contract/result.js";
import { expectationCount, expectationLines } from "../src/render/expectations.js";
import { renderTable } from "../src/render/table.js";
import { coloured, compareResult, failedMany, failedRatio, heldLatency, heldMissed, overWide, plain, polling, two, webhook } from "./render-fixtures.js";

const tail = (text: string, from: string) => text.slice(text.indexOf(from));

describe("expectations under the table", () => {
  it("lists each expectation after the verdict, a failed one with its details (on its line when short), then the count", () => {
    const short: ExpectationResult = { text: "webhook.requests.total < 10", ok: false, details: ["webhook.requests.total = 23 < 10"] };
    const result = compareResult([polling, webhook], { expectations: [heldLatency, heldMissed, failedRatio, failedMany, short] });
    const out = renderTable(result, plain);
    // After the verdict and its recommendation (whose wording render.test.ts snapshots), the expectations.
    expect(out.indexOf("→ ")).toBeGreaterThan(0);
    expect(out.indexOf("→ ")).toBeLessThan(out.indexOf("✓ webhook.latencyMs.p95"));
    expect(tail(out, "✓ webhook.latencyMs.p95")).toMatchInlineSnapshot(`
      "✓ webhook.latencyMs.p95 < 50ms
      ✓ *.payments.missed == 0
      ✗ polling.requests.total >= 10 * webhook.requests.total
          got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)
      ✗ *.latencyMs.p99 < 500ms
          polling: got 991.7 ms, expected < 500 ms
          webhook: got 1.46 ms, expected < 500 ms
      ✗ webhook.requests.total < 10 — webhook.requests.total = 23 < 10
      3 of 5 expectations failed"
    `);
  });

  it("says all hold when they do", () => {
    const result = compareResult([polling, webhook], { expectations: [heldLatency, heldMissed] });
    expect(tail(renderTable(result, plain), "✓")).toMatchInlineSnapshot(`
      "✓ webhook.latencyMs.p95 < 50ms
      ✓ *.payments.missed == 0
      2 of 2 expectations hold"
    `);
  });

  it("shows nothing without expectations, or with an empty list", () => {
    expect(renderTable(two, plain)).not.toMatch(/expectations? (hold|failed)/);
    expect(renderTable(compareResult([polling, webhook], { expectations: [] }), plain)).not.toMatch(/expectations? (hold|failed)/);
  });

  it("paints held ones green and failed ones red", () => {
    const out = renderTable(compareResult([polling, webhook], { expectations: [heldLatency, failedRatio] }), coloured);
    expect(out).toContain(coloured.good("✓ webhook.latencyMs.p95 < 50ms"));
    expect(out).toContain(coloured.bad("✗ polling.requests.total >= 10 * webhook.requests.total"));
    expect(out).toContain(coloured.bad("1 of 2 expectations failed"));
  });

  it("wraps long expectations and details within 80 columns, with a hanging indent", () => {
    const long: ExpectationResult = {
      text: `polling.requests.total + polling.requests.wasted + polling.bytes.total / 1000 <= 2 * (webhook.requests.total + webhook.bytes.total / 1000)`,
      ok: false,
      details: [`polling.requests.total + polling.requests.wasted + polling.bytes.total / 1000 = 118 + 98 + 27.258 = 243.258 <= 2 * (23 + 14.214) = 74.428`],
    };
    const lines = expectationLines([long], plain);
    expect(lines).toMatchInlineSnapshot(`
      [
        "✗ polling.requests.total + polling.requests.wasted + polling.bytes.total / 1000",
        "  <= 2 * (webhook.requests.total + webhook.bytes.total / 1000)",
        "    polling.requests.total + polling.requests.wasted + polling.bytes.total /",
        "      1000 = 118 + 98 + 27.258 = 243.258 <= 2 * (23 + 14.214) = 74.428",
      ]
    `);
    for (const palette of [plain, coloured]) expect(overWide(renderTable(compareResult([polling, webhook], { expectations: [long] }), palette))).toEqual([]);
  });

  it.each<[ExpectationResult[], string]>([
    [[heldLatency], "1 of 1 expectation holds"],
    [[heldLatency, heldMissed, heldLatency], "3 of 3 expectations hold"],
    [[heldLatency, failedRatio, heldMissed], "1 of 3 expectations failed"],
    [[failedRatio], "1 of 1 expectation failed"],
  ])("counts %#: %s", (list, expected) => {
    expect(expectationCount(list, plain)).toBe(expected);
  });
});
