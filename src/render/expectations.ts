import type { ExpectationResult } from "../contract/result.js";
import type { Palette } from "./color.js";
import { MAX_WIDTH, visibleWidth, wrapHanging } from "./text.js";
import { printable } from "../scenario/echo.js";

/** Gap between an expectation and its detail when both fit on one line. */
const DETAIL_GAP = " — ";

/**
 * `✓ text` in green or `✗ text` in red, one per expectation, each starting `indent` columns in.
 * A failed one is followed by its details: on the same line when that fits, else one per
 * indented line. A passed one needs no evidence; the JSON has it.
 */
export function expectationLines(expectations: ExpectationResult[], palette: Palette, indent = 0): string[] {
  const pad = " ".repeat(indent);
  const lines: string[] = [];
  for (const e of expectations) {
    const paint = e.ok ? palette.good : palette.bad;
    const head = `${pad}${e.ok ? "✓" : "✗"} ${printable(e.text)}`;
    const details = e.details.map(printable);
    const oneLine = details.length === 1 ? head + DETAIL_GAP + details[0] : null;
    if (e.ok || e.details.length === 0) {
      lines.push(...wrapHanging(head, MAX_WIDTH, indent + 2).map(paint));
    } else if (oneLine !== null && visibleWidth(oneLine) <= MAX_WIDTH) {
      lines.push(paint(head) + palette.dim(DETAIL_GAP + details[0]));
    } else {
      lines.push(...wrapHanging(head, MAX_WIDTH, indent + 2).map(paint));
      for (const detail of details) lines.push(...wrapHanging(`${pad}    ${detail}`, MAX_WIDTH, indent + 6).map(palette.dim));
    }
  }
  return lines;
}

/** `3 of 3 expectations hold` or `1 of 3 expectations failed`, painted by the outcome. */
export function expectationCount(expectations: ExpectationResult[], palette: Palette): string {
  const failed = expectations.filter((e) => !e.ok).length;
  return failed === 0 ? palette.good(holdCount(expectations.length, expectations.length)) : palette.bad(failedCount(failed, expectations.length));
}

/** `17 of 18 expectations hold`, `1 of 1 expectation holds`. */
export function holdCount(held: number, total: number): string {
  return `${held} of ${total} ${total === 1 ? "expectation holds" : "expectations hold"}`;
}

/** `1 of 3 expectations failed`. */
export function failedCount(failed: number, total: number): string {
  return `${failed} of ${total} ${total === 1 ? "expectation" : "expectations"} failed`;
}
