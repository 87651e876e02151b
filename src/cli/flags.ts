import { InvalidArgumentError } from "commander";
import { ParseError, UsageError } from "../errors.js";
import { parseDistribution } from "../scenario/distribution.js";
import { parseDuration } from "../scenario/duration.js";
import { STANDARD_RETRIES_MS } from "../scenario/defaults.js";
import { parseRate } from "../scenario/rate.js";
import { STRATEGY_NAMES, type Arrival, type Scenario, type StrategyName } from "../scenario/types.js";

/** Flags of `apiwh compare` as commander hands them over, already parsed into typed values. */
export interface CompareFlags {
  payments?: number;
  interval?: number;
  seed?: number;
  format: "table" | "json" | "markdown";
  expect: string[];
  repeat: number;
  live?: boolean;
  trace?: boolean | string;
  clock: "real" | "virtual";
  report?: string;
  arrival?: Arrival;
  retries?: number[];
  rateLimit?: number;
  webhookPort?: number;
  details?: boolean;
  strategies?: StrategyName[];
  speed?: number;
  deadline?: number;
  delay?: ReturnType<typeof parseDistribution>;
  failureRate?: number;
  latency?: number;
}

/** Wraps a pure parser so commander reports its message as an invalid argument. */
export function parser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof ParseError || err instanceof UsageError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

export function positiveInteger(what: string, max = Number.MAX_SAFE_INTEGER) {
  return parser((text) => {
    const n = Number(text.replace(/_/g, ""));
    if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(n) || n <= 0 || n > max) throw new ParseError(`"${text}" is not ${what}; expected a whole number from 1 to ${max.toLocaleString("en-US")}`);
    return n;
  });
}

export const nonNegativeInteger = parser((text) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ParseError(`"${text}" is not a seed; expected a whole number such as 42`);
  return n;
});

export const port = parser((text) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 0 || n > 65535) throw new ParseError(`"${text}" is not a port; expected a whole number from 0 to 65535 (0 picks a free one)`);
  return n;
});

export const positiveDuration = parser((text) => {
  const ms = parseDuration(text);
  if (ms <= 0) throw new ParseError(`"${text}" must be longer than zero, such as 250ms, 2s or 1.5m`);
  return ms;
});

export const rate01 = parser((text) => {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new ParseError(`"${text}" is not a rate; expected a number from 0 to 1, such as 0.05`);
  return n;
});

export const speedFactor = parser((text) => {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 10_000) throw new ParseError(`"${text}" is not a speed; expected a number above 0 and at most 10000, such as 60`);
  return n;
});

export const strategyList = parser((text) => {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new ParseError(`"${text}" names no strategy; expected a comma-separated list such as polling,webhook`);
  for (const name of names)
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw new ParseError(`"${name}" is not a strategy; expected some of ${STRATEGY_NAMES.join(", ")}`);
  if (new Set(names).size !== names.length) throw new ParseError(`"${text}" names a strategy twice`);
  return names as StrategyName[];
});

export const retriesSchedule = parser((text) => {
  if (text === "standard") return [...STANDARD_RETRIES_MS];
  if (text === "none") return [0];
  const gaps = text.split(",").map((t) => parseDuration(t.trim()));
  if (gaps.length === 0) throw new ParseError(`"${text}" is not a retry schedule; expected standard, none or a list such as 0s,5s,5m`);
  return gaps;
});

export const arrival = parser((text): Arrival => (text === "burst" ? { kind: "burst" } : { kind: "rate", perSecond: parseRate(text), source: text }));

export const repeatCount = positiveInteger("a repeat count", 1000);

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Applies command-line flags over a scenario (flags win over the file). */
export function applyFlags(base: Scenario, flags: Partial<CompareFlags>): Scenario {
  const s: Scenario = structuredClone(base);
  if (flags.payments !== undefined) s.payments.count = flags.payments;
  if (flags.interval !== undefined) s.polling.intervalMs = flags.interval;
  if (flags.seed !== undefined) s.seed = flags.seed;
  if (flags.strategies) s.strategies = flags.strategies;
  if (flags.speed !== undefined) s.speed = flags.speed;
  if (flags.deadline !== undefined) s.deadlineMs = flags.deadline;
  if (flags.delay) s.settlement.delay = flags.delay;
  if (flags.failureRate !== undefined) s.settlement.failureRate = flags.failureRate;
  if (flags.latency !== undefined) s.network.latencyMs = flags.latency;
  if (flags.retries) s.webhook.retriesMs = flags.retries;
  if (flags.arrival) s.payments.arrival = flags.arrival;
  if (flags.rateLimit !== undefined) s.provider.rateLimitPerSecond = flags.rateLimit;
  return s;
}

