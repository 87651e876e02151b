import { ParseError } from "../errors.js";

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_FORM = "a number with a unit, such as 250ms, 2s, 1.5m or 1h";

/** Parses `250ms`, `2s`, `1.5m`, `1h` (also `0`) into milliseconds. Throws ParseError naming the expected form. */
export function parseDuration(text: string): number {
  const trimmed = String(text).trim();
  if (trimmed === "0") return 0;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|min|h|d)$/.exec(trimmed);
  if (!match) throw new ParseError(`"${text}" is not a duration; expected ${DURATION_FORM}`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!Number.isFinite(ms)) throw new ParseError(`"${text}" is too large a duration`);
  return ms;
}

/** Formats milliseconds for people: `0.42 ms`, `12.3 ms`, `1.50 s`, `2.5 min`, `1.2 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs < 1) return `${ms.toFixed(2)} ms`;
  if (abs < 10) return `${ms.toFixed(2)} ms`;
  if (abs < 1000) return `${ms.toFixed(1)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Compact form for scenario echoes and flags: `250ms`, `2s`, `1.5m`. */
export function formatDurationShort(ms: number): string {
  if (ms === 0) return "0ms";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && (ms / 1000) * 1000 === ms && Number.isInteger(ms / 100)) return `${ms / 1000}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

/** `250ms,500ms,1s` → [250, 500, 1000]. Throws ParseError naming the piece that does not parse. */
export function parseIntervalList(text: string): number[] {
  const pieces = text.split(",").map((p) => p.trim()).filter(Boolean);
  if (pieces.length === 0) throw new ParseError(`"${text}" names no interval; expected a list such as 250ms,500ms,1s,2s,5s`);
  return pieces.map((piece) => {
    const ms = parseDuration(piece);
    if (!(ms > 0)) throw new ParseError(`"${piece}" is not a poll interval; expected a duration above zero, such as 250ms or 2s`);
    return ms;
  });
}
