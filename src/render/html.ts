import type { CheckResult, CompareResult, ExpectationResult, ScenarioCheck, StrategyResult } from "../contract/result.js";
import type { StrategyTimeline } from "../contract/timeline.js";
import type { Palette } from "./color.js";
import { holdCount, failedCount } from "./expectations.js";
import { formatCount, formatMs, formatPercent, formatSeconds } from "../contract/format.js";
import { latencyCdf, paymentTimeline, requestsChart } from "./html-charts.js";
import { STYLE } from "./html-style.js";
import { escapeHtml, strategyDash, strategyHex } from "./html-svg.js";
import { MAX_STRATEGIES_PER_TABLE } from "./table.js";
import { healthWarnings } from "./health.js";
import { modelNotes } from "./model.js";
import { checkSummary, failureBeyondExpectations, heldOfTotal, interruptedNote, scenarioVerdict } from "./outcome.js";
import { repeatNote, sections } from "./rows.js";
import { decide } from "../contract/verdict.js";

export { escapeHtml } from "./html-svg.js";

/**
 * `apiwh compare --report <file.html>`: one self-contained page (inline CSS and SVG, no script,
 * no network; a Content-Security-Policy forbids any fetch). What a reader wants first comes
 * first: the verdict, a card per strategy and the per-payment timeline (the picture a class
 * learns from), then the requests and latency charts, the scenario, the model notes and the
 * expectations, and the full table last, split as the terminal splits it.
 */
export function renderHtmlReport(result: CompareResult, timelines: StrategyTimeline[]): string {
  const body = [
    `<header><p class="kicker">apiwh ${escapeHtml(result.tool.version)} · report</p><h1>${escapeHtml(result.scenario.name)}</h1></header>`,
    compareSection(result, timelines),
  ];
  return page(`apiwh · ${result.scenario.name}`, body.join("\n"));
}

/**
 * `apiwh check --report <file.html>`: the summary, one row per scenario, then each scenario's
 * table, verdict and expectations. Charts appear for scenarios whose timelines are given, keyed
 * by the scenario's `file` as the check result shows it.
 */
export function renderCheckHtmlReport(check: CheckResult, timelines: ReadonlyMap<string, StrategyTimeline[]> = new Map()): string {
  const rows = check.scenarios.map(
    (s, i) =>
      `<tr><td class="mark ${s.status}">${STATUS_MARK[s.status]}</td><td><a href="#scenario-${i + 1}">${escapeHtml(s.name)}</a></td><td class="num">${s.status === "error" || s.status === "partial" ? "–" : heldOfTotal(s)}</td><td>${escapeHtml(s.status === "error" ? "could not run" : (interruptedNote(s) ?? scenarioVerdict(s)))}</td><td class="num">${formatSeconds(s.durationMs)}</td></tr>`,
  );
  const summary = `<table class="summary"><thead><tr><th></th><th>Scenario</th><th class="num">Expectations</th><th>Verdict</th><th class="num">Duration</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  const body = [
    `<header><p class="kicker">apiwh ${escapeHtml(check.tool.version)} · check report</p><h1>apiwh check ${check.ok ? "passed" : "failed"}</h1></header>`,
    `<p class="verdict ${check.ok ? "good" : "bad"}">${escapeHtml(checkSummary(check))}</p>`,
    summary,
    ...check.scenarios.map((s, i) => scenarioSection(s, i + 1, timelines.get(s.file) ?? [])),
  ];
  return page(`apiwh check · ${check.ok ? "passed" : "failed"}`, body.join("\n"));
}

const STATUS_MARK: Record<ScenarioCheck["status"], string> = { passed: "✓", failed: "✗", error: "!", partial: "–" };

function scenarioSection(s: ScenarioCheck, index: number, timelines: StrategyTimeline[]): string {
  const head = `<h2 id="scenario-${index}"><span class="mark ${s.status}">${STATUS_MARK[s.status]}</span> ${escapeHtml(s.name)}</h2><p class="file"><code>${escapeHtml(s.file)}</code></p>`;
  if (s.status === "error" || !s.result) return `<section class="scenario">${head}<pre class="error">${escapeHtml(s.error ?? interruptedNote(s) ?? "the scenario could not run")}</pre></section>`;
  const beyond = failureBeyondExpectations(s);
  return `<section class="scenario">${head}${beyond ? `<p class="bad">${escapeHtml(beyond)}</p>` : ""}${compareSection(s.result, timelines)}</section>`;
}

/**
 * One run: the verdict and the cards, the timeline and charts (when there are timelines), the
 * scenario, warnings, model notes and expectations, then the full table.
 */
function compareSection(result: CompareResult, timelines: StrategyTimeline[]): string {
  const parts: string[] = [];
  if (result.scenario.description) parts.push(`<p class="description">${escapeHtml(result.scenario.description)}</p>`);
  if (result.partial) parts.push(`<p class="warn">Partial results: the run was interrupted, so the figures cover only what was gathered.</p>`);
  const decision = decide(result);
  parts.push(`<p class="verdict">${escapeHtml(decision.verdict)}</p>`, `<p class="recommendation">→ ${escapeHtml(decision.recommendation)}</p>`);
  parts.push(summaryCards(result));
  if (timelines.length > 0) {
    parts.push(paymentTimeline(timelines), requestsChart(timelines, result.repeat?.runs), latencyCdf(timelines));
  }
  parts.push(`<h3>Scenario</h3>${scenarioBlock(result)}`);
  for (const warning of healthWarnings(result.strategies)) parts.push(`<p class="warn">${escapeHtml(warning)}</p>`);
  const notes = modelNotes(result);
  if (notes.length > 0) parts.push(`<h3>Model vs measured</h3><ul class="notes">${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>`);
  if (result.expectations && result.expectations.length > 0) parts.push(expectationList(result.expectations));
  parts.push(`<h3>The full table</h3>${compareTables(result)}`);
  return parts.join("\n");
}

/** A card per strategy: the figures a reader compares first, with its colour and its line's dash. */
function summaryCards(result: CompareResult): string {
  const spread = result.repeat ? ` <span class="dim">(mean of ${result.repeat.runs} runs)</span>` : "";
  const cards = result.strategies.map((s) => {
    const l = s.latencyMs;
    const figures: Array<[string, string, string]> = [
      ["requests", formatCount(s.requests.total), s.requests.wasted > 0 ? `${formatCount(s.requests.wasted)} wasted (${formatPercent(s.requests.wasted, s.requests.total)})` : "none wasted"],
      ["known", `${formatCount(s.payments.detected)}/${formatCount(s.payments.total)}`, s.payments.missed > 0 ? `${formatCount(s.payments.missed)} missed` : "none missed"],
      ["latency p50", l ? formatMs(l.p50) : "–", l ? `p95 ${formatMs(l.p95)}` : "nothing detected"],
    ];
    const dl = figures.map(([k, v, sub]) => `<div><dt>${escapeHtml(k)}</dt><dd data-figure="${escapeHtml(k)}">${escapeHtml(v)}</dd><dd class="sub${k === "known" && s.payments.missed > 0 ? " bad" : ""}">${escapeHtml(sub)}</dd></div>`).join("");
    return `<article class="card" data-strategy="${escapeHtml(s.name)}" style="border-top-color:${strategyHex(s.name)}"><h3>${lineSwatch(s.name)}<span style="color:${strategyHex(s.name)}">${escapeHtml(s.name)}</span></h3><dl>${dl}</dl></article>`;
  });
  return `<section class="cards" aria-label="summary per strategy">${cards.join("")}</section>${spread ? `<p class="caption">${spread}</p>` : ""}`;
}

function lineSwatch(name: string): string {
  return `<svg class="symbol wide" viewBox="0 0 48 24" width="48" height="24" aria-hidden="true"><line x1="1" y1="12" x2="47" y2="12" stroke="${strategyHex(name)}" stroke-width="4" stroke-dasharray="${strategyDash(name)}"/></svg>`;
}

/** The terminal's table as HTML, split the way the terminal splits it: at most four strategies side by side. */
function compareTables(result: CompareResult): string {
  const tables: string[] = [];
  for (let i = 0; i < result.strategies.length; i += MAX_STRATEGIES_PER_TABLE) tables.push(compareTable(result, result.strategies.slice(i, i + MAX_STRATEGIES_PER_TABLE)));
  return tables.length > 0 ? tables.join("\n") : compareTable(result, []);
}

function scenarioBlock(result: CompareResult): string {
  const s = result.scenario;
  const params: Array<[string, string]> = [
    ["payments", `${formatCount(s.payments)} (${s.arrival === "burst" ? "created at once" : `arriving ${s.arrival}`})`],
    ["settlement delay", s.settlementDelay],
    ["failure rate", formatPercent(s.failureRate, 1)],
    ["poll interval", formatMs(s.pollIntervalMs)],
    ["network", s.networkLatencyMs === 0 && s.networkJitterMs === 0 ? "no added latency" : `${formatMs(s.networkLatencyMs)} ± ${formatMs(s.networkJitterMs)} one way`],
    ["deadline", formatMs(s.deadlineMs)],
    ["seed", result.repeat ? repeatNote(result.repeat) : String(s.seed)],
    ["speed", s.speed === 1 ? "real time" : `${s.speed}× (figures in scenario time)`],
    ["strategies", s.strategies.join(", ")],
  ];
  return `<dl class="params">${params.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`;
}

/**
 * The terminal's rows (sections()), every strategy side by side. Cells are painted by a palette
 * that leaves markers instead of ANSI codes; the markers survive escaping and become classes.
 */
function compareTable(result: CompareResult, strategies: StrategyResult[]): string {
  const head = strategies.map((s) => `<th class="num" scope="col"><span class="swatch" style="background:${strategyHex(s.name)}"></span><span style="color:${strategyHex(s.name)}">${escapeHtml(s.name)}</span></th>`);
  const rows: string[] = [];
  for (const section of sections(result)) {
    const [first] = section.rows;
    if (section.rows.length === 1 && first && first.label === "") {
      rows.push(`<tr class="section"><th scope="row">${escapeHtml(section.title)}</th>${strategies.map((s) => `<td class="num">${cell(first.cell(s, MARKING))}</td>`).join("")}</tr>`);
      continue;
    }
    rows.push(`<tr class="section"><th scope="row" colspan="${strategies.length + 1}">${escapeHtml(section.title)}</th></tr>`);
    for (const row of section.rows) {
      const label = row.label.trimStart();
      const indent = row.label.length - label.length > 0 ? " sub" : "";
      rows.push(`<tr><th scope="row" class="label${indent}">${escapeHtml(label)}</th>${strategies.map((s) => `<td class="num">${cell(row.cell(s, MARKING))}</td>`).join("")}</tr>`);
    }
  }
  return `<table class="compare"><thead><tr><th></th>${head.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

// Control characters never appear in the figures, so they can bracket a painted span safely.
const OPEN = "\u0001";
const CLOSE = "\u0002";
const paintAs =
  (cls: string) =>
  (text: string): string =>
    `${OPEN}${cls}${OPEN}${text}${CLOSE}`;
const MARKING: Palette = {
  enabled: true,
  good: paintAs("good"),
  bad: paintAs("bad"),
  warn: paintAs("warn"),
  dim: paintAs("dim"),
  bold: (t) => t,
  strategies: {},
};

function cell(text: string): string {
  // The markers are read before escaping (escapeHtml shows control characters as text).
  return text
    .replace(/\u0001(\w+)\u0001([^\u0002]*)\u0002|([^\u0001\u0002]+)/g, (_, cls: string | undefined, inner: string, rest: string) => (cls !== undefined ? `<span class="${cls}">${escapeHtml(inner)}</span>` : escapeHtml(rest)))
    .replace(/[\u0001\u0002]/g, "");
}

function expectationList(expectations: ExpectationResult[]): string {
  const failed = expectations.filter((e) => !e.ok).length;
  const count = failed === 0 ? holdCount(expectations.length, expectations.length) : failedCount(failed, expectations.length);
  const items = expectations.map((e) => {
    const details = e.ok || e.details.length === 0 ? "" : `<ul>${e.details.map((d) => `<li><code>${escapeHtml(d)}</code></li>`).join("")}</ul>`;
    return `<li class="${e.ok ? "good" : "bad"}"><span class="mark">${e.ok ? "✓" : "✗"}</span> <code>${escapeHtml(e.text)}</code>${details}</li>`;
  });
  return `<h3>Expectations: <span class="${failed === 0 ? "good" : "bad"}">${escapeHtml(count)}</span></h3><ul class="expectations">${items.join("")}</ul>`;
}

/** The page around a report: no script, no external resource, and a policy that forbids both. */
export function page(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Belt and braces: even a stray reference could not reach the network.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body>\n${body}\n<footer>Made by apiwh. All figures in scenario time.</footer>\n</body>`,
    "</html>",
    "",
  ].join("\n");
}
