import Table from "cli-table3";
import type { CompareResult, StrategyResult } from "../run/result.js";
import { formatDurationShort } from "../scenario/duration.js";
import { strategyColor, type Palette } from "./color.js";
import { formatBytes, formatCount, formatDecimal, formatMs, formatPercent } from "./format.js";
import { verdict } from "./verdict.js";

/** Terminal width every line must fit, including borders. */
export const MAX_WIDTH = 80;
/** More strategy columns than this stop being readable side by side, whatever the width. */
export const MAX_STRATEGIES_PER_TABLE = 4;

type Cell = (s: StrategyResult, palette: Palette) => string;

interface Row {
  label: string;
  cell: Cell;
}

interface Section {
  title: string;
  /** A section with a single figure shows it on the title row itself (Duration). */
  rows: Row[];
}

const latency = (pick: (l: NonNullable<StrategyResult["latencyMs"]>) => number): Cell => (s) =>
  s.latencyMs === null ? "–" : formatMs(pick(s.latencyMs));

/** Metrics as rows, in the order people read them: cost, then bytes, then speed, then correctness. */
function sections(result: CompareResult): Section[] {
  const list: Section[] = [
    {
      title: "Requests",
      rows: [
        { label: "total", cell: (s) => formatCount(s.requests.total) },
        { label: "wasted", cell: (s) => wasted(s) },
        { label: "per payment", cell: (s) => formatDecimal(s.requests.perPayment) },
        { label: "consumer→provider", cell: (s) => formatCount(s.requests.consumerToProvider) },
        { label: "provider→consumer", cell: (s) => formatCount(s.requests.providerToConsumer) },
      ],
    },
    {
      title: "Bytes",
      rows: [
        { label: "total", cell: (s) => formatBytes(s.bytes.total) },
        { label: "consumer→provider", cell: (s) => formatBytes(s.bytes.consumerToProvider) },
        { label: "provider→consumer", cell: (s) => formatBytes(s.bytes.providerToConsumer) },
      ],
    },
    {
      title: "Detection latency",
      rows: [
        { label: "min", cell: latency((l) => l.min) },
        { label: "mean", cell: latency((l) => l.mean) },
        { label: "p50", cell: latency((l) => l.p50) },
        { label: "p90", cell: latency((l) => l.p90) },
        { label: "p99", cell: latency((l) => l.p99) },
        { label: "max", cell: latency((l) => l.max) },
      ],
    },
    {
      title: "Payments",
      rows: [
        { label: "detected", cell: (s) => `${formatCount(s.payments.detected)}/${formatCount(s.payments.total)}` },
        { label: "missed", cell: (s, p) => (s.payments.missed > 0 ? p.bad(formatCount(s.payments.missed)) : formatCount(s.payments.missed)) },
        { label: "duplicates", cell: (s) => formatCount(s.payments.duplicates) },
      ],
    },
  ];
  // Polling strategies receive no deliveries; a block of zeros would only be noise.
  if (result.strategies.some((s) => s.deliveries.attempted > 0)) {
    list.push({
      title: "Deliveries",
      rows: [
        { label: "attempted", cell: (s) => formatCount(s.deliveries.attempted) },
        { label: "retried", cell: (s) => formatCount(s.deliveries.retried) },
      ],
    });
  }
  list.push({ title: "Duration", rows: [{ label: "", cell: (s) => formatMs(s.durationMs) }] });
  return list;
}

function wasted(s: StrategyResult): string {
  const { wasted: count, total } = s.requests;
  if (total === 0 || count === 0) return formatCount(count);
  return `${formatCount(count)} (${formatPercent(count, total)})`;
}

/**
 * The side-by-side comparison: a one-line scenario header, one or more tables (strategies as
 * columns, split so every line fits 80 columns), the verdict, and a warning when the run was cut short.
 */
export function renderTable(result: CompareResult, palette: Palette): string {
  const blocks: string[] = [];
  blocks.push(wrap(scenarioLine(result), MAX_WIDTH, " · ").join("\n"));
  const rowSections = sections(result);
  const tables = chunkStrategies(result.strategies, (chunk) => buildTable(chunk, rowSections, palette));
  blocks.push(tables.join("\n\n"));
  const sentence = result.verdict || verdict(result);
  blocks.push(wrap(sentence, MAX_WIDTH, OUTSIDE_PARENTHESES).map(palette.bold).join("\n"));
  if (result.partial) blocks.push(palette.warn("partial results: the run was interrupted"));
  return blocks.join("\n");
}

/** `checkout · 20 payments · seed 42 · poll every 1 s · speed 10×` */
export function scenarioLine(result: Pick<CompareResult, "scenario">): string {
  const s = result.scenario;
  const parts = [s.name, `${formatCount(s.payments)} ${s.payments === 1 ? "payment" : "payments"}`, `seed ${s.seed}`, `poll every ${spacedDuration(s.pollIntervalMs)}`];
  if (s.speed !== 1) parts.push(`speed ${s.speed}×`);
  return parts.join(" · ");
}

/** `1s` → `1 s`, `1.5m` → `1.5 min`: the compact form with the space people expect in prose. */
function spacedDuration(ms: number): string {
  const match = /^(-?[\d.]+)([a-z]+)$/.exec(formatDurationShort(ms));
  if (!match) return formatMs(ms);
  const unit = match[2] === "m" ? "min" : match[2];
  return `${match[1]} ${unit}`;
}

/**
 * Splits the strategies into consecutive groups, each rendered as its own table, adding columns
 * while the table still fits the width and holds at most MAX_STRATEGIES_PER_TABLE strategies.
 */
function chunkStrategies(strategies: StrategyResult[], render: (chunk: StrategyResult[]) => string): string[] {
  if (strategies.length === 0) return [render([])];
  const tables: string[] = [];
  let chunk: StrategyResult[] = [];
  let rendered = "";
  for (const s of strategies) {
    const candidate = [...chunk, s];
    const text = render(candidate);
    if (chunk.length > 0 && (candidate.length > MAX_STRATEGIES_PER_TABLE || widest(text) > MAX_WIDTH)) {
      tables.push(rendered);
      chunk = [s];
      rendered = render(chunk);
    } else {
      chunk = candidate;
      rendered = text;
    }
  }
  tables.push(rendered);
  return tables;
}

function buildTable(chunk: StrategyResult[], rowSections: Section[], palette: Palette): string {
  const table = new Table({
    head: ["", ...chunk.map((s) => strategyColor(palette, s.name)(s.name))],
    colAligns: ["left", ...chunk.map(() => "right" as const)],
    // cli-table3 colours heads red and borders grey by default; colour is the palette's call alone.
    style: { head: [], border: [], compact: true },
  });
  for (const [i, section] of rowSections.entries()) {
    // A row of empty cells, not an empty row: cli-table3 would draw that without column borders.
    if (i > 0) table.push(["", ...chunk.map(() => "")]);
    const [first, ...rest] = section.rows;
    if (first && first.label === "") {
      // A single-figure section: the figure sits on the title row.
      table.push([palette.bold(section.title), ...chunk.map((s) => first.cell(s, palette))]);
      continue;
    }
    table.push([palette.bold(section.title), ...chunk.map(() => "")]);
    for (const row of [first, ...rest]) {
      if (!row) continue;
      table.push([`  ${row.label}`, ...chunk.map((s) => row.cell(s, palette))]);
    }
  }
  return table.toString();
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible width of the widest line, ignoring colour codes. */
export function widest(text: string): number {
  return Math.max(0, ...text.split("\n").map((line) => [...line.replace(ANSI, "")].length));
}

/** A space not inside parentheses: keeps `(p50: 0.61 ms vs 452.3 ms)` on one line when wrapping. */
const OUTSIDE_PARENTHESES = / (?![^(]*\))/;

/**
 * Greedy wrap at `separator` boundaries. Falls back to plain spaces when a piece alone is wider
 * than the line, so every line fits whatever the text.
 */
function wrap(text: string, width: number, separator: string | RegExp): string[] {
  if ([...text].length <= width) return [text];
  const glue = typeof separator === "string" ? separator : " ";
  const lines: string[] = [];
  let line = "";
  // A single word wider than the line (a very long scenario name) is cut into line-sized slices.
  const pieces = text.split(separator).flatMap((piece) => slices(piece, width));
  for (const piece of pieces) {
    const next = line === "" ? piece : line + glue + piece;
    if ([...next].length > width && line !== "") {
      lines.push(line.trimEnd());
      line = piece;
    } else {
      line = next;
    }
  }
  if (line !== "") lines.push(line);
  if (separator !== " " && lines.some((l) => [...l].length > width)) return wrap(text, width, " ");
  return lines;
}

function slices(piece: string, width: number): string[] {
  const chars = [...piece];
  if (chars.length <= width) return [piece];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(""));
  return out;
}
