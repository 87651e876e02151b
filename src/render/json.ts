import type { CompareResult } from "../contract/result.js";
import { compareDocument } from "../contract/verdict.js";

/** The JSON contract (the result with its verdict), pretty-printed, fractions rounded to 3 decimals (microseconds for ms figures). */
export function renderJson(result: CompareResult): string {
  return toJson(compareDocument(result));
}

/** Any value of the contract (a compare result, a check result) pretty-printed with that rounding. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, roundFractions, 2);
}

function roundFractions(_key: string, value: unknown): unknown {
  if (typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)) {
    // Number(toFixed) avoids 1.0005 * 1000 landing on 1000.4999… and rounding the wrong way.
    return Number(value.toFixed(3));
  }
  return value;
}
