import type { Lane, StrategyTimeline } from "../contract/timeline.js";
import { formatCount } from "../contract/format.js";
import { autoScale, axes, escapeHtml, linearScale, n, strategyHex, svg, tickCount, tickMs, type Frame } from "./html-svg.js";

/**
 * The report's three charts, drawn from what a Timeline recorded. Each returns an HTML `<figure>`
 * (SVG plus an HTML legend, so the legend's type scales with the page), or a short note when
 * there is nothing to draw.
 */

const WIDTH = 960;

/** Cumulative requests (polls and deliveries as the consumer saw them) per strategy, as step lines. */
export function requestsChart(timelines: StrategyTimeline[]): string {
  const drawn = timelines.filter((t) => t.requests.length > 0);
  if (drawn.length === 0) return note("Requests over time: no request was recorded.");
  const frame: Frame = { width: WIDTH, height: 420, left: 96, right: 24, top: 16, bottom: 64 };
  const end = Math.max(...timelines.map(endOf));
  const x = linearScale(0, end, frame.left, WIDTH - frame.right);
  const y = linearScale(0, Math.max(...drawn.map((t) => t.requests.length)), frame.height - frame.bottom, frame.top, 5);
  const lines = drawn.map((t) => {
    const times = [...t.requests].sort((a, b) => a - b);
    let d = `M${n(x(0))},${n(y(0))}`;
    times.forEach((at, i) => (d += `H${n(x(at))}V${n(y(i + 1))}`));
    d += `H${n(x(endOf(t)))}`;
    return `<path class="series" d="${d}" stroke="${strategyHex(t.name)}"><title>${escapeHtml(`${t.name}: ${formatCount(times.length)} requests`)}</title></path>`;
  });
  const body = axes(frame, x, y, tickMs, tickCount, { x: "time since the run started (scenario time)", y: "requests so far" }) + lines.join("");
  const legend = drawn.map((t) => legendItem(t.name, `${t.name}: ${formatCount(t.requests.length)}`));
  return figure(
    "Requests over time",
    svg(WIDTH, frame.height, "Cumulative requests over time, one line per strategy", body),
    legend,
    "Each poll and each delivery counted as it was answered; a webhook's endpoint registration and an event stream's opening are not drawn.",
  );
}

/** How long after settlement each payment was known: one empirical CDF per strategy. */
export function latencyCdf(timelines: StrategyTimeline[]): string {
  const series = timelines.map((t) => ({ t, latencies: latenciesOf(t).sort((a, b) => a - b) })).filter((s) => s.latencies.length > 0);
  if (series.length === 0) return note("Detection latency: no payment was detected.");
  const frame: Frame = { width: WIDTH, height: 420, left: 96, right: 24, top: 16, bottom: 64 };
  const all = series.flatMap((s) => s.latencies);
  const x = autoScale(all, frame.left, WIDTH - frame.right);
  const y = linearScale(0, 100, frame.height - frame.bottom, frame.top, 4);
  const lines = series.map(({ t, latencies }) => {
    // The share is of all payments, so a strategy that missed some never reaches 100%.
    const total = Math.max(t.payments, latencies.length);
    let d = `M${n(x(latencies[0]!))},${n(y(0))}`;
    latencies.forEach((ms, i) => (d += `H${n(x(ms))}V${n(y(((i + 1) / total) * 100))}`));
    return `<path class="series" d="${d}" stroke="${strategyHex(t.name)}"><title>${escapeHtml(`${t.name}: ${formatCount(latencies.length)} of ${formatCount(t.payments)} detected`)}</title></path>`;
  });
  const xTitle = x.log ? "detection latency: known minus settled (log scale)" : "detection latency: known minus settled";
  const body = axes(frame, x, y, tickMs, (v) => `${v}%`, { x: xTitle, y: "payments known" }) + lines.join("");
  const legend = series.map(({ t, latencies }) => legendItem(t.name, `${t.name}: ${formatCount(latencies.length)}/${formatCount(t.payments)}`));
  return figure(
    "Detection latency (CDF)",
    svg(WIDTH, frame.height, "Cumulative distribution of detection latency, one line per strategy", body),
    legend,
    `The share of payments whose outcome was known within a given time of settlement.${x.log ? " The strategies' latencies differ by orders of magnitude, so the time axis is logarithmic." : ""}`,
  );
}

/** Lanes beyond this stop being readable; the rest are counted in a note. */
export const MAX_LANES = 40;
const LANE = 26;

/**
 * One panel per strategy, one lane per payment, on a shared time axis so panels compare at a
 * glance: empty polls, the settlement, deliveries and the moment the consumer knew.
 */
export function paymentTimeline(timelines: StrategyTimeline[]): string {
  if (timelines.every((t) => t.lanes.size === 0)) return note("Per-payment timeline: no payment was recorded.");
  const end = Math.max(...timelines.map(endOf));
  const panels = timelines.map((t) => panel(t, end));
  const legend = [
    `<li>${symbol(`<circle cx="12" cy="12" r="5" class="poll" stroke="#555"/>`)}empty poll</li>`,
    `<li>${symbol(`<path d="M12,4L20,12L12,20L4,12Z" class="settle"/>`)}settled (succeeded)</li>`,
    `<li>${symbol(`<path d="M12,4L20,12L12,20L4,12Z" class="settle failed"/>`)}settled (failed)</li>`,
    `<li>${symbol(`<path d="M5,5L19,12L5,19Z" fill="#555"/>`)}delivery</li>`,
    `<li>${symbol(`<circle cx="12" cy="12" r="8" class="known" stroke="#555"/>`)}known to the consumer</li>`,
  ];
  return `<figure class="chart"><figcaption>Per-payment timeline</figcaption><ul class="legend">${legend.join("")}</ul>${panels.join("")}<p class="caption">Time runs left to right from each strategy's start; every strategy faced the same settlements.</p></figure>`;
}

function panel(t: StrategyTimeline, end: number): string {
  const lanes = [...t.lanes.values()].sort((a, b) => (a.created ?? 0) - (b.created ?? 0) || idNumber(a.id) - idNumber(b.id));
  const shown = lanes.slice(0, MAX_LANES);
  const frame: Frame = { width: WIDTH, height: 0, left: 96, right: 24, top: 8, bottom: 64 };
  frame.height = frame.top + shown.length * LANE + frame.bottom;
  const x = linearScale(0, end, frame.left, WIDTH - frame.right);
  const colour = strategyHex(t.name);
  const rows = shown.map((lane, i) => {
    const cy = frame.top + i * LANE + LANE / 2;
    const from = lane.created ?? 0;
    const to = lane.detected ?? endOf(t);
    const marks: string[] = [`<text class="lane" x="${n(frame.left - 8)}" y="${n(cy)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(lane.id)}</text>`];
    marks.push(`<line class="span" x1="${n(x(from))}" y1="${n(cy)}" x2="${n(x(to))}" y2="${n(cy)}" stroke="${colour}"/>`);
    for (const at of lane.emptyPolls) marks.push(`<circle class="poll" cx="${n(x(at))}" cy="${n(cy)}" r="4" stroke="${colour}"/>`);
    if (lane.settled !== undefined) {
      const sx = x(lane.settled);
      marks.push(`<path class="settle${lane.status === "failed" ? " failed" : ""}" d="M${n(sx)},${n(cy - 8)}L${n(sx + 8)},${n(cy)}L${n(sx)},${n(cy + 8)}L${n(sx - 8)},${n(cy)}Z"/>`);
    }
    for (const at of lane.deliveries) {
      const dx = x(at);
      marks.push(`<path d="M${n(dx - 6)},${n(cy - 7)}L${n(dx + 7)},${n(cy)}L${n(dx - 6)},${n(cy + 7)}Z" fill="${colour}"/>`);
    }
    // A ring, so a settlement or delivery at the same moment (a webhook's) still shows inside it.
    if (lane.detected !== undefined) marks.push(`<circle class="known" cx="${n(x(lane.detected))}" cy="${n(cy)}" r="9" stroke="${colour}"/>`);
    return `<g><title>${escapeHtml(laneTitle(lane))}</title>${marks.join("")}</g>`;
  });
  const yNone = Object.assign(() => 0, { ticks: [] as number[], log: false });
  const body = axes(frame, x, yNone, tickMs, () => "", { x: "time since the strategy started (scenario time)", y: "" }) + rows.join("");
  const more = lanes.length > shown.length ? `<p class="caption">Showing the first ${MAX_LANES} of ${formatCount(lanes.length)} payments.</p>` : "";
  return `<h4 class="panel" style="color:${colour}">${escapeHtml(t.name)}</h4>${svg(WIDTH, frame.height, `Per-payment timeline for ${t.name}`, body)}${more}`;
}

function laneTitle(lane: Lane): string {
  const parts = [lane.id];
  if (lane.settled !== undefined) parts.push(`${lane.status ?? "settled"} at ${tickMs(round(lane.settled))}`);
  if (lane.detected !== undefined) parts.push(`known at ${tickMs(round(lane.detected))}`);
  else parts.push("never known");
  if (lane.emptyPolls.length > 0) parts.push(`${lane.emptyPolls.length} empty ${lane.emptyPolls.length === 1 ? "poll" : "polls"}`);
  if (lane.deliveries.length > 0) parts.push(`${lane.deliveries.length} ${lane.deliveries.length === 1 ? "delivery" : "deliveries"}`);
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
  return `<li>${symbol(`<rect x="2" y="9" width="20" height="6" fill="${strategyHex(name)}"/>`)}${escapeHtml(text)}</li>`;
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

