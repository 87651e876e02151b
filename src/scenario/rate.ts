import { ParseError } from "../errors.js";
import { quote } from "./echo.js";
import { DECIMAL, MS_PER_UNIT, RATE_UNITS, unitAlternation, ZERO } from "./units.js";

export const RATE_FORM = "a count per unit of time, such as 50/s, 1.5/s, 3000/m or 100/h";

const PER = unitAlternation(RATE_UNITS);

/** The JSON Schema pattern of a rate above zero; readRate accepts exactly these strings. */
export const RATE_PATTERN = String.raw`^\s*(?!${ZERO}\s*/)${DECIMAL}\s*/\s*${PER}\s*$`;

const RATE = new RegExp(String.raw`^\s*(${DECIMAL})\s*/\s*(${PER})\s*$`);

/** Events per second, or a reason the text is not a usable rate. */
export function readRate(text: string): number | { problem: string } {
  const match = RATE.exec(text);
  if (!match) return { problem: `is not a rate; expected ${RATE_FORM}` };
  const perSecond = (Number(match[1]) * MS_PER_UNIT.s) / MS_PER_UNIT[match[2] as (typeof RATE_UNITS)[number]];
  if (!(perSecond > 0)) return { problem: `is not a usable rate: it must be above zero; expected ${RATE_FORM}` };
  if (!Number.isFinite(perSecond)) return { problem: "is too large a rate" };
  return perSecond;
}

/** Parses `50/s`, `1.5/s`, `3000/m`, `100/h` into events per second. Throws ParseError naming the expected form. */
export function parseRate(text: string): number {
  const rate = readRate(String(text));
  if (typeof rate !== "number") throw new ParseError(`${quote(String(text))} ${rate.problem}`);
  return rate;
}
