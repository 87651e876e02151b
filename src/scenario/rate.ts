import { ParseError } from "../errors.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600 };

export const RATE_FORM = "a count per unit of time, such as 50/s, 1.5/s, 3000/m or 100/h";

/** Parses `50/s`, `1.5/s`, `3000/m`, `100/h` into events per second. Throws ParseError naming the expected form. */
export function parseRate(text: string): number {
  const trimmed = String(text).trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*\/\s*(s|m|min|h)$/.exec(trimmed);
  if (!match) throw new ParseError(`"${text}" is not a rate; expected ${RATE_FORM}`);
  const perSecond = Number(match[1]) / UNIT_SECONDS[match[2]!]!;
  if (!(perSecond > 0)) throw new ParseError(`"${text}" is not a usable rate: it must be above zero; expected ${RATE_FORM}`);
  if (!Number.isFinite(perSecond)) throw new ParseError(`"${text}" is too large a rate`);
  return perSecond;
}
