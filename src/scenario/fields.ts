/**
 * The scenario's fields, each with its documented range (README, "Scenario files"). Scenario
 * files read them through the declaration (declaration.ts) and the CLI's flags through
 * src/cli/flags.ts, both with the same `read`. Zod-free, so parsing flags loads no schema library.
 */
import {
  MAX_DOWNTIME_WINDOWS,
  MAX_EXPECTATIONS,
  MAX_LONG_POLL_WAIT_MS,
  MAX_NETWORK_MS,
  MAX_PAYMENTS,
  MAX_RETRY_ATTEMPTS,
  MAX_SCENARIO_MS,
  MAX_SEED,
  MAX_SPEED,
  MAX_SWEEP_INTERVALS,
  MIN_SPEED,
} from "./bounds.js";
import { ParseError } from "../errors.js";
import { quote, show } from "./echo.js";
import { choice, decimal, distribution, duration, grouped, hasKey, integer, Invalid, isObject, list, objectError, rate, unique, unitForm, type Field } from "./field.js";
import { nearest } from "./suggest.js";
import { MS_PER_UNIT } from "./units.js";

/** Every way of learning an outcome the tool knows. */
export const STRATEGY_NAMES = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const SIGNATURE_FORMATS = ["standard-webhooks", "stripe"] as const;
export type SignatureFormat = (typeof SIGNATURE_FORMATS)[number];

/** The providers whose webhook and API habits a run can take on (src/api/profiles.ts); "standard" is the tool's own. */
export const PROFILE_NAMES = ["standard", "stripe", "github", "shopify", "slack", "square", "svix"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type DowntimeMode = "refuse" | "503";

/** A span of scenario time during which the webhook receiver is unreachable (`refuse`) or answers 503. */
export interface DowntimeWindow {
  fromMs: number;
  toMs: number;
  mode: DowntimeMode;
}

export type Arrival = { kind: "burst" } | { kind: "rate"; perSecond: number; source: string };

/** The Standard Webhooks example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const STANDARD_RETRIES_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];

/** The delivery timeout of the standard profile (and of a scenario whose profile sets none): 15 s, the low end of Standard Webhooks' 15–30 s. */
export const STANDARD_TIMEOUT_MS = 15_000;

export const seed = integer("a seed", 0, MAX_SEED);
export const paymentCount = integer("a payment count", 1, MAX_PAYMENTS);
export const speed = decimal("a speed", MIN_SPEED, MAX_SPEED, "60 for a minute per second");
export { fraction, text, name, boolean, rate } from "./field.js";

const positive = (example: string, max = MAX_SCENARIO_MS) => duration({ positive: true, max, example });
export const pollInterval = positive("1s");
export const deadline = positive("30s");
export const webhookTimeout = positive("15s");
export const backoffBase = positive("1s");
export const backoffCap = positive("10s");
export const longPollWait = positive("30s", MAX_LONG_POLL_WAIT_MS);
export const reconcileEvery = positive("30s");
export const networkDelay = duration({ positive: false, max: MAX_NETWORK_MS, example: "2ms" });
export const delay = distribution(MAX_SCENARIO_MS);
export const signature = choice(SIGNATURE_FORMATS, "a signature format");
export const profile = choice(PROFILE_NAMES, "a profile");

const ARRIVAL_FORM = `"burst" or { "rate": "50/s" }`;

export const arrival: Field<Arrival> = {
  read(value) {
    if (value === "burst") return { kind: "burst" };
    if (isObject(value)) {
      const extra = Object.keys(value).find((k) => k !== "rate");
      if (extra !== undefined) throw new Invalid(`has an unknown field ${show(extra)}; expected ${ARRIVAL_FORM}`);
      if (!hasKey(value, "rate")) throw new Invalid(`is missing "rate"; expected ${ARRIVAL_FORM}`);
      try {
        return { kind: "rate", perSecond: rate.read(value.rate), source: String(value.rate).trim() };
      } catch (err) {
        throw err instanceof Invalid ? new Invalid(err.explain, ["rate"]) : err;
      }
    }
    const guess = typeof value === "string" ? nearest(value, ["burst"]) : undefined;
    throw new Invalid(`is not an arrival;${guess ? ` did you mean "${guess}"?` : ""} expected ${ARRIVAL_FORM}`);
  },
  shape: (z, explain) =>
    z.union([z.literal("burst", explain(arrival)), z.strictObject({ rate: rate.shape(z, explain).describe("Average arrival rate, such as 50/s, 3000/m or 100/h: from 1/h to 1000000/s.") }, objectError(["rate"], () => `is not an arrival; expected ${ARRIVAL_FORM}`))], explain(arrival)),
};

/**
 * More payments than can arrive within the longest scenario time at this rate: the provider would
 * be asked to wait past what a timer holds. Shared by the declaration and by flags that override a file.
 */
export function arrivalSpanProblem(count: number, arrival: Arrival): string | undefined {
  if (arrival.kind !== "rate") return undefined;
  const spanMs = (count / arrival.perSecond) * MS_PER_UNIT.s;
  if (spanMs <= MAX_SCENARIO_MS) return undefined;
  const days = spanMs / MS_PER_UNIT.d;
  return `spreads ${grouped(count)} payments over about ${days < 1000 ? days.toFixed(1) : grouped(Math.round(days))} days; expected arrivals within ${unitForm(MAX_SCENARIO_MS)}: raise the rate or lower the count`;
}

const RETRIES_EXAMPLE = `["0s", "5s", "5m"]`;
const waits = list(duration({ positive: false, max: MAX_SCENARIO_MS, example: "5s" }), {
  min: 1,
  max: MAX_RETRY_ATTEMPTS,
  what: "waits",
  example: RETRIES_EXAMPLE,
  empty: `is empty; expected at least the first attempt, such as ["0s"], or "none" for no retries`,
  check(values, raw) {
    values.forEach((ms, i) => {
      if (i > 0 && ms < values[i - 1]!)
        throw new Invalid(`is shorter than the wait before it (${show(raw[i - 1])}); expected waits that never decrease, such as ${RETRIES_EXAMPLE}`, [i]);
    });
    return values;
  },
});

/** The wait before each delivery attempt, the first included: "standard", "none" or a list. */
export const retries: Field<number[]> = {
  read(value) {
    if (value === "standard") return [...STANDARD_RETRIES_MS];
    if (value === "none") return [0];
    if (Array.isArray(value)) return waits.read(value);
    const guess = typeof value === "string" ? nearest(value, ["standard", "none"]) : undefined;
    throw new Invalid(`is not a retry schedule;${guess ? ` did you mean "${guess}"?` : ""} expected "standard", "none" or a list of waits such as ${RETRIES_EXAMPLE}`);
  },
  shape: (z, explain) => z.union([z.literal(["standard", "none"], explain(retries)), waits.shape(z, explain)], explain(retries)),
};

export const strategies = list(choice(STRATEGY_NAMES, "a strategy"), {
  min: 1,
  max: STRATEGY_NAMES.length,
  what: "strategy names",
  example: `["polling", "webhook"]`,
  empty: `must name at least one strategy, such as ["polling", "webhook"]`,
  unique: true,
  check: (values) => unique(values, "strategy"),
});

const expectation: Field<string> = {
  read(value) {
    if (typeof value !== "string") throw new Invalid(`must be a string, such as "webhook.latencyMs.p95 < 50ms"`);
    if (value.trim() === "") throw new Invalid(`must not be empty; expected an expectation such as "*.payments.missed == 0"`);
    return value;
  },
  shape: (z, explain) => z.string(explain(expectation)).regex(/\S/),
};
export const expectations = list(expectation, { min: 0, max: MAX_EXPECTATIONS, what: "expectations", example: `["webhook.latencyMs.p95 < 50ms"]` });

const WINDOW_KEYS = ["from", "to", "mode"];
const WINDOW_FORM = `{ "from": "1s", "to": "4s", "mode": "refuse" }`;
const windowTime = duration({ positive: false, max: MAX_SCENARIO_MS, example: "1s" });
const mode = choice(["refuse", "503", 503] as const, "a downtime mode");

const window: Field<DowntimeWindow> = {
  read(value) {
    if (!isObject(value)) throw new Invalid(`must be a window such as ${WINDOW_FORM}`);
    const extra = Object.keys(value).find((k) => !WINDOW_KEYS.includes(k));
    if (extra !== undefined) throw new Invalid(`has an unknown field ${show(extra)}; expected a window such as ${WINDOW_FORM}`);
    for (const key of ["from", "to"]) if (!hasKey(value, key)) throw new Invalid(`is missing "${key}"; expected a window such as ${WINDOW_FORM}`);
    const at = <T>(key: string, field: Field<T>): T => {
      try {
        return field.read(value[key]);
      } catch (err) {
        throw err instanceof Invalid ? new Invalid(err.explain, [key, ...err.path]) : err;
      }
    };
    const fromMs = at("from", windowTime);
    const toMs = at("to", windowTime);
    if (!(fromMs < toMs)) throw new Invalid(`is not after from ${show(value.from)}; expected from < to`, ["to"]);
    const given = hasKey(value, "mode") ? at("mode", mode) : "refuse";
    return { fromMs, toMs, mode: given === 503 ? "503" : given };
  },
  shape: (z, explain) =>
    z.strictObject(
      {
        from: windowTime.shape(z, explain).describe("When the window starts: 0 to 7d from the start of the run."),
        to: windowTime.shape(z, explain).describe("When the window ends: after from, at most 7d."),
        mode: mode
          .shape(z, explain)
          .optional()
          .describe(`"refuse": connections are refused (the default); "503": the receiver answers 503 Service Unavailable.`),
      },
      objectError(WINDOW_KEYS, () => `must be a window such as ${WINDOW_FORM}`),
    ),
};

/** Downtime windows in any order, none overlapping (they may touch); read sorted by start. */
export const downtime = list(window, {
  min: 0,
  max: MAX_DOWNTIME_WINDOWS,
  what: "windows",
  example: `[${WINDOW_FORM}]`,
  check(values, raw) {
    const order = values.map((_, i) => i).sort((a, b) => values[a]!.fromMs - values[b]!.fromMs || a - b);
    for (let k = 1; k < order.length; k++) {
      const [before, after] = [order[k - 1]!, order[k]!];
      if (values[after]!.fromMs < values[before]!.toMs) {
        const [first, second] = before < after ? [before, after] : [after, before];
        throw new Invalid((label) => `overlaps ${label([first])} ${show(raw[first])}; expected windows that do not overlap`, [second]);
      }
    }
    return order.map((i) => values[i]!);
  },
});

/** `sweep --intervals`: distinct poll intervals, at most MAX_SWEEP_INTERVALS runs. */
export const sweepIntervals = list(pollInterval, {
  min: 1,
  max: MAX_SWEEP_INTERVALS,
  what: "poll intervals",
  example: "250ms,500ms,1s,2s,5s",
  empty: "names no interval; expected a list such as 250ms,500ms,1s,2s,5s",
  check: (values) => unique(values, "interval"),
});

/** The pieces of a comma-separated flag value: `250ms, 1s` → ["250ms", "1s"]. */
export function commaList(text: string): string[] {
  return text.split(",").map((piece) => piece.trim()).filter((piece) => piece !== "");
}

/** `250ms,500ms,1s` → [250, 500, 1000]: the sweep's intervals from their text. Throws ParseError naming the piece. */
export function parseIntervalList(text: string): number[] {
  const pieces = commaList(text);
  try {
    return sweepIntervals.read(pieces);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const [at] = err.path;
    throw new ParseError(`${typeof at === "number" ? `interval ${quote(pieces[at]!)}` : quote(text)} ${err.render((p) => `interval ${Number(p[0]) + 1}`)}`);
  }
}
