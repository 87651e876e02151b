import type { CheckResult, ScenarioCheck } from "../contract/result.js";
import type { Palette } from "./color.js";
import { expectationLines } from "./expectations.js";
import { formatSeconds } from "../contract/format.js";
import { checkDocument } from "../contract/verdict.js";
import { toJson } from "./json.js";
import { checkSummary, failedExpectations, failureBeyondExpectations, heldOfTotal, interruptedNote, scenarioRecommendation } from "./outcome.js";
import { MAX_WIDTH, truncate, visibleWidth, wrapHanging } from "./text.js";
import { printable } from "../scenario/echo.js";

/** Longer names are cut so the verdict keeps a readable share of the line. */
const MAX_NAME_WIDTH = 24;
const GAP = "  ";

export interface CheckTableOptions {
  /**
   * Cut each recommendation to fit 80 columns: on a terminal. In a log (stdout not a terminal)
   * nothing is cut, since nobody can widen a CI log to read the rest.
   */
  fit?: boolean;
}

/**
 * `apiwh check` for people: one line per scenario (`✓ checkout  3/3  use webhooks: …  4.1 s`),
 * under a failing one its failed expectations with their details, under one that could not run
 * its error, then the summary. With `fit` (the default) every line fits 80 columns.
 */
export function renderCheckTable(check: CheckResult, palette: Palette, options: CheckTableOptions = {}): string {
  const fit = options.fit ?? true;
  // Names are the user's (a file name, for a file that could not be read): nothing in them may act on the terminal.
  const names = check.scenarios.map((s) => (fit ? truncate(printable(oneLine(s.name)), MAX_NAME_WIDTH) : printable(oneLine(s.name))));
  const counts = check.scenarios.map((s) => (s.status === "error" || s.status === "partial" ? "–" : heldOfTotal(s)));
  const durations = check.scenarios.map((s) => formatSeconds(s.durationMs));
  const nameWidth = Math.max(0, ...names.map(visibleWidth));
  const countWidth = Math.max(0, ...counts.map(visibleWidth));
  const durationWidth = Math.max(0, ...durations.map(visibleWidth));
  // The recommendation takes whatever the other columns leave: mark, name, count and duration, with gaps.
  const verdictWidth = MAX_WIDTH - (2 + nameWidth + GAP.length + countWidth + GAP.length + GAP.length + durationWidth);

  const lines: string[] = [];
  check.scenarios.forEach((s, i) => {
    const full = s.status === "error" ? "could not run" : oneLine(interruptedNote(s) ?? scenarioRecommendation(s));
    const verdict = fit ? truncate(full, verdictWidth) : full;
    const paintVerdict = s.status === "error" ? palette.bad : s.status === "partial" ? palette.warn : (t: string) => t;
    const head = `${mark(s, palette)} ${names[i]!}${fill(names[i]!, nameWidth)}`;
    const duration = palette.dim(durations[i]!.padStart(durationWidth));
    // Uncut, the long text goes last so the short columns stay aligned.
    lines.push(
      (fit
        ? [head, counts[i]!.padStart(countWidth), paintVerdict(verdict) + fill(verdict, verdictWidth), duration]
        : [head, counts[i]!.padStart(countWidth), duration, paintVerdict(verdict)]
      ).join(GAP),
    );
    lines.push(...underneath(s, palette));
  });
  if (lines.length > 0) lines.push("");
  lines.push((check.ok ? palette.good : palette.bad)(checkSummary(check)));
  return lines.join("\n");
}

/** The check result as JSON (each run with its verdict and recommendation), with the same rounding as `compare --format json`. */
export function renderCheckJson(check: CheckResult): string {
  return toJson(checkDocument(check));
}

function mark(s: ScenarioCheck, palette: Palette): string {
  if (s.status === "passed") return palette.good("✓");
  if (s.status === "failed") return palette.bad("✗");
  if (s.status === "partial") return palette.warn("–");
  return palette.bad("!");
}

/** What a failing scenario owes the reader: the expectations that failed, or the error. */
function underneath(s: ScenarioCheck, palette: Palette): string[] {
  if (s.status === "partial") return [];
  if (s.status === "error") {
    const message = s.error ?? "the scenario could not run";
    return message.split("\n").flatMap((line) => wrapHanging(`  ${printable(line)}`, MAX_WIDTH, 4)).map(palette.bad);
  }
  const lines = expectationLines(failedExpectations(s), palette, 2);
  const beyond = failureBeyondExpectations(s);
  if (beyond) lines.push(...wrapHanging(`  ✗ ${beyond}`, MAX_WIDTH, 4).map(palette.bad));
  return lines;
}

/** Spaces that pad `text` to `width` visible columns (padEnd counts UTF-16 units, not columns). */
function fill(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - visibleWidth(text)));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}
