import Table from "cli-table3";
import type { CompareResult, StrategyResult } from "../contract/result.js";
import { formatDurationShort } from "../scenario/duration.js";
import { strategyColor, type Palette } from "./color.js";
import { expectationCount, expectationLines } from "./expectations.js";
import { formatCount, formatMs } from "../contract/format.js";
import { healthWarnings } from "./health.js";
import { modelNotes } from "./model.js";
import { projectionNote, repeatNote, sections, type Section } from "./rows.js";
import { KEEP_FIGURES, MAX_WIDTH, widest, wrap, wrapHanging } from "./text.js";
import { decide, rankingLine } from "../contract/verdict.js";
import { printable } from "../scenario/echo.js";

export { MAX_WIDTH, widest } from "./text.js";
export { modelNotes } from "./model.js";

/** More strategy columns than this stop being readable side by side, whatever the width. */
export const MAX_STRATEGIES_PER_TABLE = 4;

/**
 * The side-by-side comparison: a one-line scenario header, one or more tables (strategies as
 * columns, split so every line fits 80 columns), where the model and the measurement part, what
 * the projection assumed, the verdict and the recommendation (`→ use webhooks: …`), a warning when
 * the run was cut short, and the expectations with their count.
 */
export function renderTable(result: CompareResult, palette: Palette): string {
  const blocks: string[] = [];
  blocks.push(wrap(scenarioLine(result), MAX_WIDTH, " · ").join("\n"));
  const rowSections = sections(result);
  const tables = chunkStrategies(result.strategies, (chunk) => buildTable(chunk, rowSections, palette));
  blocks.push(tables.join("\n\n"));
  const external = externalNote(result);
  if (external) blocks.push(wrapHanging(external, MAX_WIDTH, 2).map(palette.bold).join("\n"));
  const notes = modelNotes(result);
  if (notes.length > 0) {
    blocks.push([palette.bold("Model vs measured"), ...notes.flatMap((note) => wrapHanging(`  ${note}`, MAX_WIDTH, 4))].join("\n"));
  }
  const projection = projectionNote(result);
  if (projection) blocks.push(wrapHanging(projection, MAX_WIDTH, 2).map(palette.dim).join("\n"));
  const { verdict, recommendation, ranking } = decide(result);
  blocks.push(wrap(verdict, MAX_WIDTH, KEEP_FIGURES).join("\n"));
  const ranked = rankingLine(ranking);
  if (ranked) blocks.push(wrapHanging(ranked, MAX_WIDTH, 2).join("\n"));
  blocks.push(wrapHanging(`→ ${recommendation}`, MAX_WIDTH, 2).map(palette.bold).join("\n"));
  if (result.partial) blocks.push(palette.warn("partial results: the run was interrupted"));
  for (const warning of healthWarnings(result.strategies)) blocks.push(wrapHanging(warning, MAX_WIDTH, 2).map(palette.warn).join("\n"));
  if (result.expectations && result.expectations.length > 0) {
    blocks.push([...expectationLines(result.expectations, palette), expectationCount(result.expectations, palette)].join("\n"));
  }
  return blocks.join("\n");
}

/** What a detection means when the webhooks went to the user's own receiver (`--webhook-url`). */
export function externalNote(result: Pick<CompareResult, "strategies">): string | undefined {
  const names = result.strategies.filter((s) => s.receiver === "external").map((s) => s.name);
  if (names.length === 0) return undefined;
  return `${names.join(", ")}: receiver external (--webhook-url): detected means acknowledged, your receiver answered 2xx; latency is settlement to that answer, requests and bytes as the provider sent them.`;
}

/**
 * `checkout · 20 payments · seed 42 · poll every 1 s · speed 10×`; with `--repeat` the seed gives
 * way to `(mean of 5 runs, seeds 42–46)`.
 */
export function scenarioLine(result: Pick<CompareResult, "scenario" | "repeat"> & { clock?: CompareResult["clock"] }): string {
  const s = result.scenario;
  const parts = [printable(s.name), `${formatCount(s.payments)} ${s.payments === 1 ? "payment" : "payments"}`];
  if (!result.repeat) parts.push(`seed ${s.seed}`);
  parts.push(`poll every ${spacedDuration(s.pollIntervalMs)}`);
  if (s.speed !== 1) parts.push(`speed ${s.speed}×`);
  // Older results (a saved JSON) have no profile; the standard one goes unsaid, as it always did.
  if (s.profile && s.profile !== "standard") parts.push(`profile ${s.profile}`);
  if (result.clock === "virtual") parts.push("virtual clock (simulated, no sockets)");
  const line = parts.join(" · ");
  return result.repeat ? `${line} ${repeatNote(result.repeat)}` : line;
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
 * Wider cells (`452.3 ± 8.1 ms` under --repeat) simply mean fewer strategies per table.
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
