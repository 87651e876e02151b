import type { CheckResult } from "../contract/result.js";
import { failedExpectations, failureBeyondExpectations, interruptedNote } from "./outcome.js";

/** Where a field sits in its file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * GitHub Actions workflow commands for what failed in a check: one `::error` per failing
 * expectation, pointing at its line in the scenario file (`positions(file, i)` for `expect[i]`),
 * one per scenario that could not run (at the line its error names), and a `::warning` for one an
 * interrupt cut short (its expectations were not judged; one never started gets none). GitHub turns
 * them into annotations on the file, shown beside the pull request's diff.
 */
export function githubAnnotations(check: CheckResult, positions: (file: string, expectation: number) => Position | undefined): string[] {
  const lines: string[] = [];
  for (const s of check.scenarios) {
    const title = `apiwh check: ${s.name}`;
    if (s.status === "error") {
      const message = s.error ?? "the scenario could not run";
      // Scenario errors open with `file:line:column: ` when the loader knew where.
      const at = /^(.*?):(\d+):(\d+): ([\s\S]*)$/.exec(message);
      const where = at && at[1] === s.file ? { line: Number(at[2]), column: Number(at[3]) } : undefined;
      lines.push(command(s.file, where, title, where ? at![4]! : message));
      continue;
    }
    if (s.status === "partial" && s.result) lines.push(command(s.file, undefined, title, interruptedNote(s)!, "warning"));
    if (s.status !== "failed") continue;
    s.expectations.forEach((e, i) => {
      if (e.ok) return;
      lines.push(command(s.file, positions(s.file, i), title, `${e.text}: ${e.details.join("; ")}`));
    });
    const beyond = failureBeyondExpectations(s);
    if (beyond && failedExpectations(s).length === 0) lines.push(command(s.file, undefined, title, beyond));
  }
  return lines;
}

function command(file: string, at: Position | undefined, title: string, message: string, level: "error" | "warning" = "error"): string {
  const props = [`file=${property(file)}`];
  if (at) props.push(`line=${at.line}`, `col=${at.column}`);
  props.push(`title=${property(title)}`);
  return `::${level} ${props.join(",")}::${data(message)}`;
}

/** A workflow command's message: `%`, CR and LF escaped, as the runner decodes them. */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: also `:` and `,`, which would end it. */
function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
