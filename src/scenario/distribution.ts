import { ParseError } from "../errors.js";
import { parseDuration } from "./duration.js";
import type { Rng } from "./random.js";

export type Distribution =
  | { kind: "fixed"; valueMs: number; source: string }
  | { kind: "uniform"; minMs: number; maxMs: number; source: string }
  | { kind: "exponential"; meanMs: number; source: string }
  | { kind: "lognormal"; medianMs: number; p95Ms: number; source: string };

export const DISTRIBUTION_FORM = "fixed(2s), uniform(500ms, 4s), exponential(mean=2s) or lognormal(median=2s, p95=8s)";

/** z for the 95th percentile of a standard normal. */
const Z95 = 1.6448536269514722;

function arg(args: string[], i: number, name: string, source: string): number {
  const raw = args[i];
  if (raw === undefined) throw new ParseError(`"${source}" is missing its ${name}; expected ${DISTRIBUTION_FORM}`);
  const value = raw.includes("=") ? raw.slice(raw.indexOf("=") + 1) : raw;
  const key = raw.includes("=") ? raw.slice(0, raw.indexOf("=")).trim() : undefined;
  if (key !== undefined && key !== name) throw new ParseError(`"${source}" names "${key}" where ${name} belongs; expected ${DISTRIBUTION_FORM}`);
  try {
    return parseDuration(value.trim());
  } catch {
    throw new ParseError(`"${source}": ${name} "${value.trim()}" is not a duration such as 250ms, 2s or 1.5m`);
  }
}

/** Parses a delay distribution. Throws ParseError for unknown shapes and impossible parameters. */
export function parseDistribution(text: string): Distribution {
  const source = String(text).trim();
  const match = /^([a-z]+)\s*\(([^()]*)\)$/.exec(source);
  if (!match) {
    // A bare duration is shorthand for fixed(<duration>).
    try {
      return { kind: "fixed", valueMs: parseDuration(source), source: `fixed(${source})` };
    } catch {
      throw new ParseError(`"${text}" is not a distribution; expected ${DISTRIBUTION_FORM}`);
    }
  }
  const kind = match[1]!;
  const args = match[2]!.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const expectArgs = (n: number) => {
    if (args.length !== n) throw new ParseError(`"${source}" takes ${n} argument${n === 1 ? "" : "s"}; expected ${DISTRIBUTION_FORM}`);
  };
  switch (kind) {
    case "fixed": {
      expectArgs(1);
      return { kind, valueMs: arg(args, 0, "value", source), source };
    }
    case "uniform": {
      expectArgs(2);
      const minMs = arg(args, 0, "min", source);
      const maxMs = arg(args, 1, "max", source);
      if (minMs > maxMs) throw new ParseError(`"${source}" is impossible: the lower bound is above the upper; expected uniform(low, high) with low <= high`);
      return { kind, minMs, maxMs, source };
    }
    case "exponential": {
      expectArgs(1);
      const meanMs = arg(args, 0, "mean", source);
      if (meanMs <= 0) throw new ParseError(`"${source}" needs a positive mean, such as exponential(mean=2s)`);
      return { kind, meanMs, source };
    }
    case "lognormal": {
      expectArgs(2);
      const medianMs = arg(args, 0, "median", source);
      const p95Ms = arg(args, 1, "p95", source);
      if (medianMs <= 0 || p95Ms <= medianMs) throw new ParseError(`"${source}" is impossible: expected lognormal(median=…, p95=…) with 0 < median < p95`);
      return { kind, medianMs, p95Ms, source };
    }
    default:
      throw new ParseError(`"${source}": unknown distribution "${kind}"; expected ${DISTRIBUTION_FORM}`);
  }
}

/** Draws one value in milliseconds. */
export function sample(dist: Distribution, rng: Rng): number {
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
