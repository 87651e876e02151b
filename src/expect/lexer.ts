import { ParseError } from "../errors.js";
import { MS_PER_UNIT, TIME_UNITS, type TimeUnit } from "../scenario/units.js";

/**
 * Tokenizer for the expectation language (see parser.ts for the grammar).
 *
 * Lexical rules worth knowing:
 * - A path is `strategy.field.subfield`: segments joined by `.` with no spaces. The first segment is a
 *   strategy name (letters, digits and hyphens, starting with a letter) or `*`; later segments are
 *   letters, digits, `_` and hyphens. A `-` directly between two letters/digits continues the path, so
 *   `long-polling.requests.total` is one path and `polling.requests.total-1` is a (bad) path too:
 *   put spaces around `-` when subtracting from a path (`polling.requests.total - 1`).
 * - A number is `12`, `0.5`, `.5`, `1e3`, `1.5e-2`, optionally followed *without a space* by a unit:
 *   `us`/`µs` (×0.001), `ms` (×1), `s` (×1000), `m`/`min` (×60000), `h` (×3600000), `d` (×86400000), `%` (×0.01).
 * - `*` starts a wildcard path only where an operand is expected and a `.` follows it (`*.payments.missed`);
 *   anywhere else it is multiplication.
 */

export const MAX_EXPECTATION_LENGTH = 1000;
export const MAX_NESTING_DEPTH = 64;

export type ComparisonOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type ArithmeticOp = "+" | "-" | "*" | "/";
/** The time units are the scenario's (src/scenario/units.ts), so `2d` means here what it means in a file. */
export type Unit = TimeUnit | "%";

export const UNIT_FACTORS: Readonly<Record<Unit, number>> = { ...MS_PER_UNIT, "%": 0.01 };

/** Units that make a number a duration (all but `%`). */
export const TIME_UNIT_WORDS: ReadonlySet<string> = new Set(TIME_UNITS);

const UNIT_LIST = "ms, s, m, min, h, d, us or %";

export type Token =
  | { kind: "number"; column: number; raw: string; value: number; unit: Unit | null }
  | { kind: "path"; column: number; raw: string; strategy: string; fields: string[] }
  /** A bare identifier that is not a path (no `.`); always a parse error, kept for a helpful message. */
  | { kind: "word"; column: number; raw: string }
  | { kind: "compare"; column: number; raw: ComparisonOp }
  | { kind: "arith"; column: number; raw: ArithmeticOp }
  | { kind: "("; column: number; raw: "(" }
  | { kind: ")"; column: number; raw: ")" }
  | { kind: "end"; column: number; raw: "" };

/** Quotes the expectation for an error message: one line, shortened around `column` when long. */
export function quoteSource(text: string, column: number): string {
  const WINDOW = 60;
  let shown = text;
  let prefix = "";
  let suffix = "";
  if (text.length > WINDOW * 2) {
    const start = Math.max(0, Math.min(column - 1 - WINDOW, text.length - WINDOW * 2));
    shown = text.slice(start, start + WINDOW * 2);
    if (start > 0) prefix = "…";
    if (start + WINDOW * 2 < text.length) suffix = "…";
  }
  const json = JSON.stringify(shown).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return `"${prefix}${json.slice(1, -1)}${suffix}"`;
}

/** Quotes a token or character for an error message (control characters escaped). */
export function quoteToken(raw: string): string {
  return JSON.stringify(raw).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** `<what> at column N of "<text>"`, the shape of every position-bearing message. */
export function positionError(what: string, column: number, text: string, tail = ""): ParseError {
  return new ParseError(`${what} at column ${column} of ${quoteSource(text, column)}${tail}`);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const isSegmentChar = (c: string | undefined): boolean => isLetter(c) || isDigit(c) || c === "_";
const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";

/** Splits an expectation into tokens. Throws ParseError on any character or form it does not know. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;

  const lastIsOperand = (): boolean => {
    const last = tokens[tokens.length - 1];
    return last !== undefined && (last.kind === "number" || last.kind === "path" || last.kind === "word" || last.kind === ")");
  };

  /** Reads one path segment starting at `start`; hyphens continue it only between segment characters. */
  const readSegment = (start: number, first: (c: string | undefined) => boolean, rest: (c: string | undefined) => boolean): number => {
    if (!first(text[start])) return start;
    let j = start + 1;
    for (;;) {
      if (rest(text[j])) j++;
      else if (text[j] === "-" && rest(text[j + 1])) j += 2;
      else return j;
    }
  };

  /** Reads `.segment` repeatedly from `j`; returns the end index and the segments. */
  const readFields = (j: number): { end: number; fields: string[] } => {
    const fields: string[] = [];
    while (text[j] === ".") {
      const segStart = j + 1;
      const segEnd = readSegment(segStart, isSegmentChar, isSegmentChar);
      if (segEnd === segStart) {
        throw positionError(`expected a field name after "."`, segStart + 1, text, found(segStart));
      }
      fields.push(text.slice(segStart, segEnd));
      j = segEnd;
    }
    return { end: j, fields };
  };

  const found = (at: number): string => (at >= n ? " (found the end of the expression)" : ` (found ${quoteToken(charAt(at))})`);
  const charAt = (at: number): string => String.fromCodePoint(text.codePointAt(at) ?? 0);

  while (i < n) {
    const c = text[i]!;
    const column = i + 1;
    if (isSpace(c)) {
      i++;
      continue;
    }

    // Numbers: 12, 0.5, .5, 1e3, 1.5e-2, then an optional unit glued on.
    if (isDigit(c) || (c === "." && isDigit(text[i + 1]))) {
      let j = i;
      while (isDigit(text[j])) j++;
      if (text[j] === "." && isDigit(text[j + 1])) {
        j++;
        while (isDigit(text[j])) j++;
      }
      if ((text[j] === "e" || text[j] === "E") && (isDigit(text[j + 1]) || ((text[j + 1] === "+" || text[j + 1] === "-") && isDigit(text[j + 2])))) {
        j += 2;
        while (isDigit(text[j])) j++;
      }
      const numberText = text.slice(i, j);
      let unit: Unit | null = null;
      if (text[j] === "%") {
        unit = "%";
        j++;
      } else {
        let k = j;
        while (isSegmentChar(text[k]) || text[k] === "µ") k++;
        if (k > j) {
          const word = text.slice(j, k);
          if (!Object.prototype.hasOwnProperty.call(UNIT_FACTORS, word)) {
            throw positionError(`expected a unit (${UNIT_LIST}) or nothing after the number ${numberText}`, j + 1, text, ` (found ${quoteToken(word)})`);
          }
          unit = word as Unit;
          j = k;
        }
      }
      if (text[j] === "." || isSegmentChar(text[j])) {
        throw positionError(`expected an operator or the end after ${quoteToken(text.slice(i, j))}`, j + 1, text, found(j));
      }
      const value = Number(numberText) * (unit === null ? 1 : UNIT_FACTORS[unit]);
      if (!Number.isFinite(value)) throw positionError(`number ${quoteToken(text.slice(i, j))} is too large`, column, text);
      tokens.push({ kind: "number", column, raw: text.slice(i, j), value, unit });
      i = j;
      continue;
    }

    // Wildcard paths: `*.field...` where an operand is expected.
    if (c === "*" && text[i + 1] === "." && !lastIsOperand()) {
      const { end, fields } = readFields(i + 1);
      tokens.push({ kind: "path", column, raw: text.slice(i, end), strategy: "*", fields });
      i = end;
      continue;
    }

    // Paths and bare words.
    if (isLetter(c)) {
      const nameEnd = readSegment(i, isLetter, (ch) => isLetter(ch) || isDigit(ch));
      if (isSegmentChar(text[nameEnd])) {
        // e.g. `poll_ing`: strategy names have no underscores.
        throw positionError(`expected a strategy name (letters, digits and hyphens)`, column, text, ` (found ${quoteToken(text.slice(i, readSegment(i, isSegmentChar, isSegmentChar)))})`);
      }
      const strategy = text.slice(i, nameEnd);
      if (text[nameEnd] !== ".") {
        tokens.push({ kind: "word", column, raw: strategy });
        i = nameEnd;
        continue;
      }
      const { end, fields } = readFields(nameEnd);
      tokens.push({ kind: "path", column, raw: text.slice(i, end), strategy, fields });
      i = end;
      continue;
    }

    switch (c) {
      case "+":
      case "-":
      case "*":
      case "/":
        tokens.push({ kind: "arith", column, raw: c });
        i++;
        continue;
      case "(":
      case ")":
        tokens.push({ kind: c, column, raw: c } as Token);
        i++;
        continue;
      case "<":
      case ">":
        if (text[i + 1] === "=") {
          tokens.push({ kind: "compare", column, raw: c === "<" ? "<=" : ">=" });
          i += 2;
        } else {
          tokens.push({ kind: "compare", column, raw: c });
          i++;
        }
        continue;
      case "=":
      case "!":
        if (text[i + 1] === "=") {
          tokens.push({ kind: "compare", column, raw: c === "=" ? "==" : "!=" });
          i += 2;
          continue;
        }
        throw positionError(`unexpected ${quoteToken(c)}`, column, text, `; did you mean "${c}="?`);
      default:
        throw positionError(`unexpected character ${quoteToken(charAt(i))}`, column, text);
    }
  }
  tokens.push({ kind: "end", column: n + 1, raw: "" });
  return tokens;
}
