/**
 * The one list of time units. Scenario durations, rates, flags, the expectation language and the
 * renderers all read and print units from here, so `2d` means the same everywhere.
 */
export const MS_PER_UNIT = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type TimeUnit = keyof typeof MS_PER_UNIT;

export const TIME_UNITS = Object.keys(MS_PER_UNIT) as readonly TimeUnit[];

/** What a rate may be counted per: `50/s`, `3000/m`, `3000/min`, `100/h`. */
export const RATE_UNITS = ["s", "m", "min", "h"] as const satisfies readonly TimeUnit[];

/** A regular-expression alternation of `units`, longest first (so a reader scanning left to right tries `ms` before `m`). */
export function unitAlternation(units: readonly string[]): string {
  return `(?:${[...units].sort((a, b) => b.length - a.length).join("|")})`;
}

/** A number as a duration or rate writes it: `12`, `1.5`, `.5`. No sign, no exponent, no hex. */
export const DECIMAL = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`;

/** The same number when it is zero: `0`, `00.0`, `.0`. */
export const ZERO = String.raw`(?:0+(?:\.0+)?|\.0+)`;
