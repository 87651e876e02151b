import type { SweepPoint, SweepResult } from "../contract/result.js";
import { formatDurationShort } from "../scenario/duration.js";
import { strategyColor, type Palette } from "./color.js";
import { formatCount, formatMs, formatRatio } from "../contract/format.js";
import { autoScale, tickCount, tickMs, type Scale } from "./html-svg.js";
import { toJson } from "./json.js";
import { MAX_WIDTH, visibleWidth, wrap } from "./text.js";
import { printable } from "../scenario/echo.js";

/** `apiwh sweep --format json`: the SweepResult, rounded as every other JSON output is. */
export function renderSweepJson(sweep: SweepResult): string {
  return toJson(sweep);
}

/**
 * `apiwh sweep` for people: a header, one row per poll interval and the webhook's row beneath,
 * then the trade-off in one sentence. Every line fits 80 columns.
 */
export function renderSweepTable(sweep: SweepResult, palette: Palette): string {
  const head = ["", "requests", "wasted", "p50", "p95", "mean", "missed"];
  const rows = [...sweep.points.map((p) => ({ name: sweep.strategy, p })), ...(sweep.webhook ? [{ name: "webhook", p: sweep.webhook }] : [])];
  const cells = rows.map(({ name, p }) => [
    p.intervalMs === null ? name : `${name} ${spaced(p.intervalMs)}`,
    formatCount(p.requests.total),
    formatCount(p.requests.wasted),
    p.latencyMs ? formatMs(p.latencyMs.p50) : "–",
    p.latencyMs ? formatMs(p.latencyMs.p95) : "–",
    p.latencyMs ? formatMs(p.latencyMs.mean) : "–",
    formatCount(p.payments.missed),
  ]);
  const widths = head.map((h, i) => Math.max(visibleWidth(h), ...cells.map((c) => visibleWidth(c[i]!))));
  const line = (c: string[], paintName: (t: string) => string = (t) => t) =>
    c.map((text, i) => (i === 0 ? paintName(text) + " ".repeat(widths[0]! - visibleWidth(text)) : text.padStart(widths[i]!))).join("  ");
  const lines = [wrap(sweepLine(sweep), MAX_WIDTH, " · ").join("\n"), "", palette.bold(line(head)), ...cells.map((c, i) => line(c, paintFor(palette, rows[i]!.name, rows[i]!.p)))];
  lines.push("", ...wrap(sweepVerdict(sweep), MAX_WIDTH).map(palette.bold));
  if (sweep.partial) lines.push(palette.warn("partial results: the sweep was interrupted"));
  return lines.join("\n");
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
  parts.push(`${sweep.strategy} at ${sweep.points.length} ${sweep.points.length === 1 ? "interval" : "intervals"}, webhook as reference`);
  return parts.join(" · ");
}

/**
 * The trade-off in a sentence: the quickest and the cheapest poll interval, then the webhook
 * against the quickest poller, e.g. `polling every 250 ms: 320 requests, p50 130.2 ms; every 5 s:
 * 40 requests, p50 2.40 s. webhook: 21 requests, p50 0.61 ms, 15× fewer requests than polling
 * every 250 ms and 213× sooner.`
 */
export function sweepVerdict(sweep: SweepResult): string {
  const detecting = sweep.points.filter((p) => p.latencyMs !== null);
  const name = sweep.strategy;
  if (detecting.length === 0) {
    const polls = sweep.points.length === 0 ? `${name} did not run` : `${name} detected nothing at any interval`;
    return sweep.webhook ? `${polls}; webhook: ${figures(sweep.webhook)}.` : `${polls}.`;
  }
  const quickest = detecting.reduce((a, b) => (b.latencyMs!.p50 < a.latencyMs!.p50 ? b : a));
  const cheapest = detecting.reduce((a, b) => (b.requests.total < a.requests.total ? b : a));
  let text = `${name} every ${spaced(quickest.intervalMs!)}: ${figures(quickest)}`;
  if (cheapest !== quickest) text += `; every ${spaced(cheapest.intervalMs!)}: ${figures(cheapest)}`;
  text += ".";
  const w = sweep.webhook;
  if (!w) return text;
  if (!w.latencyMs) return `${text} webhook detected nothing.`;
  const reqs = w.requests.total;
  const fewer = reqs <= quickest.requests.total;
  const reqRatio = formatRatio(fewer ? quickest.requests.total / Math.max(1, reqs) : reqs / Math.max(1, quickest.requests.total));
  const sooner = w.latencyMs.p50 <= quickest.latencyMs!.p50;
  const p = (x: number) => Math.max(x, 0.001);
  const latRatio = formatRatio(sooner ? p(quickest.latencyMs!.p50) / p(w.latencyMs.p50) : p(w.latencyMs.p50) / p(quickest.latencyMs!.p50));
  return `${text} webhook: ${figures(w)}, ${reqRatio} ${fewer ? "fewer" : "more"} requests than ${name} every ${spaced(quickest.intervalMs!)} and ${latRatio} ${sooner ? "sooner" : "later"}.`;
}

function figures(p: SweepPoint): string {
  const requests = `${formatCount(p.requests.total)} ${p.requests.total === 1 ? "request" : "requests"}`;
  return p.latencyMs ? `${requests}, p50 ${formatMs(p.latencyMs.p50)}` : `${requests}, nothing detected`;
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
  const polled = sweep.points.filter((p) => p.latencyMs !== null).sort((a, b) => a.intervalMs! - b.intervalMs!);
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
