import { ParseError } from "../errors.js";
import { quote } from "./echo.js";
import { DURATION_BODY, readDuration } from "./duration.js";
import { MAX_SCENARIO_MS } from "./bounds.js";
import type { Rng } from "./random.js";
import { nearest } from "./suggest.js";

export type Distribution =
  | { kind: "fixed"; valueMs: number; source: string }
  | { kind: "uniform"; minMs: number; maxMs: number; source: string }
  | { kind: "exponential"; meanMs: number; source: string }
  | { kind: "lognormal"; medianMs: number; p95Ms: number; source: string };

export const DISTRIBUTION_FORM = "fixed(2s), uniform(500ms, 4s), exponential(mean=2s) or lognormal(median=2s, p95=8s)";

/** Each shape and its parameters in order; a parameter may be written bare or named (`mean=2s`). */
const SHAPES = { fixed: ["value"], uniform: ["min", "max"], exponential: ["mean"], lognormal: ["median", "p95"] } as const;
type Shape = keyof typeof SHAPES;

/** `uniform(500ms, max=4s)`; with `capture`, each duration is a group. */
const argument = (name: string, capture: boolean) => String.raw`\s*(?:${name}\s*=\s*)?${capture ? `(${DURATION_BODY})` : DURATION_BODY}\s*`;
const shapeBody = (shape: Shape, capture = false) => String.raw`${shape}\s*\(${SHAPES[shape].map((n) => argument(n, capture)).join(",")}\)`;
const SHAPE_NAMES = Object.keys(SHAPES) as Shape[];
const SHAPE_RE = Object.fromEntries(SHAPE_NAMES.map((s) => [s, new RegExp(String.raw`^\s*${shapeBody(s, true)}\s*$`)])) as Record<Shape, RegExp>;

/** The JSON Schema pattern of a distribution: a bare duration or one of the shapes. readDistribution accepts exactly these. */
export const DISTRIBUTION_PATTERN = String.raw`^\s*(?:${DURATION_BODY}|${SHAPE_NAMES.map((s) => shapeBody(s)).join("|")})\s*$`;

/** The parameters of a distribution by name, in milliseconds, for range checks. */
export function parametersOf(dist: Distribution): Array<[name: string, ms: number]> {
  switch (dist.kind) {
    case "fixed":
      return [["value", dist.valueMs]];
    case "uniform":
      return [["min", dist.minMs], ["max", dist.maxMs]];
    case "exponential":
      return [["mean", dist.meanMs]];
    case "lognormal":
      return [["median", dist.medianMs], ["p95", dist.p95Ms]];
  }
}

/** A delay distribution, or why `text` is not one (the end of a sentence that starts with the text). */
export function readDistribution(text: string): Distribution | { problem: string } {
  const source = text.trim();
  const bare = readDuration(source);
  if (bare !== undefined) return finite({ kind: "fixed", valueMs: bare, source: `fixed(${source})` });
  for (const shape of SHAPE_NAMES) {
    const match = SHAPE_RE[shape].exec(source);
    if (!match) continue;
    const [a, b] = match.slice(1).map((m) => readDuration(m!)!) as [number, number];
    switch (shape) {
      case "fixed":
        return finite({ kind: shape, valueMs: a, source });
      case "uniform":
        if (a > b) return { problem: "is impossible: the lower bound is above the upper; expected uniform(low, high) with low <= high" };
        return finite({ kind: shape, minMs: a, maxMs: b, source });
      case "exponential":
        if (!(a > 0)) return { problem: "needs a positive mean, such as exponential(mean=2s)" };
        return finite({ kind: shape, meanMs: a, source });
      case "lognormal":
        if (!(a > 0 && b > a)) return { problem: "is impossible: expected lognormal(median=…, p95=…) with 0 < median < p95" };
        return finite({ kind: shape, medianMs: a, p95Ms: b, source });
    }
  }
  return { problem: diagnose(source) };
}

function finite(dist: Distribution): Distribution | { problem: string } {
  return parametersOf(dist).every(([, ms]) => Number.isFinite(ms)) ? dist : { problem: "is too large a distribution" };
}

/** Why a string that no shape matched is wrong, as precisely as can be said. */
function diagnose(source: string): string {
  const call = /^([A-Za-z]+)\s*\(([^()]*)\)$/.exec(source);
  if (!call) return `is not a distribution; expected ${DISTRIBUTION_FORM}`;
  const shape = call[1]!;
  if (!(shape in SHAPES)) {
    const guess = nearest(shape, SHAPE_NAMES);
    return `names an unknown distribution ${quote(shape)};${guess ? ` did you mean ${quote(guess)}?` : ""} expected ${DISTRIBUTION_FORM}`;
  }
  const names = SHAPES[shape as Shape];
  const args = call[2]!.split(",").map((s) => s.trim());
  if (args.length !== names.length || args.some((a) => a === "")) return `takes ${names.length} argument${names.length === 1 ? "" : "s"}; expected ${DISTRIBUTION_FORM}`;
  for (let i = 0; i < args.length; i++) {
    const eq = args[i]!.indexOf("=");
    const key = eq >= 0 ? args[i]!.slice(0, eq).trim() : undefined;
    const value = eq >= 0 ? args[i]!.slice(eq + 1).trim() : args[i]!;
    if (key !== undefined && key !== names[i]) return `names ${quote(key)} where ${names[i]} belongs; expected ${DISTRIBUTION_FORM}`;
    if (readDuration(value) === undefined) return `has a ${names[i]} ${quote(value)} that is not a duration such as 250ms, 2s or 1.5m`;
  }
  return `is not a distribution; expected ${DISTRIBUTION_FORM}`;
}

/** Parses a delay distribution. Throws ParseError for unknown shapes and impossible parameters. */
export function parseDistribution(text: string): Distribution {
  const dist = readDistribution(String(text));
  if ("problem" in dist) throw new ParseError(`${quote(String(text).trim())} ${dist.problem}`);
  return dist;
}

/** z for the 95th percentile of a standard normal. */
const Z95 = 1.6448536269514722;

/**
 * Draws one value in milliseconds. Exponential and lognormal tails are unbounded, so a draw is cut
 * at MAX_SCENARIO_MS, the longest time a scenario may name: a timer holds at most 2³¹−1 ms (about
 * 24.8 days), and a longer one fires after 1 ms instead.
 */
export function sample(dist: Distribution, rng: Rng): number {
  return Math.min(draw(dist, rng), MAX_SCENARIO_MS);
}

function draw(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case "fixed":
      return dist.valueMs;
    case "uniform":
      return dist.minMs + (dist.maxMs - dist.minMs) * rng.next();
    case "exponential":
      return -dist.meanMs * Math.log(rng.nextOpen());
    case "lognormal": {
      const mu = Math.log(dist.medianMs);
      const sigma = (Math.log(dist.p95Ms) - mu) / Z95;
      return Math.exp(mu + sigma * rng.nextGaussian());
    }
  }
}

/** The distribution's theoretical mean, for tests and the model. */
export function meanOf(dist: Distribution): number {
  switch (dist.kind) {
    case "fixed":
      return dist.valueMs;
    case "uniform":
      return (dist.minMs + dist.maxMs) / 2;
    case "exponential":
      return dist.meanMs;
    case "lognormal": {
      const sigma = (Math.log(dist.p95Ms) - Math.log(dist.medianMs)) / Z95;
      return dist.medianMs * Math.exp((sigma * sigma) / 2);
    }
  }
}
