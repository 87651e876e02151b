import { ParseError } from "../errors.js";
import { quote } from "./echo.js";
import { DECIMAL, MS_PER_UNIT, TIME_UNITS, unitAlternation, ZERO } from "./units.js";

export const DURATION_FORM = "a number with a unit, such as 250ms, 2s, 1.5m or 1h";

const UNIT = unitAlternation(TIME_UNITS);

/** One duration, unanchored: `250ms`, `1.5 m`, or a bare `0`. Distributions embed it. */
export const DURATION_BODY = String.raw`(?:${DECIMAL}\s*${UNIT}|0)`;

/** The JSON Schema pattern of a duration; parseDuration accepts exactly these strings. */
export const DURATION_PATTERN = String.raw`^\s*${DURATION_BODY}\s*$`;

/** The same, excluding every way of writing zero. */
export const POSITIVE_DURATION_PATTERN = String.raw`^(?!\s*${ZERO}\s*${UNIT}?\s*$)\s*${DURATION_BODY}\s*$`;

const DURATION = new RegExp(String.raw`^\s*(?:(${DECIMAL})\s*(${UNIT})|0)\s*$`);

/** A duration in milliseconds, or undefined when `text` is not one. Infinity when the number overflows. */
export function readDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  if (match[1] === undefined) return 0;
  return Number(match[1]) * MS_PER_UNIT[match[2] as keyof typeof MS_PER_UNIT];
}

/** Parses `250ms`, `2s`, `1.5m`, `1h` (also `0`) into milliseconds. Throws ParseError naming the expected form. */
export function parseDuration(text: string): number {
  const ms = readDuration(String(text));
  if (ms === undefined) throw new ParseError(`${quote(String(text))} is not a duration; expected ${DURATION_FORM}`);
  if (!Number.isFinite(ms)) throw new ParseError(`${quote(String(text))} is too large a duration`);
  return ms;
}

const { s: SECOND, m: MINUTE, h: HOUR } = MS_PER_UNIT;

/** Formats milliseconds for people: `0.42 ms`, `12.3 ms`, `1.50 s`, `2.5 min`, `1.2 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs < 10) return `${ms.toFixed(2)} ms`;
  if (abs < SECOND) return `${ms.toFixed(1)} ms`;
  if (abs < MINUTE) return `${(ms / SECOND).toFixed(2)} s`;
  if (abs < HOUR) return `${(ms / MINUTE).toFixed(1)} min`;
  return `${(ms / HOUR).toFixed(1)} h`;
}

/** Compact form for scenario echoes and flags: `250ms`, `2s`, `1.5m`. */
export function formatDurationShort(ms: number): string {
  if (ms === 0) return "0ms";
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  if (ms >= SECOND && (ms / SECOND) * SECOND === ms && Number.isInteger(ms / 100)) return `${ms / SECOND}s`;
  return `${Number(ms.toFixed(3))}ms`;
}
