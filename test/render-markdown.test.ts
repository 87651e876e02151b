import { describe, expect, it } from "vitest";
import { renderCheckMarkdown, renderMarkdown } from "../src/render/markdown.js";
import { sections } from "../src/render/rows.js";
import { brokenScenario, checkResult, compareResult, failedMany, failedRatio, heldLatency, heldMissed, mixedCheck, polling, scenarioCheck, seven, two, webhook } from "./render-fixtures.js";

/** Table rows (head and divider included) of the first Markdown table in `text`. */
function tableRows(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
  return lines.slice(start, end === -1 ? undefined : end);
}

/** Cells of a row, split on unescaped `|` only. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
}

describe("renderMarkdown", () => {
  it("renders the same rows, the verdict, the model notes and the expectations", () => {
    const result = compareResult([polling, webhook], { expectations: [heldLatency, failedRatio] });
    expect(renderMarkdown(result)).toMatchInlineSnapshot(`
      "### checkout · 20 payments · seed 42 · poll every 1 s

      _card payments that settle after a few seconds_

      |  | polling | webhook |
      | :-- | --: | --: |
      | **Requests** |  |  |
      | total | 118 | 23 |
      | model: requests | 117 | 21 |
      | wasted | 98 (83%) | 3 (13%) |
      | per payment | 5.90 | 1.15 |
      | consumer→provider | 118 | 1 |
      | provider→consumer | 0 | 22 |
      | **Bytes** |  |  |
      | total | 27.3 kB | 14.2 kB |
      | consumer→provider | 13.0 kB | 212 B |
      | provider→consumer | 14.3 kB | 14.0 kB |
      | **Detection latency** |  |  |
      | min | 3.20 ms | 0.41 ms |
      | mean | 471.9 ms | 0.68 ms |
      | model: latency mean | 455.2 ms | 0.00 ms |
      | p50 | 452.3 ms | 0.61 ms |
      | p90 | 903.1 ms | 0.97 ms |
      | p95 | 951.2 ms | 1.12 ms |
      | p99 | 991.7 ms | 1.46 ms |
      | max | 998.4 ms | 1.52 ms |
      | **Payments** |  |  |
      | detected | 20/20 | 20/20 |
      | missed | 0 | 0 |
      | duplicates | 0 | 1 |
      | **Deliveries** |  |  |
      | attempted | 0 | 22 |
      | succeeded | 0 | 20 |
      | retried | 0 | 2 |
      | **Load** |  |  |
      | requests/s (mean) | 12.8 | 2.73 |
      | busiest second | 20 | 6 |
      | held open (most) | 0 | 0 |
      | **Duration** | 9.18 s | 8.41 s |

      Both learned all 20 outcomes. Duplicate deliveries, recognised by id and processed once: webhook 1. webhook learned outcomes sooner: p95 0.95 s sooner than polling (1.12 ms vs 951.2 ms). webhook needed 1.15 requests per payment against polling's 5.90 (4.75 fewer), and moved 711 B per payment against polling's 1.4 kB (652 B less).

      **→ use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment**

      **Model vs measured**

      - polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).
      - polling: 118 requests vs 117 modelled: within one per payment; the model leaves out this machine's own time per exchange.
      - webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).
      - webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model expects none.

      **Expectations:** 1 of 2 expectations failed

      - ✅ \`webhook.latencyMs.p95 < 50ms\`
      - ❌ \`polling.requests.total >= 10 * webhook.requests.total\`
        - \`got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)\`"
    `);
  });

  it("has one row per metric and title, every strategy side by side, each row as wide as the head", () => {
    const rows = tableRows(renderMarkdown(seven));
    const expected = sections(seven).reduce((n, s) => n + (s.rows.length === 1 && s.rows[0]!.label === "" ? 1 : 1 + s.rows.length), 0);
    expect(rows).toHaveLength(2 + expected);
    for (const row of rows) expect(cells(row)).toHaveLength(1 + seven.strategies.length);
  });

  it("escapes | and Markdown characters taken from the data", () => {
    const result = compareResult([polling, webhook], { scenario: { ...two.scenario, name: "a|b_c", description: "*not* emphasis" } });
    const out = renderMarkdown(result);
    expect(out.split("\n")[0]).toBe("### a\\|b\\_c · 20 payments · seed 42 · poll every 1 s");
    expect(out).toContain("_\\*not\\* emphasis_");
  });

  it("warns about a partial run and leaves out what is absent", () => {
    const out = renderMarkdown(compareResult([polling, webhook], { partial: true }));
    expect(out).toContain("> [!WARNING]\n> partial results: the run was interrupted");
    expect(out).not.toContain("Expectations");
    expect(renderMarkdown(compareResult(seven.strategies.filter((s) => s.model === null)))).not.toContain("Model vs measured");
  });
});

describe("renderCheckMarkdown", () => {
  it("fits a job summary: heading, summary, a row per scenario, then what went wrong", () => {
    expect(renderCheckMarkdown(mixedCheck)).toMatchInlineSnapshot(`
      "## ❌ apiwh check failed

      6 scenarios: 4 passed, 1 failed, 1 error · 7 of 9 expectations hold · 41.2 s

      |  | Scenario | Expectations | Recommendation | Duration |
      | :-: | :-- | --: | :-- | --: |
      | ✅ | checkout | 2/2 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |
      | ✅ | bank-transfer | 1/1 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |
      | ❌ | lazy-poller | 1/3 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |
      | ✅ | classroom | 1/1 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |
      | ✅ | flash-sale | 2/2 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |
      | ⚠️ | examples/broken.yaml | – | could not run | 0.0 s |

      ### ❌ lazy-poller

      \`examples/lazy-poller.json\`

      - ❌ \`polling.requests.total >= 10 * webhook.requests.total\`
        - \`got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)\`
      - ❌ \`*.latencyMs.p99 < 500ms\`
        - \`polling: got 991.7 ms, expected < 500 ms\`
        - \`webhook: got 1.46 ms, expected < 500 ms\`

      ### ⚠️ examples/broken.yaml

      \`\`\`text
      examples/broken.yaml:3:12: settlement.delay: "lognormal(median=2s" is not a distribution; expected fixed(2s), uniform(500ms, 4s), exponential(mean=2s) or lognormal(median=2s, p95=8s)
      \`\`\`"
    `);
  });

  it("has one table row per scenario and escapes | in cells", () => {
    const check = checkResult([
      scenarioCheck("pipes|in|name", [heldLatency]),
      scenarioCheck("plain", [heldMissed, failedMany]),
      brokenScenario,
    ]);
    const rows = tableRows(renderCheckMarkdown(check));
    expect(rows).toHaveLength(2 + check.scenarios.length);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(rows[2]).toBe("| ✅ | pipes\\|in\\|name | 1/1 | use webhooks: polling learned outcomes 0.95 s later at p95 and needed 4.75 more requests per payment | 9.4 s |");
  });

  it("wraps an error holding backticks in a longer fence", () => {
    const check = checkResult([{ ...brokenScenario, error: "bad ```yaml``` block" }]);
    expect(renderCheckMarkdown(check)).toContain("````text\nbad ```yaml``` block\n````");
  });

  it("reads as passed when everything passed", () => {
    const out = renderCheckMarkdown(checkResult([scenarioCheck("checkout", [heldLatency])], 9_500));
    expect(out.split("\n").slice(0, 3)).toEqual(["## ✅ apiwh check passed", "", "1 scenario: 1 passed, 0 failed · 1 of 1 expectation holds · 9.5 s"]);
    expect(out).not.toContain("###");
  });
});

describe("renderMarkdown: health warnings", () => {
  it("carries the table's warning when a side's loop was late, and none when calm", () => {
    const calmSide = { eventLoopDelayMs: { p50: 0.1, p99: 1, max: 2 }, utilization: 0.1 };
    const lateSide = { eventLoopDelayMs: { p50: 5, p99: 60, max: 90 }, utilization: 0.4 };
    const late = compareResult([{ ...polling, health: { provider: calmSide, consumer: lateSide } }, webhook]);
    expect(renderMarkdown(late)).toMatch(/> \[!WARNING\]\n> warning: during polling, the consumer/);
    const calm = compareResult([{ ...polling, health: { provider: calmSide, consumer: calmSide } }, webhook]);
    expect(renderMarkdown(calm)).not.toMatch(/\[!WARNING\]/);
  });
});
