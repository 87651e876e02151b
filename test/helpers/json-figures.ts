import { formatMs } from "../../src/contract/format.js";

/** How far the JSON's figures may be from the ones printed: src/render/json.ts rounds fractions to 3 decimals. */
const JSON_ROUNDING = 0.0005;

/**
 * The text a screen (the terminal, the classroom page) prints for a latency the JSON gives as
 * `jsonMs`, taken as `shown` when it is one the JSON's value allows. The screens format the full
 * figure and the JSON rounds it first, so formatting the JSON's figure again rounds twice: 17.7496 ms
 * prints "17.7 ms" and is 17.75 in the JSON, which formats to "17.8 ms". Anything else gives
 * formatMs(jsonMs), so a failure's diff names the JSON's figure.
 */
export function msAsShown(shown: string | undefined, jsonMs: number): string {
  const allowed = [formatMs(jsonMs - JSON_ROUNDING), formatMs(jsonMs), formatMs(jsonMs + JSON_ROUNDING)];
  return shown !== undefined && allowed.includes(shown) ? shown : formatMs(jsonMs);
}
