import { countersOf, type Counters, type Lane, type StrategyTimeline, type Timeline } from "../contract/timeline.js";
import { arrivalOffsets } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import { strategyColor, type Paint, type Palette } from "./color.js";
import { formatCount, formatMs, formatPercent, formatSeconds } from "../contract/format.js";
import type { CompareResult } from "../contract/result.js";
import { decide } from "../contract/verdict.js";
import { expectationCount, expectationLines } from "./expectations.js";
import { healthWarnings } from "./health.js";
import { MAX_WIDTH, OUTSIDE_PARENTHESES, wrap, wrapHanging } from "./text.js";

export interface LiveFrameOptions {
  palette: Palette;
  /** Columns the frame may use; every line fits. */
  width: number;
  /** Rows the frame may use; lanes are grouped to fit. */
  height: number;
  /** Scenario ms the time axis spans at least (see liveHorizonMs); it stretches when the run goes past it. */
  horizonMs: number;
  /** Scenario ms since the current strategy's start, so elapsed time and waits grow between events. */
  nowMs?: number;
  /** Every strategy of the run in order, so those still to come are listed as queued. */
  strategies?: readonly string[];
  /** The scenario's deadline, so the running strategy's missed payments are counted as they pass it. */
  deadlineMs?: number;
}

/** At most this many lanes per strategy; more payments share lanes. */
export const MAX_LANES = 30;
/** Room for `✓ polling-backoff ` and `  1,001–2,000 `. */
const LABEL_WIDTH = 18;

/**
 * The marks, from least to most important: a cell shows the most important mark that falls in it.
 * Each differs by its glyph, not only by colour, so the frame reads the same under NO_COLOR.
 */
const Mark = { waiting: 1, poll: 2, settled: 3, delivery: 4, known: 5, failed: 6 } as const;
type MarkRank = (typeof Mark)[keyof typeof Mark];
const GLYPH: Record<MarkRank, string> = { 1: "━", 2: "○", 3: "│", 4: "↓", 5: "●", 6: "✗" };
const MEANING: Record<MarkRank, string> = {
  2: "asked: pending",
  3: "settled",
  1: "client doesn't know yet",
  4: "delivered",
  5: "asked: known",
  6: "failed",
};
/** The legend's order: the story of one payment, left to right. */
const LEGEND_ORDER: MarkRank[] = [2, 3, 1, 4, 5, 6];

/** A piece of a line: plain text and how to paint it. Widths are measured on the plain text. */
type Segment = [text: string, paint?: Paint];

interface Band {
  name: string;
  t?: StrategyTimeline;
  /** Scenario ms "now" for this band: the running strategy's clock, or where a finished one ended. */
  now: number;
  counters?: Counters;
}

/**
 * One frame of the live view: every strategy of the run on screen at once, a band each (finished
 * ones frozen, the running one moving, the rest queued), all on one time axis so pull and push
 * compare at a glance; then a compact summary with the result's definitions (requests, wasted,
 * known, p50, p95, missed), and a legend of the marks drawn. Pure: state in, string out.
 */
export function renderLiveFrame(timeline: Timeline, options: LiveFrameOptions): string {
  const { palette, width, height } = options;
  const bands = bandsOf(timeline, options);
  if (!bands.some((b) => b.t)) {
    const lines: Segment[][] = bands.map((b) => [[pad(`  ${b.name}`, LABEL_WIDTH), strategyColor(palette, b.name)], ["queued", palette.dim]]);
    lines.push([["waiting for the first payment…", palette.dim]]);
    return finish(lines.slice(-Math.max(1, height)), width);
  }

  const spanMs = Math.max(options.horizonMs, ...bands.map((b) => b.now), 1);
  const track = Math.max(10, width - LABEL_WIDTH);
  const summary = summaryLines(bands, palette, width);
  // Lanes share what the summary, the legend, the grouping note and the band headers leave.
  const legendRows = 2;
  const fixed = summary.length + legendRows + bands.length;
  const perBand = Math.floor((height - fixed) / bands.length);
  // Tight: the legend goes before any lane does.
  const keepLegend = perBand >= 1 || height >= summary.length + legendRows + 1 + bands.filter((b) => b.t).length;

  const lines: Segment[][] = [];
  const drawn = new Set<MarkRank>();
  let perLane = 1;
  if (perBand >= 1) {
    const room = Math.min(MAX_LANES, perBand);
    for (const band of bands) {
      lines.push(bandHeader(band, spanMs, track, palette));
      if (!band.t) continue;
      const groups = groupLanes(band.t, room);
      perLane = Math.max(perLane, groups.perLane);
      for (const group of groups.groups) lines.push(laneLine(`  ${group.label}`, group.lanes, band, spanMs, track, palette, drawn));
    }
  } else {
    // Too many strategies for a lane each: one line per strategy, every payment on it, under one axis.
    lines.push([[" ".repeat(LABEL_WIDTH)], ...axis(spanMs, track, palette)]);
    // Queued strategies are listed in the summary below.
    for (const band of bands) {
      if (band.t) lines.push(laneLine(`${band.t.result ? "✓" : "▸"} ${band.name}`, [...band.t.lanes.values()], band, spanMs, track, palette, drawn, strategyColor(palette, band.name)));
    }
    perLane = Math.max(...bands.map((b) => b.t?.payments ?? 1));
  }
  lines.push(...summary);
  if (keepLegend) lines.push(...legend(drawn, palette, width, perLane));
  // However small the screen, never more lines than it has: the summary and legend are kept, the top goes.
  return finish(lines.slice(-Math.max(1, height)), width);
}

function bandsOf(timeline: Timeline, options: LiveFrameOptions): Band[] {
  const current = timeline.strategies.at(-1);
  // With --repeat a strategy runs again: its latest run is the one shown.
  const latest = new Map<string, StrategyTimeline>();
  for (const t of timeline.strategies) latest.set(t.name, t);
  const names = [...new Set([...(options.strategies ?? []), ...latest.keys()])];
  return names.map((name) => {
    const t = latest.get(name);
    if (!t) return { name, now: 0 };
    const running = t === current && !t.result;
    const now = running ? Math.max(t.latest, options.nowMs ?? 0) : Math.max(t.latest, t.result?.durationMs ?? 0);
    return { name, t, now, counters: countersOf(t, running ? options.nowMs : undefined, options.deadlineMs) };
  });
}

function bandHeader(band: Band, spanMs: number, track: number, palette: Palette): Segment[] {
  const own = strategyColor(palette, band.name);
  if (!band.t) return [[pad(`  ${band.name}`, LABEL_WIDTH), own], ["queued", palette.dim]];
  const mark: Segment = band.t.result ? ["✓ ", palette.good] : ["▸ ", palette.bold];
  return [mark, [pad(band.name, LABEL_WIDTH - 2), own], ...axis(spanMs, track, palette)];
}

function axis(spanMs: number, track: number, palette: Palette): Segment[] {
  const end = formatSeconds(spanMs);
  const start = "0 s";
  const rule = "┄".repeat(Math.max(0, track - start.length - end.length - 2));
  return [[`${start} ${rule} ${end}`, palette.dim]];
}

interface LaneGroup {
  label: string;
  lanes: Lane[];
}

/** One lane per payment in creation order, or consecutive payments sharing a lane when there are more than fit. */
function groupLanes(t: StrategyTimeline, room: number): { groups: LaneGroup[]; perLane: number } {
  const ordered = [...t.lanes.values()].sort((a, b) => paymentNumber(a.id) - paymentNumber(b.id));
  const total = Math.max(t.payments, ordered.length);
  if (total <= room) return { groups: ordered.map((lane) => ({ label: lane.id, lanes: [lane] })), perLane: 1 };
  const perLane = Math.ceil(total / room);
  const groups: LaneGroup[] = [];
  for (const lane of ordered) {
    const g = Math.floor((paymentNumber(lane.id) - 1) / perLane);
    const first = g * perLane + 1;
    const label = `${formatCount(first)}–${formatCount(Math.min(total, first + perLane - 1))}`;
    const last = groups.at(-1);
    if (last?.label === label) last.lanes.push(lane);
    else groups.push({ label, lanes: [lane] });
  }
  return { groups, perLane };
}

function paymentNumber(id: string): number {
  const n = Number(/(\d+)$/.exec(id)?.[1]);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

function laneLine(label: string, lanes: Lane[], band: Band, spanMs: number, track: number, palette: Palette, drawn: Set<MarkRank>, labelPaint: Paint = palette.dim): Segment[] {
  const cells = new Uint8Array(track);
  const col = (ms: number) => Math.min(track - 1, Math.max(0, Math.floor((ms / spanMs) * track)));
  const put = (ms: number, mark: MarkRank) => {
    const c = col(ms);
    if (mark > cells[c]!) cells[c] = mark;
  };
  for (const lane of lanes) {
    // The wait that matters: the provider knows the outcome and the client does not yet.
    if (lane.settled !== undefined) for (let c = col(lane.settled); c <= col(lane.detected ?? band.now); c++) if (cells[c]! < Mark.waiting) cells[c] = Mark.waiting;
    for (const at of lane.emptyPolls) put(at, Mark.poll);
    if (lane.settled !== undefined) put(lane.settled, Mark.settled);
    // A delivery lands in its own cell, apart from the settlement whenever it came a cell or more later.
    for (const at of lane.deliveries) put(at, Mark.delivery);
    if (lane.detected !== undefined) {
      // Told: the delivery that brought the outcome keeps its ↓ (a failure shows ✗ however it was learnt).
      if (lane.status === "failed") put(lane.detected, Mark.failed);
      else if (lane.detectedBy !== "told") put(lane.detected, Mark.known);
    }
  }
  const own = strategyColor(palette, band.name);
  const paintOf: Record<MarkRank, Paint> = {
    1: palette.bold,
    2: palette.bold,
    3: (t) => t,
    4: (t) => palette.bold(own(t)),
    5: (t) => palette.bold(own(t)),
    6: (t) => palette.bold(palette.bad(t)),
  };
  const segments: Segment[] = [[pad(label, LABEL_WIDTH), labelPaint]];
  // Runs of the same mark become one segment, so colour codes stay few.
  let run = "";
  let runMark = 0;
  for (let c = 0; c < track; c++) {
    const mark = cells[c]!;
    if (mark) drawn.add(mark as MarkRank);
    if (mark !== runMark && run) {
      segments.push([run, runMark ? paintOf[runMark as MarkRank] : undefined]);
      run = "";
    }
    runMark = mark;
    run += mark ? GLYPH[mark as MarkRank] : " ";
  }
  if (run.trim()) segments.push([run, runMark ? paintOf[runMark as MarkRank] : undefined]);
  return segments;
}

/** Summary columns: heading, width, and the cell; the widest that fit the frame's width are kept. */
const COLUMNS: Array<{ head: string; width: number; cell: (c: Counters) => string; optional?: boolean }> = [
  { head: "requests", width: 9, cell: (c) => formatCount(c.requests) },
  { head: "wasted", width: 11, cell: (c) => (c.requests > 0 && c.wasted > 0 ? `${formatCount(c.wasted)} (${formatPercent(c.wasted, c.requests)})` : formatCount(c.wasted)) },
  { head: "settled", width: 9, cell: (c) => `${formatCount(c.settled)}/${formatCount(c.payments)}`, optional: true },
  { head: "known", width: 9, cell: (c) => `${formatCount(c.known)}/${formatCount(c.payments)}` },
  { head: "p50", width: 10, cell: (c) => (c.p50 === null ? "–" : formatMs(c.p50)) },
  { head: "p95", width: 10, cell: (c) => (c.p95 === null ? "–" : formatMs(c.p95)) },
  { head: "missed", width: 7, cell: (c) => formatCount(c.missed) },
  { head: "time", width: 8, cell: (c) => formatSeconds(c.elapsedMs), optional: true },
];

/**
 * The compact summary: one row per strategy with the table's figures. While a strategy runs they
 * are counted from its events; once it has ended they are its result's, the numbers the table
 * and the JSON print.
 */
function summaryLines(bands: Band[], palette: Palette, width: number): Segment[][] {
  let columns = COLUMNS;
  const total = () => LABEL_WIDTH + columns.reduce((a, c) => a + c.width, 0);
  // Optional columns go first when the width is short (settled shows in the lanes, time in the bands).
  if (total() > width) columns = columns.filter((c) => c.head !== "settled");
  if (total() > width) columns = columns.filter((c) => !c.optional);
  const head: Segment[] = [[" ".repeat(LABEL_WIDTH)], [columns.map((c) => c.head.padStart(c.width)).join(""), palette.dim]];
  const rows = bands.map((band): Segment[] => {
    const own = strategyColor(palette, band.name);
    if (!band.counters) return [[pad(`  ${band.name}`, LABEL_WIDTH), own], ["queued".padStart(columns[0]!.width), palette.dim]];
    const mark: Segment = band.counters.done ? ["✓ ", palette.good] : ["▸ ", palette.bold];
    const c = band.counters;
    const cells = columns.map((col): Segment => [col.cell(c).padStart(col.width), col.head === "missed" && c.missed > 0 ? palette.bad : undefined]);
    return [mark, [pad(band.name, LABEL_WIDTH - 2), own], ...cells];
  });
  return [head, ...rows];
}

function legend(drawn: Set<MarkRank>, palette: Palette, width: number, perLane: number): Segment[][] {
  const items: Segment[][] = LEGEND_ORDER.filter((m) => drawn.has(m)).map((m) => [[GLYPH[m], m === 3 ? undefined : palette.bold], [` ${MEANING[m]}`]]);
  if (perLane > 1) items.push([[`(${formatCount(perLane)} payments share a lane)`, palette.dim]]);
  // Greedy: as many items per line as fit, at most two lines.
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  for (const item of items) {
    const w = item.reduce((a, [t]) => a + [...t].length, 0);
    if (used > 0 && used + 2 + w > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (used > 0) line.push(["  "]);
    line.push(...item);
    used += (used > 0 ? 2 : 0) + w;
  }
  if (line.length > 0) lines.push(line);
  return lines.slice(0, 2);
}

/**
 * One line of progress for long runs: settled and detected per strategy, then the elapsed time of
 * the current one, cut to `width`.
 */
export function renderProgressLine(timeline: Timeline, palette: Palette, width: number, nowMs?: number): string {
  const parts: Segment[] = [];
  const current = timeline.strategies.at(-1);
  for (const t of timeline.strategies) {
    if (parts.length > 0) parts.push(["  "]);
    parts.push([t.name, strategyColor(palette, t.name)], [` ${formatCount(t.settled)}/${formatCount(t.payments)} settled, ${formatCount(t.detected)} detected`]);
  }
  if (current && !current.result) parts.push([`  ${formatSeconds(Math.max(current.latest, nowMs ?? 0))}`, palette.dim]);
  return paintLine(parts, width).trimEnd();
}

/**
 * The span of scenario time a live timeline should show from the start: the last arrival plus a
 * slow settlement plus a poll interval, never past the deadline, so lanes fill the width.
 */
export function liveHorizonMs(scenario: Scenario): number {
  const offsets = arrivalOffsets(scenario.payments.arrival, scenario.payments.count, scenario.seed);
  const lastArrival = offsets.length > 0 ? offsets[offsets.length - 1]! : 0;
  const d = scenario.settlement.delay;
  const slow = d.kind === "fixed" ? d.valueMs : d.kind === "uniform" ? d.maxMs : d.kind === "exponential" ? 3 * d.meanMs : d.p95Ms;
  return lastArrival + Math.min(scenario.deadlineMs, slow + scenario.polling.intervalMs);
}

function finish(lines: Segment[][], width: number): string {
  return lines.map((l) => paintLine(l, width).trimEnd()).join("\n");
}

/** Paints segments left to right, cutting the plain text at `width` columns. */
function paintLine(segments: Segment[], width: number): string {
  let out = "";
  let left = width;
  for (const [text, paint] of segments) {
    if (left <= 0) break;
    const chars = [...text];
    const shown = chars.length > left ? chars.slice(0, left).join("") : text;
    left -= Math.min(chars.length, left);
    out += paint && shown.trim() ? paint(shown) : shown;
  }
  return out;
}

function pad(text: string, n: number): string {
  return text.length >= n ? `${text.slice(0, n - 1)} ` : text.padEnd(n);
}

/**
 * What `compare --live` prints on stdout under the final frame instead of the full table (which
 * `--table` brings back): the verdict, any warning, and the expectations that failed with their
 * count, so the frame and its summary stay on a 100 × 32 screen.
 */
export function renderLiveOutcome(result: CompareResult, palette: Palette): string {
  const { verdict, recommendation } = decide(result);
  const lines: string[] = [...wrap(verdict, MAX_WIDTH, OUTSIDE_PARENTHESES), ...wrapHanging(`→ ${recommendation}`, MAX_WIDTH, 2).map(palette.bold)];
  if (result.partial) lines.push(palette.warn("partial results: the run was interrupted"));
  for (const warning of healthWarnings(result.strategies)) lines.push(...wrapHanging(warning, MAX_WIDTH, 2).map(palette.warn));
  const expectations = result.expectations ?? [];
  if (expectations.length > 0) {
    lines.push(...expectationLines(expectations.filter((e) => !e.ok), palette));
    lines.push(expectationCount(expectations, palette));
  }
  lines.push(palette.dim("The full table: --table, or --format json."));
  return lines.join("\n");
}
