import type { Lane, StrategyTimeline, Timeline } from "../contract/timeline.js";
import { arrivalOffsets } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import { strategyColor, type Paint, type Palette } from "./color.js";
import { formatCount, formatSeconds } from "../contract/format.js";

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
}

/** At most this many lanes; more payments share lanes. */
export const MAX_LANES = 30;
const LABEL_WIDTH = 12;

/** The marks, from least to most important: a cell shows the most important mark that falls in it. */
const Mark = { waiting: 1, poll: 2, settled: 3, delivery: 4, detected: 5, failed: 6 } as const;
type MarkRank = (typeof Mark)[keyof typeof Mark];
const GLYPH: Record<MarkRank, string> = { 1: "─", 2: "·", 3: "│", 4: "↓", 5: "●", 6: "✗" };

/** A piece of a line: plain text and how to paint it. Widths are measured on the plain text. */
type Segment = [text: string, paint?: Paint];

/**
 * One frame of the live timeline: a line of counters per strategy, then the current strategy's
 * payments as lanes with time running left to right, then a legend. Pure: state in, string out.
 */
export function renderLiveFrame(timeline: Timeline, options: LiveFrameOptions): string {
  const { palette, width } = options;
  const lines: Segment[][] = [];
  const current = timeline.strategies.at(-1);
  for (const t of timeline.strategies) lines.push(counterLine(t, t === current ? options.nowMs : undefined, palette));
  const started = new Set(timeline.strategies.map((t) => t.name as string));
  for (const name of options.strategies ?? []) if (!started.has(name)) lines.push([["  "], [pad(name, 16), strategyColor(palette, name)], ["queued", palette.dim]]);
  if (!current) return finish([...lines, [["waiting for the first payment…", palette.dim]]], width);

  const now = current.result ? current.latest : Math.max(current.latest, options.nowMs ?? 0);
  const spanMs = Math.max(options.horizonMs, now, 1);
  const track = Math.max(10, width - LABEL_WIDTH - 1);
  // Counters, axis, legend and the grouping note; at least a few lanes however small the terminal.
  const room = Math.max(3, Math.min(MAX_LANES, options.height - lines.length - 3));
  const lanes = groupLanes(current, room);

  lines.push(axisLine(current, spanMs, track, palette));
  for (const group of lanes.groups) lines.push(laneLine(group, now, spanMs, track, current, palette));
  const own = strategyColor(palette, current.name);
  lines.push([
    ["·", palette.dim], [" asked, no news  "], ["│"], [" settled  "], ["↓", own], [" delivered  "],
    ["●", own], [" detected ("], ["✗", palette.bad], [" failed)  "], ["─", palette.dim], [" waiting"],
  ]);
  if (lanes.perLane > 1) lines.push([[`${formatCount(lanes.perLane)} payments share each lane; marks of any of them show`, palette.dim]]);
  return finish(lines, width);
}

function counterLine(t: StrategyTimeline, nowMs: number | undefined, palette: Palette): Segment[] {
  const done = t.result !== undefined;
  const requests = done ? t.result!.requests.total : t.requests.length;
  const elapsed = done ? t.result!.durationMs : Math.max(t.latest, nowMs ?? 0);
  const of = `/${formatCount(t.payments)}`;
  return [
    [done ? "✓ " : "▸ ", done ? palette.good : palette.bold],
    [pad(t.name, 16), strategyColor(palette, t.name)],
    [`${formatCount(requests).padStart(6)} req  `],
    [`${formatCount(t.settled)}${of} settled  `],
    [`${formatCount(t.detected)}${of} detected  `],
    [formatSeconds(elapsed).padStart(7), palette.dim],
  ];
}

function axisLine(t: StrategyTimeline, spanMs: number, track: number, palette: Palette): Segment[] {
  const end = formatSeconds(spanMs);
  const start = "0 s";
  const rule = "┄".repeat(Math.max(0, track - start.length - end.length - 2));
  return [[pad(t.name, LABEL_WIDTH), strategyColor(palette, t.name)], [" "], [`${start} ${rule} ${end}`, palette.dim]];
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
    const label = `${first}–${Math.min(total, first + perLane - 1)}`;
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

function laneLine(group: LaneGroup, now: number, spanMs: number, track: number, t: StrategyTimeline, palette: Palette): Segment[] {
  const cells = new Uint8Array(track);
  const col = (ms: number) => Math.min(track - 1, Math.max(0, Math.floor((ms / spanMs) * track)));
  const put = (ms: number, mark: MarkRank) => {
    const c = col(ms);
    if (mark > cells[c]!) cells[c] = mark;
  };
  for (const lane of group.lanes) {
    // The wait that matters: the provider knows the outcome and the client does not yet.
    if (lane.settled !== undefined) for (let c = col(lane.settled); c <= col(lane.detected ?? now); c++) if (cells[c]! < Mark.waiting) cells[c] = Mark.waiting;
    for (const at of lane.emptyPolls) put(at, Mark.poll);
    if (lane.settled !== undefined) put(lane.settled, Mark.settled);
    for (const at of lane.deliveries) put(at, Mark.delivery);
    if (lane.detected !== undefined) put(lane.detected, lane.status === "failed" ? Mark.failed : Mark.detected);
  }
  const own = strategyColor(palette, t.name);
  const paintOf: Record<MarkRank, Paint | undefined> = { 1: palette.dim, 2: palette.dim, 3: undefined, 4: own, 5: own, 6: palette.bad };
  const segments: Segment[] = [[pad(group.label, LABEL_WIDTH), palette.dim], [" "]];
  // Runs of the same mark become one segment, so colour codes stay few.
  let run = "";
  let runMark = 0;
  for (let c = 0; c < track; c++) {
    const mark = cells[c]!;
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
  return lines.map((l) => paintLine(l, width)).join("\n");
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
