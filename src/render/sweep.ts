import type { SweepPoint, SweepResult } from "../contract/result.js";
import { formatDurationShort } from "../scenario/duration.js";
import { strategyColor, type Palette } from "./color.js";
import { formatCount, formatDecimal, formatMs } from "../contract/format.js";
import { describeBasis, formatMoney } from "../contract/projection.js";
import { gap } from "../contract/verdict.js";
import { escapeText, markdownTable } from "./markdown.js";
import { autoScale, tickCount, tickMs, type Scale } from "./html-svg.js";
import { toJson } from "./json.js";
import { KEEP_UNITS, MAX_WIDTH, visibleWidth, wrap, wrapHanging } from "./text.js";
import { printable } from "../scenario/echo.js";

/** `apiwh sweep --format json`: the SweepResult, rounded as every other JSON output is. */
export function renderSweepJson(sweep: SweepResult): string {
  return toJson(sweep);
}

/** Percentiles of fewer detected payments than this are little more than the slowest few. */
export const MIN_PERCENTILE_SAMPLES = 20;

interface Row {
  label: string;
  name: string;
  p: SweepPoint;
}

/**
 * `apiwh sweep` for people: a header, one row per poll interval and the webhook's row beneath,
 * then the trade-off in one sentence. With `--target`, the intervals the search simulated
 * (marked ✓ or ✗), the real runs that confirmed the choice, and the recommendation; with a
 * projection, requests a day (and the cost a month, with `--price`). Every line fits 80 columns.
 */
export function renderSweepTable(sweep: SweepResult, palette: Palette): string {
  const { head, cells, rows } = sweepCells(sweep);
  const widths = head.map((h, i) => Math.max(visibleWidth(h), ...cells.map((c) => visibleWidth(c[i]!))));
  const line = (c: string[], paintName: (t: string) => string = (t) => t) =>
    c.map((text, i) => (i === 0 ? paintName(text) + " ".repeat(widths[0]! - visibleWidth(text)) : text.padStart(widths[i]!))).join("  ").trimEnd();
  const lines = [wrap(sweepLine(sweep), MAX_WIDTH, " · ").join("\n")];
  if (sweep.target) lines.push(...wrap(targetLine(sweep), MAX_WIDTH).map(palette.dim));
  lines.push("", palette.bold(line(head)), ...cells.map((c, i) => line(c, paintFor(palette, rows[i]!.name, rows[i]!.p))));
  const note = projectionLine(sweep);
  if (note) lines.push("", ...wrapHanging(note, MAX_WIDTH, 2).map(palette.dim));
  lines.push("", ...wrap(sweepVerdict(sweep), MAX_WIDTH, KEEP_UNITS));
  const advice = sweepRecommendation(sweep);
  if (advice) lines.push(...wrapHanging(`→ ${advice}`, MAX_WIDTH, 2).map(palette.bold));
  // fewSamples() is a warning: the command prints it on stderr.
  if (sweep.partial) lines.push(palette.warn("partial results: the sweep was interrupted"));
  return lines.join("\n");
}

/** The rows and cells both the terminal table and the Markdown table print. */
function sweepCells(sweep: SweepResult): { head: string[]; cells: string[][]; rows: Row[] } {
  const name = sweep.strategy;
  const target = sweep.target;
  // With a target the rows are the search (virtual) and the confirmation (real): a clock column says which.
  const rows: Array<Row & { clock?: string }> = target
    ? [
        ...target.searched.map((p) => ({ label: `${name} ${spaced(p.intervalMs!)}`, name, p, clock: "virtual" })),
        ...sweep.points.map((p) => ({ label: `${name} ${spaced(p.intervalMs!)}`, name, p, clock: "real" })),
      ]
    : sweep.points.map((p) => ({ label: `${name} ${spaced(p.intervalMs!)}`, name, p }));
  if (sweep.webhook) rows.push({ label: "webhook", name: "webhook", p: sweep.webhook, clock: target ? "real" : undefined });
  // Columns make way for the day's figures so a line still fits 80 columns.
  const lean = target !== undefined || sweep.projection !== undefined;
  const priced = Boolean(sweep.projection?.price);
  const head = [
    "",
    ...(target ? ["clock"] : []),
    "requests",
    ...(lean ? [] : ["wasted"]),
    ...(target ? [] : ["p50"]),
    "p95",
    ...(lean ? [] : ["mean"]),
    "missed",
    ...(target ? ["meets"] : []),
    ...(sweep.projection ? ["a day"] : []),
    ...(priced ? ["a month"] : []),
  ];
  const cells = rows.map(({ label, p, clock }) => [
    label,
    ...(target ? [clock ?? ""] : []),
    formatCount(p.requests.total),
    ...(lean ? [] : [formatCount(p.requests.wasted)]),
    ...(target ? [] : [p.latencyMs ? formatMs(p.latencyMs.p50) : "–"]),
    p.latencyMs ? formatMs(p.latencyMs.p95) : "–",
    ...(lean ? [] : [p.latencyMs ? formatMs(p.latencyMs.mean) : "–"]),
    formatCount(p.payments.missed),
    ...(target ? [p.meets === undefined ? "" : p.meets ? "✓" : "✗"] : []),
    ...(sweep.projection ? [p.projection ? formatCount(p.projection.requestsPerDay) : "–"] : []),
    ...(priced ? [p.cost ? formatMoney(p.cost.perMonth) : "–"] : []),
  ]);
  return { head, cells, rows };
}

function paintFor(palette: Palette, name: string, p: SweepPoint): (t: string) => string {
  const colour = strategyColor(palette, name);
  return p.payments.missed > 0 ? (t) => palette.bad(t) : colour;
}

/** `checkout · 20 payments · seed 42 · polling at 5 intervals, webhook as reference` */
export function sweepLine(sweep: SweepResult): string {
  const s = sweep.scenario;
  const parts = [printable(s.name), `${formatCount(s.payments)} ${s.payments === 1 ? "payment" : "payments"}`, `seed ${s.seed}`];
  if (s.speed !== 1) parts.push(`speed ${s.speed}×`);
  if (sweep.target) parts.push(`${sweep.strategy} against the target ${sweep.target.text}, webhook as reference`);
  else parts.push(`${sweep.strategy} at ${sweep.points.length} ${sweep.points.length === 1 ? "interval" : "intervals"}, webhook as reference`);
  return parts.join(" · ");
}

/** `target polling.latencyMs.p95 < 2s: 7 intervals simulated on the virtual clock, the choice confirmed over loopback` */
function targetLine(sweep: SweepResult): string {
  const t = sweep.target!;
  const n = t.searched.length;
  return `target ${t.expectation}: ${n} ${n === 1 ? "interval" : "intervals"} simulated on the virtual clock (the largest that meets it sought by bisection), the choice confirmed over loopback`;
}

/** What the day's figures assumed, when there are any. */
function projectionLine(sweep: SweepResult): string | null {
  const p = sweep.projection;
  if (!p) return null;
  const price = p.price ? `; a month (${p.daysPerMonth} days) priced at ${p.price.terms.map((t) => t.label).join(" + ")}` : "";
  return `a day: requests at ${describeBasis(p)}, each run's requests per payment scaled${price}.`;
}

/**
 * The trade-off in absolute figures: the quickest and the cheapest poll interval, then the webhook
 * against the quickest poller, e.g. `polling every 250 ms: 412 requests, p95 236.2 ms; every 5 s:
 * 38 requests, p95 4.70 s. webhook: 21 requests, p95 1.12 ms: 391 fewer requests than polling every
 * 250 ms, and p95 0.24 s sooner.`
 */
export function sweepVerdict(sweep: SweepResult): string {
  const name = sweep.strategy;
  if (sweep.target) {
    // The recommendation compares the chosen interval with the webhook; this says what the search covered.
    const searched = sweep.target.searched;
    if (searched.length === 0) return `${name} was not simulated: the search was interrupted.`;
    const first = searched[0]!;
    const last = searched[searched.length - 1]!;
    return `The search simulated ${searched.length} ${searched.length === 1 ? "interval" : "intervals"}, from every ${spaced(first.intervalMs!)} (${figures(first)}) to every ${spaced(last.intervalMs!)} (${figures(last)}).`;
  }
  const polled = sweep.points;
  const detecting = polled.filter((p) => p.latencyMs !== null);
  if (detecting.length === 0) {
    const polls = polled.length === 0 ? `${name} did not run` : `${name} detected nothing at any interval`;
    return sweep.webhook ? `${polls}; webhook: ${figures(sweep.webhook)}.` : `${polls}.`;
  }
  const quickest = detecting.reduce((a, b) => (b.latencyMs!.p95 < a.latencyMs!.p95 ? b : a));
  const cheapest = detecting.reduce((a, b) => (b.requests.perPayment < a.requests.perPayment ? b : a));
  let text = `${name} every ${spaced(quickest.intervalMs!)}: ${figures(quickest)}`;
  if (cheapest !== quickest) text += `; every ${spaced(cheapest.intervalMs!)}: ${figures(cheapest)}`;
  text += ".";
  const w = sweep.webhook;
  if (!w) return text;
  if (!w.latencyMs) return `${text} webhook detected nothing.`;
  const fewer = quickest.requests.perPayment - w.requests.perPayment;
  const sooner = quickest.latencyMs!.p95 - w.latencyMs.p95;
  const requests = `${formatDecimal(Math.abs(fewer))} ${fewer >= 0 ? "fewer" : "more"} requests per payment`;
  const latency = `p95 ${gap(sooner)} ${sooner >= 0 ? "sooner" : "later"}`;
  return `${text} webhook: ${figures(w)}: ${requests} than ${name} every ${spaced(quickest.intervalMs!)}, and ${latency}.`;
}

function figures(p: SweepPoint): string {
  const requests = `${formatDecimal(p.requests.perPayment)} requests per payment`;
  return p.latencyMs ? `${requests}, p95 ${formatMs(p.latencyMs.p95)}` : `${requests}, nothing detected`;
}

/**
 * With `--target`: the interval to configure and why, with its requests a day (and cost), next to
 * the webhook's; or why none could be recommended. Null without a target.
 */
export function sweepRecommendation(sweep: SweepResult): string | null {
  const t = sweep.target;
  if (!t) return null;
  const day = (p: SweepPoint | null | undefined) =>
    p?.projection ? `, ${formatCount(p.projection.requestsPerDay)} requests a day${p.cost ? ` (${formatMoney(p.cost.perMonth)} a month)` : ""}` : "";
  const webhook = sweep.webhook ? `; webhook: ${figures(sweep.webhook)}${day(sweep.webhook)}` : "";
  if (!t.recommended) {
    const first = t.searched[0];
    if (first && !first.meets) return `no interval meets ${t.text}: even every ${spaced(first.intervalMs!)} does not on the virtual clock${webhook}`;
    const tried = sweep.points.map((p) => spaced(p.intervalMs!)).join(", ");
    if (tried) return `no interval confirmed ${t.text}: every ${tried} met it on the virtual clock but not over loopback (the machine's own overhead)${webhook}`;
    return `no interval recommended: the search was interrupted${webhook}`;
  }
  const chosen = sweep.points.find((p) => p.intervalMs === t.recommended!.intervalMs)!;
  const next = t.searched.find((p) => p.intervalMs! > t.recommended!.intervalMs && !p.meets);
  const bound = next ? ` (every ${spaced(next.intervalMs!)} does not)` : t.searched.every((p) => p.meets) ? " (the longest up to the deadline)" : "";
  return `poll every ${spaced(t.recommended.intervalMs)}, the largest interval that meets ${t.text}${bound}: confirmed over loopback (${t.recommended.details.join("; ")}) with ${figures(chosen)}${day(chosen)}${webhook}`;
}

/** A warning when any percentile shown rests on fewer than MIN_PERCENTILE_SAMPLES detected payments; null otherwise. */
export function fewSamples(sweep: SweepResult): string | null {
  const all = [...(sweep.target?.searched ?? []), ...sweep.points, ...(sweep.webhook ? [sweep.webhook] : [])].filter((p) => p.latencyMs !== null);
  if (all.length === 0) return null;
  const fewest = Math.min(...all.map((p) => p.payments.detected));
  if (fewest >= MIN_PERCENTILE_SAMPLES) return null;
  return `warning: percentiles rest on as few as ${fewest} detected ${fewest === 1 ? "payment" : "payments"} (fewer than ${MIN_PERCENTILE_SAMPLES}): a p95 of so few is about the slowest one; run more payments (--payments) for steadier figures.`;
}

/** `apiwh sweep --format markdown`: the same rows as one table, the sentences beneath. */
export function renderSweepMarkdown(sweep: SweepResult): string {
  const { head, cells } = sweepCells(sweep);
  const blocks = [`### ${escapeText(sweepLine(sweep))}`];
  if (sweep.scenario.description) blocks.push(`_${escapeText(sweep.scenario.description)}_`);
  if (sweep.target) blocks.push(escapeText(targetLine(sweep)));
  blocks.push(markdownTable(head, ["left", ...head.slice(1).map(() => "right" as const)], cells));
  const note = projectionLine(sweep);
  if (note) blocks.push(`_${escapeText(note)}_`);
  blocks.push(escapeText(sweepVerdict(sweep)));
  const advice = sweepRecommendation(sweep);
  if (advice) blocks.push(`**→ ${escapeText(advice)}**`);
  const few = fewSamples(sweep);
  if (few) blocks.push(`> [!WARNING]\n> ${escapeText(few)}`);
  if (sweep.partial) blocks.push("> [!WARNING]\n> partial results: the sweep was interrupted");
  return blocks.join("\n\n");
}

/** `250 ms`, `1 s`, `1.5 min`: the compact duration with the space prose wants. */
export function spaced(ms: number): string {
  const m = /^([\d.]+)([a-z]+)$/.exec(formatDurationShort(ms));
  return m ? `${m[1]} ${m[2] === "m" ? "min" : m[2]}` : formatMs(ms);
}

const PLOT_ROWS = 13;
const POLL_MARK = "●";
const WEBHOOK_MARK = "◆";

interface Dot {
  x: number;
  y: number;
  mark: string;
  label: string;
  paint: (t: string) => string;
}

/**
 * The trade-off curve in the terminal: requests across, latency p50 up (each axis logarithmic when
 * its values span more than 50×), a dot per poll interval joined in order of interval, the
 * webhook as a diamond. Fits `width` columns.
 */
export function renderSweepChart(sweep: SweepResult, palette: Palette, width = MAX_WIDTH): string {
  // With --target, the curve the search simulated; the real runs confirm one point of it.
  const polled = (sweep.target?.searched ?? sweep.points).filter((p) => p.latencyMs !== null).sort((a, b) => a.intervalMs! - b.intervalMs!);
  const all = [...polled, ...(sweep.webhook?.latencyMs ? [sweep.webhook] : [])];
  if (all.length === 0) return "no latency to chart: nothing was detected";
  const provisional = autoScale(all.map((p) => p.latencyMs!.p50), PLOT_ROWS - 1, 0);
  const yLabels = provisional.ticks.map(tickMs);
  const gutter = Math.max(...yLabels.map(visibleWidth)) + 2;
  const plotWidth = width - gutter - 1;
  // The rightmost dot keeps room for a short label; the leftmost sits one column in from the axis.
  const x = autoScale(all.map((p) => p.requests.total), 1, plotWidth - 8);
  const y = provisional;
  const grid: Array<Array<{ ch: string; paint?: (t: string) => string }>> = Array.from({ length: PLOT_ROWS }, () => Array.from({ length: plotWidth }, () => ({ ch: " " })));
  const put = (col: number, row: number, ch: string, paint?: (t: string) => string) => {
    if (grid[row]?.[col]) grid[row]![col] = { ch, paint };
  };
  const pollPaint = strategyColor(palette, sweep.strategy);
  const dots: Dot[] = polled.map((p) => ({ x: Math.round(x(p.requests.total)), y: Math.round(y(p.latencyMs!.p50)), mark: POLL_MARK, label: formatDurationShort(p.intervalMs!), paint: pollPaint }));
  if (sweep.webhook?.latencyMs) {
    const w = sweep.webhook;
    dots.push({ x: Math.round(x(w.requests.total)), y: Math.round(y(w.latencyMs!.p50)), mark: WEBHOOK_MARK, label: "webhook", paint: strategyColor(palette, "webhook") });
  }
  // The curve first, so dots and labels land on top of it.
  for (let i = 1; i < polled.length; i++) {
    const a = dots[i - 1]!;
    const b = dots[i]!;
    const steps = Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y));
    for (let s = 1; s < steps; s++) put(Math.round(a.x + ((b.x - a.x) * s) / steps), Math.round(a.y + ((b.y - a.y) * s) / steps), "·", palette.dim);
  }
  for (const d of dots) put(d.x, d.y, d.mark, d.paint);
  // Labels may cover the dotted curve, never a mark or another label.
  for (const d of dots) placeLabel(d, plotWidth, (col, ch) => put(col, d.y, ch, palette.dim), (col) => grid[d.y]![col]!.ch === " " || grid[d.y]![col]!.ch === "·");

  const lines: string[] = [palette.bold(`latency p50${y.log ? " (log scale)" : ""}`)];
  const labelAt = new Map(y.ticks.map((t) => [Math.round(y(t)), tickMs(t)] as const));
  for (let row = 0; row < PLOT_ROWS; row++) {
    const label = labelAt.get(row);
    const axis = label === undefined ? "│" : "┤";
    const body = grid[row]!.map((c) => (c.paint ? c.paint(c.ch) : c.ch)).join("").replace(/\s+$/, "");
    lines.push(`${(label ?? "").padStart(gutter - 2)} ${axis}${body}`);
  }
  lines.push(...xAxis(x, gutter, plotWidth));
  const title = `requests${x.log ? " (log scale)" : ""}`;
  lines.push(palette.bold(title.padStart(Math.min(width, gutter + plotWidth))));
  lines.push(`${pollPaint(POLL_MARK)} ${sweep.strategy}, labelled by poll interval   ${strategyColor(palette, "webhook")(WEBHOOK_MARK)} webhook (reference)`);
  return lines.join("\n");
}

/** A dot's label to its right when free, else to its left; dropped when neither side has room. */
function placeLabel(d: Dot, plotWidth: number, write: (col: number, ch: string) => void, free: (col: number) => boolean): void {
  // A blank between mark and label keeps `● 2s` apart from the dotted curve.
  const right = [" ", ...d.label];
  const left = [...d.label, " "];
  const fits = (text: string[], start: number) => start >= 0 && start + text.length <= plotWidth && text.every((_, i) => free(start + i));
  const [text, start] = fits(right, d.x + 1) ? [right, d.x + 1] : fits(left, d.x - left.length) ? [left, d.x - left.length] : [[], 0];
  text.forEach((ch, i) => write(start + i, ch));
}

/** `└──┬────┬──` with each tick's label centred under it, skipping labels that would collide. */
function xAxis(x: Scale, gutter: number, plotWidth: number): string[] {
  const rule = Array.from({ length: plotWidth }, () => "─");
  const labels = Array.from({ length: plotWidth + gutter }, () => " ");
  let freeFrom = 0;
  for (const t of x.ticks) {
    const col = Math.round(x(t));
    if (col < 0 || col >= plotWidth) continue;
    rule[col] = "┬";
    const text = [...tickCount(t)];
    const start = Math.max(0, gutter + col - Math.floor(text.length / 2));
    if (start < freeFrom || start + text.length > labels.length) continue;
    text.forEach((ch, i) => (labels[start + i] = ch));
    freeFrom = start + text.length + 1;
  }
  return [`${" ".repeat(gutter - 1)}└${rule.join("")}`, labels.join("").replace(/\s+$/, "")];
}
