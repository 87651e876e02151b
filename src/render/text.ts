/** Terminal width every line must fit, including borders. */
export const MAX_WIDTH = 80;

const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible width of a line: code points, ignoring colour codes. */
export function visibleWidth(line: string): number {
  return [...line.replace(ANSI, "")].length;
}

/** Visible width of the widest line, ignoring colour codes. */
export function widest(text: string): number {
  return Math.max(0, ...text.split("\n").map(visibleWidth));
}

/** A space not inside parentheses: keeps `(p50: 0.61 ms vs 452.3 ms)` on one line when wrapping. */
export const OUTSIDE_PARENTHESES = / (?![^(]*\))/;

/** A space not before a unit: keeps `1.12 ms` on one line when wrapping. */
export const KEEP_UNITS = / (?!(?:µs|ms|s|min|h|d|B|kB|MB|GB|TB)\b)/;

/** A space outside parentheses and not before a unit: keeps `1.12 ms` and `(1.12 ms vs 951.2 ms)` whole when wrapping. */
export const KEEP_FIGURES = / (?![^(]*\))(?!(?:µs|ms|s|min|h|d|B|kB|MB|GB|TB)\b)/;

/**
 * Greedy wrap at `separator` boundaries. Falls back to plain spaces when a piece alone is wider
 * than the line, so every line fits whatever the text.
 */
export function wrap(text: string, width: number, separator: string | RegExp = " "): string[] {
  return wrapLines(text, width, width, separator);
}

/**
 * Wraps to `width` keeping the text's own leading spaces on the first line and indenting every
 * later line by `indent` spaces (a hanging indent), so a long note still reads as one item.
 */
export function wrapHanging(text: string, width: number, indent: number): string[] {
  const lead = /^ */.exec(text)![0];
  const pad = " ".repeat(indent);
  const lines = wrapLines(text.slice(lead.length), width - lead.length, width - indent, " ");
  return lines.map((line, i) => (i === 0 ? lead : pad) + line);
}

function wrapLines(text: string, firstWidth: number, width: number, separator: string | RegExp): string[] {
  if ([...text].length <= firstWidth) return [text];
  const glue = typeof separator === "string" ? separator : " ";
  const lines: string[] = [];
  let line = "";
  const limit = () => (lines.length === 0 ? firstWidth : width);
  // A single word wider than the line (a very long scenario name) is cut into line-sized slices.
  const pieces = text.split(separator).flatMap((piece) => slices(piece, Math.min(firstWidth, width)));
  for (const piece of pieces) {
    const next = line === "" ? piece : line + glue + piece;
    if ([...next].length > limit() && line !== "") {
      lines.push(line.trimEnd());
      line = piece;
    } else {
      line = next;
    }
  }
  if (line !== "") lines.push(line);
  if (separator !== " " && lines.some((l, i) => [...l].length > (i === 0 ? firstWidth : width))) return wrapLines(text, firstWidth, width, " ");
  return lines;
}

/** Cuts a one-line text to `width` code points, ending with `…` when anything was cut. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return "";
  return chars.slice(0, width - 1).join("").trimEnd() + "…";
}

function slices(piece: string, width: number): string[] {
  const chars = [...piece];
  if (chars.length <= width) return [piece];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(""));
  return out;
}
