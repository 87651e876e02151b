import { ParseError, UsageError } from "../errors.js";
import { MAX_PAYMENTS_PER_DAY, parsePrice } from "../contract/projection.js";
import type { PriceTerm } from "../contract/result.js";
import type { Distribution } from "../scenario/distribution.js";
import { quote, show } from "../scenario/echo.js";
import { duration, integer, Invalid, type Field, type Path } from "../scenario/field.js";
import * as F from "../scenario/fields.js";
import { MAX_EXPECTATIONS } from "../scenario/bounds.js";
import { nearest } from "../scenario/suggest.js";
import type { Arrival, Scenario, StrategyName } from "../scenario/types.js";
import type { ProfileName } from "../api/profile.js";

/**
 * Flags as commander hands them over, already read into typed values. Every flag that sets a
 * scenario field reads it with that field (src/scenario/fields.ts), so a flag accepts exactly
 * what a file does, within the same range; a mistake is one line naming the flag (exit 2).
 */
export interface CompareFlags {
  payments?: number;
  interval?: number;
  seed?: number;
  format: "table" | "json" | "markdown";
  expect: string[];
  repeat: number;
  live?: boolean;
  /** With --live: print the full table after the live view (by default only the verdict follows its summary). */
  table?: boolean;
  /** Serve the classroom page on 127.0.0.1 and play runs there until Ctrl-C. */
  serve?: boolean;
  /** The classroom page's port (--serve). */
  port?: number;
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
  delay?: Distribution;
  failureRate?: number;
  latency?: number;
  /** `--per-day`: payments a day to scale the per-payment figures to. */
  perDay?: number;
  /** `--price`: what a request and a byte cost. */
  price?: Price;
  /** False with `--no-expect`: the scenario file's expectations are not checked (`--expect` still is). */
  fileExpectations?: boolean;
  /** Run on the real clock even above what one machine runs faithfully (src/run/capacity.ts). */
  force?: boolean;
  /** `--profile`: whose webhook and API habits the provider takes on; wins over the file's `profile`. */
  profile?: ProfileName;
  /** `--webhook-timeout`: how long the provider waits for one delivery's answer; wins over the profile's. */
  webhookTimeout?: number;
  /** `--explain`: print the profile's values with their sources and run nothing. */
  explain?: boolean;
  /** `--webhook-url`: deliver the webhook strategy's events to the user's own receiver. */
  webhookUrl?: string;
  /** That receiver's signing secret: `--secret`, `--secret-file` (or APIWH_WEBHOOK_SECRET). */
  secret?: string;
  secretFile?: string;
}

/** A `--price` as given and as read. */
export interface Price {
  spec: string;
  terms: PriceTerm[];
}

/**
 * A number as typed on a command line: decimal digits, an optional fraction and `_` between
 * digit groups (`42`, `0.05`, `.5`, `1_000_000`). Anything else (`0x1`, `1e3`, `Infinity`) stays
 * text, which a numeric field refuses, as a JSON file could not write it either.
 */
function decimal(text: string): unknown {
  const t = text.trim();
  return /^-?(?:\d+(?:_\d+)*)?(?:\.\d+)?$/.test(t) && /\d/.test(t) ? Number(t.replace(/_/g, "")) : text;
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

/** A commander parser that reads `--name`'s text into `field`'s value; `fromText` shapes the text as a file would hold it. */
function flag<T>(name: string, field: Field<T>, fromText: (text: string) => unknown = (text) => text): (text: string) => T {
  return (text) => {
    const value = fromText(text);
    try {
      return field.read(value);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const shown = err.path.length === 0 ? show(text) : show(valueAt(value, err.path));
      throw new UsageError(`${name} ${shown} ${err.render((p) => `entry ${Number(p[0]) + 1} of ${name}`)}`);
    }
  };
}

/** Commander's own messages quote what it was given (`unknown option '--…'`): cut those as ours are. */
export { quote };

/** One of a few words (`--format json`); a typo gets the nearest as a suggestion. */
export function choiceFlag<const T extends string>(name: string, choices: readonly T[], what: string): (text: string) => T {
  return (text) => {
    if ((choices as readonly string[]).includes(text)) return text as T;
    const guess = nearest(text, choices);
    throw new UsageError(`${name} ${quote(text)} is not ${what};${guess ? ` did you mean ${guess}?` : ""} expected one of ${choices.join(", ")}`);
  };
}

export const payments = flag("--payments", F.paymentCount, decimal);
export const interval = flag("--interval", F.pollInterval);
export const seed = flag("--seed", F.seed, decimal);
export const strategyList = flag("--strategies", F.strategies, F.commaList);
export const delay = flag("--delay", F.delay);
export const failureRate = flag("--failure-rate", F.fraction, decimal);
export const latency = flag("--latency", F.networkDelay);
export const arrival = flag("--arrival", F.arrival, (text) => (text.trim() === "burst" ? "burst" : { rate: text }));
export const deadline = flag("--deadline", F.deadline);
export const speedFactor = flag("--speed", F.speed, decimal);
export const retriesSchedule = flag("--retries", F.retries, (text) => (text.trim() === "standard" || text.trim() === "none" ? text.trim() : F.commaList(text)));
export const rateLimit = flag("--rate-limit", F.rate);
export const profile = flag("--profile", F.profile);
export const webhookTimeout = flag("--webhook-timeout", F.webhookTimeout);

export function intervals(text: string): number[] {
  return flag("--intervals", F.sweepIntervals, F.commaList)(text);
}

/** `--per-day 10000`: payments a day, for the projection. */
export const perDay = flag("--per-day", integer("a number of payments a day", 1, MAX_PAYMENTS_PER_DAY), decimal);

/** `--price "3.50/M requests, 0.09/GB"` or presets such as `api-gateway-http,data-transfer-out`. */
export function price(text: string): Price {
  try {
    return { spec: text.trim(), terms: parsePrice(text) };
  } catch (err) {
    if (err instanceof ParseError) throw new UsageError(`--price ${quote(text)} ${err.message}`);
    throw err;
  }
}

/** `check --jobs`: scenarios at once, each in a thread with its provider in another; more than the cores only queue. */
export const jobs = flag("--jobs", integer("a number of scenarios at once", 1, 16), decimal);

/** Ranges of flags that set no scenario field. */
export const repeatCount = flag("--repeat", integer("a repeat count", 1, 1000), decimal);
export const port = (name: string) => flag(name, integer("a port", 0, 65_535), decimal);
/** Stripe's ceiling for an amount in the smallest unit (eight digits), as the provider's. */
export const amount = flag("--amount", integer("an amount in the currency's smallest unit", 1, 99_999_999), decimal);
export const createCount = (name: string) => flag(name, integer("a payment count", 1, 100_000), decimal);
/** A whole number from 1 to `max` for a flag that sets no scenario field (`probe --deliveries`). */
export const count = (name: string, what: string, max: number) => flag(name, integer(what, 1, max), decimal);
/** A duration above zero, at most `maxMs`, for a flag that sets no scenario field (`probe --timeout`). */
export const boundedDuration = (name: string, maxMs: number, example: string) => flag(name, duration({ positive: true, max: maxMs, example }));

/** `--expect`, repeatable, as many times as a file may list expectations. */
export function collect(value: string, previous: string[]): string[] {
  if (previous.length >= MAX_EXPECTATIONS) throw new UsageError(`--expect is given more than ${MAX_EXPECTATIONS} times; expected at most ${MAX_EXPECTATIONS} expectations`);
  return [...previous, value];
}

/**
 * Applies command-line flags over a scenario (flags win over the file), `--profile` included, then
 * the rules across fields they may break. The profile's values fill what neither set once
 * withProfile (src/api/profile-scenario.ts) runs: scenarioFor in actions.ts, which loads the
 * profiles only when a command runs, not for `--version` or `--help`.
 */
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
  if (flags.retries) {
    s.webhook.retriesMs = flags.retries;
    s.webhook.given.retries = true;
  }
  if (flags.webhookTimeout !== undefined) {
    s.webhook.timeoutMs = flags.webhookTimeout;
    s.webhook.given.timeout = true;
  }
  if (flags.arrival) s.payments.arrival = flags.arrival;
  if (flags.rateLimit !== undefined) {
    s.provider.rateLimitPerSecond = flags.rateLimit;
    s.provider.rateLimitGiven = true;
  }
  if (flags.payments !== undefined || flags.arrival) {
    const problem = F.arrivalSpanProblem(s.payments.count, s.payments.arrival);
    if (problem && s.payments.arrival.kind === "rate") {
      const rate = `${flags.arrival ? "--arrival" : "the file's arrival rate"} ${quote(s.payments.arrival.source)}`;
      throw new UsageError(`${flags.payments !== undefined ? `--payments ${flags.payments} at ` : ""}${rate} ${problem}`);
    }
  }
  if (flags.profile) s.profile = flags.profile;
  return s;
}
