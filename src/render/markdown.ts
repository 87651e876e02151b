import type { CheckResult, CompareResult, ExpectationResult, ScenarioCheck } from "../contract/result.js";
import { makePalette } from "./color.js";
import { failedCount, holdCount } from "./expectations.js";
import { formatSeconds } from "../contract/format.js";
import { healthWarnings } from "./health.js";
import { modelNotes } from "./model.js";
import { checkSummary, failedExpectations, failureBeyondExpectations, heldOfTotal, interruptedNote, scenarioRecommendation } from "./outcome.js";
import { projectionNote, sections } from "./rows.js";
import { externalNote, scenarioLine } from "./table.js";
import { decide, rankingLine } from "../contract/verdict.js";
import { printable } from "../scenario/echo.js";

/** Markdown carries no colour; the cells are the terminal's, unpainted. */
const PLAIN = makePalette(false);

const STATUS_EMOJI: Record<ScenarioCheck["status"], string> = { passed: "✅", failed: "❌", error: "⚠️", partial: "⏸️" };

/**
 * `apiwh compare --format markdown`: the terminal table's rows as one GitHub-flavoured table (no
 * width to fit, so every strategy side by side), what the projection assumed, the verdict and the
 * recommendation, where model and measurement part, and the expectations as a ✅/❌ list.
 */
export function renderMarkdown(result: CompareResult): string {
  const blocks: string[] = [`### ${escapeText(scenarioLine(result))}`];
  if (result.scenario.description) blocks.push(`_${escapeText(result.scenario.description)}_`);
  blocks.push(compareTable(result));
  const external = externalNote(result);
  if (external) blocks.push(`**${escapeText(external)}**`);
  const projection = projectionNote(result);
  if (projection) blocks.push(`_${escapeText(projection)}_`);
  const { verdict, recommendation, ranking } = decide(result);
  blocks.push(escapeText(verdict));
  const ranked = rankingLine(ranking);
  if (ranked) blocks.push(escapeText(ranked));
  blocks.push(`**→ ${escapeText(recommendation)}**`);
  const notes = modelNotes(result);
  if (notes.length > 0) blocks.push(["**Model vs measured**", "", ...notes.map((n) => `- ${escapeText(n)}`)].join("\n"));
  // The same warnings the table prints when the tool itself may have skewed a figure.
  for (const warning of healthWarnings(result.strategies)) blocks.push(`> [!WARNING]\n> ${escapeText(warning)}`);
  if (result.partial) blocks.push("> [!WARNING]\n> partial results: the run was interrupted");
  const expectations = result.expectations ?? [];
  if (expectations.length > 0) {
    const failed = expectations.filter((e) => !e.ok).length;
    const count = failed === 0 ? holdCount(expectations.length, expectations.length) : failedCount(failed, expectations.length);
    blocks.push([`**Expectations:** ${count}`, "", ...expectationList(expectations, true)].join("\n"));
  }
  return blocks.join("\n\n");
}

/**
 * `apiwh check --format markdown`, shaped for a GitHub Actions job summary: a heading with the
 * outcome, the summary line, one table row per scenario, then what went wrong, scenario by scenario.
 */
export function renderCheckMarkdown(check: CheckResult): string {
  const outcome = check.ok ? "✅ apiwh check passed" : check.partial ? "⏸️ apiwh check interrupted" : "❌ apiwh check failed";
  const blocks: string[] = [`## ${outcome}`, checkSummary(check)];
  if (check.scenarios.length > 0) {
    blocks.push(
      markdownTable(
        ["", "Scenario", "Expectations", "Recommendation", "Duration"],
        ["center", "left", "right", "left", "right"],
        check.scenarios.map((s) => [
          STATUS_EMOJI[s.status],
          s.name,
          s.status === "error" || s.status === "partial" ? "–" : heldOfTotal(s),
          s.status === "error" ? "could not run" : (interruptedNote(s) ?? scenarioRecommendation(s)),
          formatSeconds(s.durationMs),
        ]),
      ),
    );
  }
  for (const s of check.scenarios) {
    if (s.status === "passed" || s.status === "partial") continue;
    const lines = [`### ${STATUS_EMOJI[s.status]} ${escapeText(s.name)}`];
    // A scenario that could not be read is named by its file already.
    if (s.file !== s.name) lines.push("", code(s.file));
    if (s.status === "error") {
      lines.push("", codeBlock(s.error ?? "the scenario could not run"));
    } else {
      const list = expectationList(failedExpectations(s), false);
      const beyond = failureBeyondExpectations(s);
      if (beyond) list.push(`- ❌ ${escapeText(beyond)}`);
      lines.push("", ...list);
    }
    blocks.push(lines.join("\n"));
  }
  return blocks.join("\n\n");
}

function compareTable(result: CompareResult): string {
  const rows: Cell[][] = [];
  for (const section of sections(result)) {
    const [first] = section.rows;
    if (section.rows.length === 1 && first && first.label === "") {
      rows.push([{ bold: section.title }, ...result.strategies.map((s) => first.cell(s, PLAIN))]);
      continue;
    }
    rows.push([{ bold: section.title }, ...result.strategies.map(() => "")]);
    for (const row of section.rows) rows.push([row.label, ...result.strategies.map((s) => row.cell(s, PLAIN))]);
  }
  const head = ["", ...result.strategies.map((s) => s.name)];
  return markdownTable(head, ["left", ...result.strategies.map(() => "right" as const)], rows);
}

type Align = "left" | "right" | "center";
const DIVIDER: Record<Align, string> = { left: ":--", right: "--:", center: ":-:" };
/** Text from the data, escaped on the way in; `{ bold }` for the section titles the table itself adds. */
type Cell = string | { bold: string };

/** The one place Markdown table syntax is written: head, divider, rows, every cell escaped. */
export function markdownTable(head: Cell[], align: Align[], rows: Cell[][]): string {
  const cell = (c: Cell) => (typeof c === "string" ? escapeText(c) : `**${escapeText(c.bold)}**`);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head.map(cell)), line(align.map((a) => DIVIDER[a])), ...rows.map((r) => line(r.map(cell)))].join("\n");
}

/** `✅ expr` / `❌ expr`; a failed one lists its details beneath. */
function expectationList(expectations: ExpectationResult[], withPassed: boolean): string[] {
  const lines: string[] = [];
  for (const e of expectations) {
    if (e.ok && !withPassed) continue;
    lines.push(`- ${e.ok ? "✅" : "❌"} ${code(e.text)}`);
    if (!e.ok) for (const detail of e.details) lines.push(`  - ${code(detail)}`);
  }
  return lines;
}

/**
 * Prose and cells from the data (names, verdicts, messages): one line, Markdown's own characters
 * shown as themselves, `|` escaped so it cannot end a table cell.
 */
export function escapeText(text: string): string {
  return printable(text.replace(/\r?\n/g, " ")).replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** Inline code that survives backticks in the text: a fence one longer than the longest run inside. */
function code(text: string): string {
  const flat = printable(text.replace(/\r?\n/g, " "));
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith(" ") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function codeBlock(raw: string): string {
  const text = raw.split("\n").map(printable).join("\n");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}
