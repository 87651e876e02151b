import { formatCount } from "../contract/format.js";
import { printable } from "../scenario/echo.js";

/**
 * The strategies' colours for HTML and SVG: the same hues as the terminal palette (color.ts),
 * darkened where the terminal's bright shade would wash out on white paper or a projector.
 */
export const STRATEGY_HEX: Readonly<Record<string, string>> = {
  polling: "#a15c00", // yellow → amber, legible on white
  "polling-backoff": "#9d1fa8", // magenta
  conditional: "#00788a", // cyan
  "long-polling": "#1f3a93", // blue
  sse: "#d6246e", // bright magenta
  webhook: "#1a7f37", // green
  hybrid: "#2f7de1", // bright blue
};

/**
 * A dash pattern per strategy (SVG `stroke-dasharray`), so lines tell the strategies apart without
 * colour: printed in grey, on a washed-out projector, or to a reader who does not see the hues.
 */
export const STRATEGY_DASH: Readonly<Record<string, string>> = {
  polling: "none",
  "polling-backoff": "14 5 3 5",
  conditional: "3 5",
  "long-polling": "18 6",
  sse: "8 4 2 4 2 4",
  webhook: "9 5",
  hybrid: "2 4 10 4",
};

export function strategyDash(name: string): string {
  return STRATEGY_DASH[name] ?? "none";
}

/** The strategy's colour in HTML; an unknown name is drawn in near-black. */
export function strategyHex(name: string): string {
  return STRATEGY_HEX[name] ?? "#222222";
}

/** Text and attribute values from the data: every character HTML gives a meaning, escaped. */
export function escapeHtml(text: string): string {
  // Control characters (not allowed in HTML text) are shown as \uXXXX, as the terminal shows them; newlines and tabs stay.
  return text
    .split(/(\n|\t)/)
    .map((part) => (part === "\n" || part === "\t" ? part : printable(part)))
    .join("")
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A coordinate with at most one decimal: SVG paths stay short and byte-stable for snapshots. */
export function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Maps data to pixels, with the ticks to label the axis. */
export interface Scale {
  (value: number): number;
  ticks: number[];
  log: boolean;
}

/** Spans whose largest and smallest values differ by more than this are drawn on a log axis. */
export const LOG_SPAN_RATIO = 50;

/**
 * A linear scale from [lo, hi] to [from, to] with 4–8 round ticks (1, 2, 2.5 or 5 × 10^k).
 * A zero-width domain is widened so a single value still gets an axis.
 */
export function linearScale(lo: number, hi: number, from: number, to: number, targetTicks = 6): Scale {
  if (!(hi > lo)) hi = lo + (lo === 0 ? 1 : Math.abs(lo));
  const step = niceStep((hi - lo) / targetTicks);
  return scaleWithStep(lo, hi, from, to, step);
}

/** A linear scale for counts: whole-number ticks only (1, 2, 5 × 10^k, never 2.5 or a fraction). */
export function countScale(lo: number, hi: number, from: number, to: number, targetTicks = 6): Scale {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / targetTicks;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const f = raw / power;
  const step = Math.max(1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power);
  return scaleWithStep(lo, hi, from, to, step);
}

function scaleWithStep(lo: number, hi: number, from: number, to: number, step: number): Scale {
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= last + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  const scale = ((v: number) => from + ((v - first) / (last - first)) * (to - from)) as Scale;
  scale.ticks = ticks;
  scale.log = false;
  return scale;
}

/** A log₁₀ scale over whole decades around [lo, hi] (lo > 0), ticked at 1, 10, 100…. */
export function logScale(lo: number, hi: number, from: number, to: number): Scale {
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  for (let k = a; k <= b; k++) ticks.push(Number((10 ** k).toPrecision(12)));
  const scale = ((v: number) => from + ((Math.log10(Math.max(v, 10 ** a)) - a) / (b - a)) * (to - from)) as Scale;
  scale.ticks = ticks;
  scale.log = true;
  return scale;
}

/** Log when the positive values span more than LOG_SPAN_RATIO, else linear from zero. */
export function autoScale(values: number[], from: number, to: number): Scale {
  const positive = values.filter((v) => v > 0);
  const lo = Math.min(...positive);
  const hi = Math.max(0, ...values);
  if (positive.length > 0 && hi / lo > LOG_SPAN_RATIO) return logScale(lo, hi, from, to);
  return linearScale(0, hi, from, to);
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** Axis labels for times: `0`, `250 ms`, `1.5 s`, `2 min`: short, with the unit. */
export function tickMs(ms: number): string {
  if (ms === 0) return "0";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${trim(ms)} ms`;
  if (abs < 60_000) return `${trim(ms / 1000)} s`;
  if (abs < 3_600_000) return `${trim(ms / 60_000)} min`;
  return `${trim(ms / 3_600_000)} h`;
}

/** Axis labels for counts: grouped thousands, fractions kept short. */
export function tickCount(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : trim(value);
}

function trim(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** Where a chart draws inside its viewBox. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const FONT = 18;

/**
 * Gridlines, tick labels and both axis titles of a frame. Ticks outside the frame (a linear scale
 * rounds its ends outwards) are never produced, because scales start and end on ticks.
 */
export function axes(frame: Frame, x: Scale, y: Scale, xLabel: (v: number) => string, yLabel: (v: number) => string, titles: { x: string; y: string }): string {
  const { width, height, left, right, top, bottom } = frame;
  const parts: string[] = [];
  const x0 = left;
  const x1 = width - right;
  const y0 = height - bottom;
  const y1 = top;
  for (const t of y.ticks) {
    const py = n(y(t));
    parts.push(`<line class="grid" x1="${n(x0)}" y1="${py}" x2="${n(x1)}" y2="${py}"/>`);
    parts.push(`<text class="tick" x="${n(x0 - 8)}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeHtml(yLabel(t))}</text>`);
  }
  for (const t of x.ticks) {
    const px = n(x(t));
    parts.push(`<line class="grid" x1="${px}" y1="${n(y0)}" x2="${px}" y2="${n(y1)}"/>`);
    parts.push(`<text class="tick" x="${px}" y="${n(y0 + FONT + 6)}" text-anchor="middle">${escapeHtml(xLabel(t))}</text>`);
  }
  parts.push(`<line class="axis" x1="${n(x0)}" y1="${n(y0)}" x2="${n(x1)}" y2="${n(y0)}"/>`);
  parts.push(`<line class="axis" x1="${n(x0)}" y1="${n(y0)}" x2="${n(x0)}" y2="${n(y1)}"/>`);
  parts.push(`<text class="axis-title" x="${n((x0 + x1) / 2)}" y="${n(height - 8)}" text-anchor="middle">${escapeHtml(titles.x)}</text>`);
  const cy = (y0 + y1) / 2;
  parts.push(`<text class="axis-title" x="${FONT + 2}" y="${n(cy)}" text-anchor="middle" transform="rotate(-90 ${FONT + 2} ${n(cy)})">${escapeHtml(titles.y)}</text>`);
  return parts.join("");
}

/** An inline SVG element (HTML5 needs no namespace) with a viewBox, sized by its attributes and scaled down by CSS. */
export function svg(width: number, height: number, label: string, body: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">${body}</svg>`;
}
