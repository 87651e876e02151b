import { describe, expect, it } from "vitest";
import { renderCheckHtmlReport, renderHtmlReport } from "../src/render/html.js";
import { MAX_LANES } from "../src/render/html-charts.js";
import { renderSweepHtml } from "../src/render/html-sweep.js";
import { escapeHtml, STRATEGY_DASH, STRATEGY_HEX } from "../src/render/html-svg.js";
import { sections } from "../src/render/rows.js";
import type { Lane, StrategyTimeline } from "../src/contract/timeline.js";
import { recommendation, verdict } from "../src/contract/verdict.js";
import type { StrategyName } from "../src/scenario/types.js";
import { compareResult, mixedCheck, plain, polling, seven, two, variant, webhook } from "./render-fixtures.js";
import { sweep } from "./sweep-fixtures.js";

/** Settlement delays of a hand-built run: created at 0, settled after these many ms. */
const DELAYS = [1500, 1800, 3200, 640, 2210];

/** What a Timeline would have recorded for a 1 s poller facing DELAYS. */
function pollingTimeline(delays = DELAYS, name: StrategyName = "polling", intervalMs = 1000): StrategyTimeline {
  const lanes = new Map<string, Lane>();
  const requests: number[] = [];
  delays.forEach((d, i) => {
    const id = `pay_${i + 1}`;
    const emptyPolls: number[] = [];
    let t = 0;
    for (; t < d; t += intervalMs) emptyPolls.push(t + 1);
    requests.push(...emptyPolls, t + 1);
    lanes.set(id, { id, created: 0, settled: d, status: i === 1 ? "failed" : "succeeded", detected: t + 1, emptyPolls, deliveries: [] });
  });
  return { name, t0: 0, payments: delays.length, lanes, requests, useful: delays.length, settled: delays.length, detected: delays.length, latest: Math.max(...requests) };
}

/** A webhook told within a millisecond of each settlement. */
function webhookTimeline(delays = DELAYS): StrategyTimeline {
  const lanes = new Map<string, Lane>();
  delays.forEach((d, i) => lanes.set(`pay_${i + 1}`, { id: `pay_${i + 1}`, created: 0, settled: d, status: i === 1 ? "failed" : "succeeded", detected: d + 0.6, emptyPolls: [], deliveries: [d + 0.5] }));
  const requests = delays.map((d) => d + 0.5);
  return { name: "webhook", t0: 0, payments: delays.length, lanes, requests, useful: delays.length, settled: delays.length, detected: delays.length, latest: Math.max(...requests) + 0.1 };
}

const timelines = [pollingTimeline(), webhookTimeline()];
const count = (html: string, needle: string | RegExp) => html.split(needle).length - 1;

/** Anything that could make the page reach beyond itself. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script/i);
  // A tag with a src or href that is not an in-page anchor (escaped text has no `<` to open a tag).
  expect(html).not.toMatch(/<[^>]*\s(?:src|href)=(?!["']?#)[^>]*>/i);
  expect(html).not.toMatch(/<link|@import|url\(|@font-face/i);
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
}

describe("renderHtmlReport (hand-built result and timelines)", () => {
  const html = renderHtmlReport(two, timelines);

  it("is one self-contained page: inline CSS and SVG, no script, no network", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<style>");
    expectSelfContained(html);
  });

  it("shows the scenario, its parameters, the verdict and the model notes", () => {
    expect(html).toContain("<h1>checkout</h1>");
    expect(html).toContain("card payments that settle after a few seconds");
    for (const text of ["lognormal(median=2s, p95=8s)", "10%", "1.00 s", "polling, webhook", "42"]) expect(html).toContain(text);
    expect(html).toContain(`<p class="verdict">${escapeHtml(verdict(two))}</p>`);
    expect(html).toContain("Model vs measured");
    expect(html).toContain("polling: measured 471.9 ms mean vs 455.2 ms modelled");
  });

  it("has the terminal table's rows, every cell as the terminal shows it", () => {
    for (const section of sections(two)) {
      expect(html).toContain(`>${section.title}</th>`);
      for (const row of section.rows) {
        if (row.label) expect(html).toContain(`>${row.label.trim()}</th>`);
        for (const s of two.strategies) expect(html).toContain(`<td class="num">${row.cell(s, plain)}</td>`);
      }
    }
  });

  it("a missed payment is marked bad in the table", () => {
    const missing = renderHtmlReport(compareResult([polling, variant(webhook, "webhook", { detected: 17 })]), []);
    expect(missing).toContain('<td class="num"><span class="bad">3</span></td>');
    expect(missing).not.toMatch(/[\u0001\u0002]/);
  });

  it("draws three charts: cumulative requests, the latency CDF and one timeline panel per strategy", () => {
    expect(count(html, "<svg viewBox")).toBe(4);
    expect(html).toContain("Requests over time");
    expect(html).toContain("Detection latency (CDF)");
    expect(html).toContain("Per-payment timeline");
    // One series per strategy in each of the two line charts.
    expect(count(html, '<path class="series"')).toBe(4);
    // Step lines: horizontal then vertical moves only.
    const steps = [...html.matchAll(/<path class="series" d="([^"]+)"/g)].map((m) => m[1]!);
    for (const d of steps) expect(d).toMatch(/^M[\d.]+,[\d.]+(?:[HV][\d.]+)+$/);
  });

  it("one colour per strategy, the terminal's hues, in the table and the charts", () => {
    for (const name of ["polling", "webhook"]) {
      expect(count(html, STRATEGY_HEX[name]!)).toBeGreaterThanOrEqual(4);
    }
    expect(new Set(Object.values(STRATEGY_HEX)).size).toBe(Object.keys(STRATEGY_HEX).length);
  });

  it("latency axis goes logarithmic when the strategies differ by orders of magnitude, and says so", () => {
    expect(html).toContain("detection latency: known minus settled (log scale)");
    const close = renderHtmlReport(two, [pollingTimeline(), pollingTimeline(DELAYS, "conditional", 700)]);
    expect(close).toContain("detection latency: known minus settled<");
    expect(close).not.toContain("(log scale)");
  });

  it("timeline marks: empty polls, settlements (failed ones open), deliveries, detections, and a legend", () => {
    const emptyPolls = [...timelines[0]!.lanes.values()].reduce((n, l) => n + l.emptyPolls.length, 0);
    expect(count(html, '<circle class="poll"')).toBe(emptyPolls);
    expect(count(html, '<path class="settle"')).toBe(2 * (DELAYS.length - 1));
    expect(count(html, '<path class="settle failed"')).toBe(2);
    expect(count(html, '<circle class="known"')).toBe(2 * DELAYS.length);
    for (const label of ["empty poll", "settled (succeeded)", "settled (failed)", "delivery", "known to the consumer"]) expect(html).toContain(label);
  });

  it(`draws at most ${MAX_LANES} lanes per strategy and says how many it left out`, () => {
    const many = Array.from({ length: 55 }, (_, i) => 300 + i * 37);
    const big = renderHtmlReport(two, [pollingTimeline(many)]);
    expect(count(big, '<text class="lane"')).toBe(MAX_LANES);
    expect(big).toContain(`Showing the first ${MAX_LANES} of 55 payments.`);
  });

  it("escapes every text from the data", () => {
    const nasty = compareResult([polling, webhook], {
      scenario: { ...two.scenario, name: `<script>alert("x")</script> & 'co'`, description: "<img src=x onerror=alert(1)>" },
      expectations: [{ text: "webhook.latencyMs.p95 < 50ms && <b>", ok: false, details: ["<i>detail</i>"] }],
    });
    const lanes = new Map<string, Lane>([["<pay>", { id: "<pay>", created: 0, settled: 10, detected: 20, emptyPolls: [], deliveries: [] }]]);
    const out = renderHtmlReport(nasty, [{ ...pollingTimeline(), lanes }]);
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;");
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(out).toContain("&lt;b&gt;");
    expect(out).toContain("&lt;i&gt;detail&lt;/i&gt;");
    expect(out).toContain("&lt;pay&gt;");
    expectSelfContained(out);
  });

  it("without timelines: the table and verdict, no charts", () => {
    const bare = renderHtmlReport(two, []);
    expect(bare).not.toContain("<svg viewBox");
    expect(bare).toContain(escapeHtml(verdict(two)));
    expect(bare).toContain(`<p class="recommendation">→ ${escapeHtml(recommendation(two))}</p>`);
  });

  it("first what a reader compares: the verdict, a card per strategy and the per-payment timeline; the full table last", () => {
    const at = (needle: string) => html.indexOf(needle);
    expect(at('<p class="verdict">')).toBeGreaterThan(0);
    expect(at('<section class="cards"')).toBeGreaterThan(at('<p class="verdict">'));
    expect(at("Per-payment timeline")).toBeGreaterThan(at('<section class="cards"'));
    expect(at("Requests over time")).toBeGreaterThan(at("Per-payment timeline"));
    expect(at('<table class="compare">')).toBeGreaterThan(at("Detection latency (CDF)"));
    expect(at('<table class="compare">')).toBeGreaterThan(at("Model vs measured"));
    // The cards carry the table's figures.
    expect(html).toContain('<dd data-figure="requests">118</dd><dd class="sub">98 wasted (83%)</dd>');
    expect(html).toContain('<dd data-figure="latency p50">0.61 ms</dd><dd class="sub">p95 1.12 ms</dd>');
  });

  it("seven strategies: the table splits as the terminal's does, at most four side by side", () => {
    const wide = renderHtmlReport(seven, []);
    expect(count(wide, '<table class="compare">')).toBe(2);
    const heads = [...wide.matchAll(/<table class="compare"><thead><tr><th><\/th>(.*?)<\/tr>/g)].map((m) => count(m[1]!, "<th "));
    expect(heads).toEqual([4, 3]);
  });

  it("counts on whole-number ticks; each series its own dash and a label at its end", () => {
    const ticks = [...html.matchAll(/<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end" dominant-baseline="middle">([^<]*)<\/text>/g)].map((m) => m[1]!);
    const requestTicks = ticks.slice(0, ticks.indexOf("0%"));
    expect(requestTicks.length).toBeGreaterThan(2);
    for (const t of requestTicks) expect(t).toMatch(/^\d[\d,]*$/);
    const dashes = [...html.matchAll(/<path class="series" d="[^"]+" stroke="[^"]+" stroke-dasharray="([^"]+)"/g)].map((m) => m[1]!);
    expect(dashes).toEqual(["none", "9 5", "none", "9 5"]);
    expect(new Set(Object.values(STRATEGY_DASH)).size).toBe(Object.keys(STRATEGY_DASH).length);
    // The requests chart ends each line with its name and count, as the table counts them.
    expect(html).toMatch(/<text class="end-label"[^>]*><tspan fill="#a15c00">polling<\/tspan> 17<\/text>/);
    expect(html).toMatch(/<text class="end-label"[^>]*><tspan fill="#1a7f37">webhook<\/tspan> 5<\/text>/);
  });

  it("lines that end on the same point share one label, so every series is named", () => {
    const same = renderHtmlReport(two, [pollingTimeline(), pollingTimeline(DELAYS, "conditional")]);
    expect(same).toMatch(/<tspan fill="#a15c00">polling<\/tspan>, <tspan fill="#00788a">conditional<\/tspan> 17<\/text>/);
  });

  it("the requests chart says when the table's figures are means of several runs", () => {
    const repeat = { runs: 5, seeds: [42, 43, 44, 45, 46], stddev: [] };
    expect(renderHtmlReport(compareResult([polling, webhook], { repeat }), timelines)).toContain("The table shows means of 5 runs; this chart draws the last run.");
    expect(html).not.toContain("means of");
  });

  it("push timelines: the delivery above the lane, and a caption when settled, delivered and known fall within a pixel", () => {
    expect(count(html, '<path class="delivery"')).toBe(DELAYS.length);
    expect(html).toContain("5 of 5 pushed outcomes were settled, delivered and known within one pixel");
    // 40 ms of network latency is several pixels at this scale: drawn apart, and said so.
    const late = webhookTimeline();
    for (const lane of late.lanes.values()) {
      lane.deliveries = [lane.settled! + 40];
      lane.detected = lane.settled! + 40.1;
    }
    expect(renderHtmlReport(two, [pollingTimeline(), late])).toContain("Every pushed outcome is drawn apart");
  });

  it("lays out for a projector and for print", () => {
    expect(html).toMatch(/body \{[^}]*font: 20px/);
    expect(html).toContain("@media print");
    expect(html).toContain("print-color-adjust: exact");
  });
});

describe("renderCheckHtmlReport", () => {
  const html = renderCheckHtmlReport(mixedCheck);

  it("a summary row per scenario, then each scenario's table, verdict and expectations", () => {
    expect(html).toContain("<h1>apiwh check failed</h1>");
    expect(html).toContain("6 scenarios: 4 passed, 1 failed, 1 error");
    for (const s of mixedCheck.scenarios) expect(html).toContain(`>${s.name.replace(/&/g, "&amp;")}</a>`);
    expect(count(html, '<table class="compare">')).toBe(5);
    expect(html).toContain("2 of 3 expectations failed");
    expect(html).toContain("polling: got 991.7 ms, expected &lt; 500 ms");
    expect(html).toContain('<pre class="error">examples/broken.yaml:3:12: settlement.delay: &quot;lognormal(median=2s&quot; is not a distribution');
    expectSelfContained(html);
  });

  it("charts for the scenarios whose timelines it is given", () => {
    const withCharts = renderCheckHtmlReport(mixedCheck, new Map([["examples/lazy-poller.json", timelines]]));
    expect(count(withCharts, "<svg viewBox")).toBe(4);
    expect(count(html, "<svg viewBox")).toBe(0);
  });
});

describe("renderSweepHtml (hand-built sweep)", () => {
  const html = renderSweepHtml(sweep);

  it("the trade-off chart: a p50 and a p95 line for polling, a dot per interval, the webhook marked", () => {
    expectSelfContained(html);
    expect(count(html, "<svg viewBox")).toBe(1);
    expect(count(html, '<path class="series"')).toBe(2);
    for (const label of ["250ms", "500ms", "1s", "2s", "5s"]) expect(html).toContain(`>${label}</text>`);
    expect(html).toContain(">webhook</text>");
    expect(html).toContain("detection latency (log scale)");
    expect(html).toContain("polling every 250 ms: 412 requests, p50 118.4 ms");
  });

  it("the table: one row per interval and the webhook's", () => {
    expect(html).toContain(">polling every 250 ms</th>");
    expect(html).toContain(">polling every 5 s</th>");
    expect(count(html, "<tr><th scope=\"row\">")).toBe(6);
  });
});
