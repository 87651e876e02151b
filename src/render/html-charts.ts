import type { Lane, StrategyTimeline } from "../contract/timeline.js";
import { formatCount, formatMs } from "../contract/format.js";
import { autoScale, axes, countScale, escapeHtml, linearScale, n, strategyDash, strategyHex, svg, tickCount, tickMs, type Frame, type Scale } from "./html-svg.js";

/**
 * The report's charts, drawn from what a Timeline recorded. Each returns an HTML `<figure>`
 * (SVG plus an HTML legend, so the legend's type scales with the page), or a short note when
 * there is nothing to draw. Series differ by colour, by dash pattern and by the label at their
 * end, so they read the same printed in grey.
 */

const WIDTH = 960;
/** Room right of the plot for the labels at the ends of the lines. */
const END_LABELS = 190;

/**
 * Cumulative requests per strategy, as step lines: every request the table counts, at the moment
 * it was answered (the endpoint registration and an event stream's opening, made before the
 * first payment, at 0).
 */
export function requestsChart(timelines: StrategyTimeline[], repeatRuns?: number): string {
  const drawn = timelines.filter((t) => t.requests.length > 0);
  if (drawn.length === 0) return note("Requests over time: no request was recorded.");
  const frame: Frame = { width: WIDTH, height: 420, left: 96, right: END_LABELS, top: 16, bottom: 64 };
  const end = Math.max(...timelines.map(endOf));
  const x = linearScale(0, end, frame.left, WIDTH - frame.right);
  const y = countScale(0, Math.max(...drawn.map((t) => t.requests.length)), frame.height - frame.bottom, frame.top, 5);
  const ends: EndLabel[] = [];
  const lines = drawn.map((t) => {
    const times = [...t.requests].sort((a, b) => a - b);
    let d = `M${n(x(0))},${n(y(0))}`;
    times.forEach((at, i) => (d += `H${n(x(Math.max(0, at)))}V${n(y(i + 1))}`));
    d += `H${n(x(endOf(t)))}`;
    ends.push({ name: t.name, y: y(times.length), text: formatCount(times.length) });
    return `<path class="series" d="${d}" stroke="${strategyHex(t.name)}" stroke-dasharray="${strategyDash(t.name)}"><title>${escapeHtml(`${t.name}: ${formatCount(times.length)} requests`)}</title></path>`;
  });
  const body = axes(frame, x, y, tickMs, tickCount, { x: "time since the strategy started (scenario time)", y: "requests so far" }) + lines.join("") + endLabels(ends, WIDTH - frame.right + 10);
  const legend = drawn.map((t) => legendItem(t.name, `${t.name}: ${formatCount(t.requests.length)}`));
  return figure(
    "Requests over time",
    svg(WIDTH, frame.height, "Cumulative requests over time, one line per strategy", body),
    legend,
    "Every request the table counts, as it was answered: polls, list pages, an event stream's opening (once, however many events it carried), the webhook's registration and each delivery that reached the receiver." +
      (repeatRuns ? ` The table shows means of ${repeatRuns} runs; this chart draws the last run.` : ""),
  );
}

/** How long after settlement each payment was known: one empirical CDF per strategy. */
export function latencyCdf(timelines: StrategyTimeline[]): string {
  const series = timelines.map((t) => ({ t, latencies: latenciesOf(t).sort((a, b) => a - b) })).filter((s) => s.latencies.length > 0);
  if (series.length === 0) return note("Detection latency: no payment was detected.");
  const frame: Frame = { width: WIDTH, height: 420, left: 96, right: END_LABELS, top: 16, bottom: 64 };
  const all = series.flatMap((s) => s.latencies);
  const x = autoScale(all, frame.left, WIDTH - frame.right);
  const y = linearScale(0, 100, frame.height - frame.bottom, frame.top, 4);
  const ends: EndLabel[] = [];
  const lines = series.map(({ t, latencies }) => {
    // The share is of all payments, so a strategy that missed some never reaches 100%.
    const total = Math.max(t.payments, latencies.length);
    let d = `M${n(x(latencies[0]!))},${n(y(0))}`;
    latencies.forEach((ms, i) => (d += `H${n(x(ms))}V${n(y(((i + 1) / total) * 100))}`));
    ends.push({ name: t.name, y: y((latencies.length / total) * 100), text: `p50 ${formatMs(median(latencies))}`, x: x(latencies.at(-1)!) });
    return `<path class="series" d="${d}" stroke="${strategyHex(t.name)}" stroke-dasharray="${strategyDash(t.name)}"><title>${escapeHtml(`${t.name}: ${formatCount(latencies.length)} of ${formatCount(t.payments)} detected`)}</title></path>`;
  });
  const xTitle = x.log ? "detection latency: known minus settled (log scale)" : "detection latency: known minus settled";
  const body = axes(frame, x, y, tickMs, (v) => `${v}%`, { x: xTitle, y: "payments known" }) + lines.join("") + endLabels(ends, WIDTH - frame.right + 10);
  const legend = series.map(({ t, latencies }) => legendItem(t.name, `${t.name}: ${formatCount(latencies.length)}/${formatCount(t.payments)}`));
  return figure(
    "Detection latency (CDF)",
    svg(WIDTH, frame.height, "Cumulative distribution of detection latency, one line per strategy", body),
    legend,
    `The share of payments whose outcome was known within a given time of settlement.${x.log ? " The strategies' latencies differ by orders of magnitude, so the time axis is logarithmic." : ""}`,
  );
}

interface EndLabel {
  name: string;
  y: number;
  text: string;
  /** Where the line ends, when it ends before the plot's right edge (a CDF). */
  x?: number;
}

/**
 * The name and figure of each series at the right of the plot, level with where its line ends,
 * pushed apart so none overlaps; series that end at the same point share one label, so lines
 * drawn on top of each other are still all named.
 */
function endLabels(labels: EndLabel[], at: number): string {
  const groups: EndLabel[][] = [];
  for (const l of [...labels].sort((a, b) => a.y - b.y)) {
    const same = groups.find((g) => Math.abs(g[0]!.y - l.y) < 0.5 && g[0]!.text === l.text);
    if (same) same.push(l);
    else groups.push([l]);
  }
  const GAP = 22;
  const ys = groups.map((g) => g[0]!.y);
  for (let i = 1; i < ys.length; i++) ys[i] = Math.max(ys[i]!, ys[i - 1]! + GAP);
  return groups
    .map((g, i) => {
      const y = ys[i]!;
      const names = g.map((l) => `<tspan fill="${strategyHex(l.name)}">${escapeHtml(l.name)}</tspan>`).join(", ");
      const leader = `<line class="leader" x1="${n(g[0]!.x ?? at - 10)}" y1="${n(g[0]!.y)}" x2="${n(at - 2)}" y2="${n(y)}"/>`;
      return `${leader}<text class="end-label" x="${n(at)}" y="${n(y)}" dominant-baseline="middle">${names} ${escapeHtml(g[0]!.text)}</text>`;
    })
    .join("");
}

/** Lanes beyond this stop being readable; the rest are counted in a note. */
export const MAX_LANES = 40;
const LANE = 30;

/**
 * One panel per strategy, one lane per payment, on a shared time axis so panels compare at a
 * glance: empty polls, the settlement, the delivery (above the lane, pointing down) and the
 * moment the consumer knew (a ring), each at its own time, so a trip that took a pixel or more
 * shows as a gap; a panel says when they all fall within one pixel.
 */
export function paymentTimeline(timelines: StrategyTimeline[]): string {
  if (timelines.every((t) => t.lanes.size === 0)) return note("Per-payment timeline: no payment was recorded.");
  const end = Math.max(...timelines.map(endOf));
  const panels = timelines.map((t) => panel(t, end));
  const legend = [
    `<li>${symbol(`<circle cx="12" cy="12" r="5" class="poll" stroke="#555"/>`)}empty poll</li>`,
    `<li>${symbol(`<path d="M12,4L20,12L12,20L4,12Z" class="settle"/>`)}settled (succeeded)</li>`,
    `<li>${symbol(`<path d="M12,4L20,12L12,20L4,12Z" class="settle failed"/>`)}settled (failed)</li>`,
    `<li>${symbol(`<line x1="2" y1="12" x2="22" y2="12" class="wait"/>`)}settled, not yet known</li>`,
    `<li>${symbol(`<path d="M5,3L19,3L12,14Z" fill="#555"/>`)}delivery</li>`,
    `<li>${symbol(`<circle cx="12" cy="12" r="8" class="known" stroke="#555"/>`)}known to the consumer</li>`,
  ];
  return `<figure class="chart timeline"><figcaption>Per-payment timeline</figcaption><ul class="legend">${legend.join("")}</ul>${panels.join("")}<p class="caption">Time runs left to right from each strategy's start; every strategy faced the same settlements.</p></figure>`;
}

function panel(t: StrategyTimeline, end: number): string {
  const lanes = [...t.lanes.values()].sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || idNumber(a.id) - idNumber(b.id));
  const shown = lanes.slice(0, MAX_LANES);
  const frame: Frame = { width: WIDTH, height: 0, left: 96, right: 24, top: 14, bottom: 64 };
  frame.height = frame.top + shown.length * LANE + frame.bottom;
  const x = linearScale(0, end, frame.left, WIDTH - frame.right);
  const colour = strategyHex(t.name);
  const rows = shown.map((lane, i) => {
    const cy = frame.top + i * LANE + LANE / 2;
    const from = lane.created ?? 0;
    const to = lane.detected ?? endOf(t);
    const marks: string[] = [`<text class="lane" x="${n(frame.left - 8)}" y="${n(cy)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(lane.id)}</text>`];
    marks.push(`<line class="span" x1="${n(x(from))}" y1="${n(cy)}" x2="${n(x(to))}" y2="${n(cy)}" stroke="${colour}" stroke-dasharray="${strategyDash(t.name)}"/>`);
    // The wait that matters: the provider knows, the consumer not yet.
    if (lane.settled !== undefined) marks.push(`<line class="wait" x1="${n(x(lane.settled))}" y1="${n(cy)}" x2="${n(x(lane.detected ?? endOf(t)))}" y2="${n(cy)}"/>`);
    for (const at of lane.emptyPolls) marks.push(`<circle class="poll" cx="${n(x(at))}" cy="${n(cy)}" r="4" stroke="${colour}"/>`);
    if (lane.settled !== undefined) {
      const sx = x(lane.settled);
      marks.push(`<path class="settle${lane.status === "failed" ? " failed" : ""}" d="M${n(sx)},${n(cy - 7)}L${n(sx + 7)},${n(cy)}L${n(sx)},${n(cy + 7)}L${n(sx - 7)},${n(cy)}Z"/>`);
    }
    // Above the lane, pointing down at its moment: never hidden by the settlement or the ring.
    for (const at of lane.deliveries) {
      const dx = x(at);
      marks.push(`<path class="delivery" d="M${n(dx - 6)},${n(cy - 14)}L${n(dx + 6)},${n(cy - 14)}L${n(dx)},${n(cy - 4)}Z" fill="${colour}"/>`);
    }
    if (lane.detected !== undefined) marks.push(`<circle class="known" cx="${n(x(lane.detected))}" cy="${n(cy)}" r="9" stroke="${colour}"/>`);
    return `<g><title>${escapeHtml(laneTitle(lane))}</title>${marks.join("")}</g>`;
  });
  const yNone = Object.assign(() => 0, { ticks: [] as number[], log: false });
  const body = axes(frame, x, yNone, tickMs, () => "", { x: "time since the strategy started (scenario time)", y: "" }) + rows.join("");
  const more = lanes.length > shown.length ? `<p class="caption">Showing the first ${MAX_LANES} of ${formatCount(lanes.length)} payments.</p>` : "";
  return `<h4 class="panel" style="color:${colour}">${escapeHtml(t.name)}</h4>${svg(WIDTH, frame.height, `Per-payment timeline for ${t.name}`, body)}${coincidence(lanes, x)}${more}`;
}

/**
 * For pushed outcomes: how many payments' settlement, delivery and detection fall within one
 * pixel of each other at this scale, said in words, since their marks then sit on one spot.
 */
function coincidence(lanes: Lane[], x: Scale): string {
  const pushed = lanes.filter((l) => l.settled !== undefined && l.detected !== undefined && l.deliveries.length > 0);
  if (pushed.length === 0) return "";
  const pixelMs = 1000 / Math.abs(x(1000) - x(0));
  const within = pushed.filter((l) => Math.abs(x(l.detected!) - x(l.settled!)) < 1).length;
  if (within === 0) return `<p class="caption">Every pushed outcome is drawn apart: settled, delivered and known at least a pixel apart.</p>`;
  const scale = pixelMs > 0 ? ` (under ${formatMs(pixelMs)} at this scale)` : "";
  return `<p class="caption">${formatCount(within)} of ${formatCount(pushed.length)} pushed outcomes were settled, delivered and known within one pixel${escapeHtml(scale)}: their marks sit on one spot.</p>`;
}

function laneTitle(lane: Lane): string {
  const parts = [lane.id];
  if (lane.settled !== undefined) parts.push(`${lane.status ?? "settled"} at ${tickMs(round(lane.settled))}`);
  if (lane.deliveries.length > 0) parts.push(`delivered at ${lane.deliveries.map((d) => tickMs(round(d))).join(", ")}`);
  if (lane.detected !== undefined) parts.push(`known at ${tickMs(round(lane.detected))}`);
  else parts.push("never known");
  if (lane.emptyPolls.length > 0) parts.push(`${lane.emptyPolls.length} empty ${lane.emptyPolls.length === 1 ? "poll" : "polls"}`);
  return parts.join(" · ");
}

/** Detected minus settled, per payment with both stamps. */
export function latenciesOf(t: StrategyTimeline): number[] {
  const out: number[] = [];
  for (const lane of t.lanes.values()) {
    if (lane.detected !== undefined && lane.settled !== undefined) out.push(Math.max(0, lane.detected - lane.settled));
  }
  return out;
}

function median(sorted: number[]): number {
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The end of a strategy's run as the timeline saw it. */
function endOf(t: StrategyTimeline): number {
  return Math.max(t.latest, ...t.requests, 1);
}

function idNumber(id: string): number {
  const m = /(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

function round(ms: number): number {
  return Math.round(ms);
}

function legendItem(name: string, text: string): string {
  const line = `<svg class="symbol wide" viewBox="0 0 48 24" width="48" height="24" aria-hidden="true"><line x1="1" y1="12" x2="47" y2="12" stroke="${strategyHex(name)}" stroke-width="4" stroke-dasharray="${strategyDash(name)}"/></svg>`;
  return `<li>${line}${escapeHtml(text)}</li>`;
}

function symbol(body: string): string {
  return `<svg class="symbol" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">${body}</svg>`;
}

function figure(title: string, chart: string, legend: string[], caption: string): string {
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><ul class="legend">${legend.join("")}</ul>${chart}<p class="caption">${escapeHtml(caption)}</p></figure>`;
}

function note(text: string): string {
  return `<p class="caption">${escapeHtml(text)}</p>`;
}
