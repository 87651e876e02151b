/**
 * The kinds of value a scenario holds (durations, rates, distributions, counts, lists), as fields: one validator (`read`) that both scenario files and
 * command-line flags call, and the part of it JSON Schema can express (`shape`), from which the
 * declaration builds the file's schema. `read` is the authority: the shape only decides earlier,
 * and every message, whichever check fails, is the one `read` gives.
 *
 * No zod at run time here (only its types), so the CLI can parse flags without loading it.
 */
import type { z as Zod } from "zod";
import { MAX_NAME_LENGTH, MAX_RATE_PER_SECOND, MIN_RATE_PER_SECOND } from "./bounds.js";
import { DISTRIBUTION_FORM, DISTRIBUTION_PATTERN, parametersOf, readDistribution, type Distribution } from "./distribution.js";
import { DURATION_FORM, DURATION_PATTERN, POSITIVE_DURATION_PATTERN, readDuration } from "./duration.js";
import { RATE_FORM, RATE_PATTERN, readRate } from "./rate.js";
import { nearest } from "./suggest.js";
import { MS_PER_UNIT } from "./units.js";

export type Path = ReadonlyArray<string | number>;

/** Renders a path inside the field as a reader knows it: `webhook.retries[0]`, or `entry 1 of --retries`. */
export type PathLabel = (path: Path) => string;

/**
 * Why a value is not valid: the end of a sentence that starts with the field and its value
 * ("`deadline "25d"` is out of range; …"). `path` points below the field, at the entry to blame.
 */
export class Invalid extends Error {
  constructor(
    readonly explain: string | ((label: PathLabel) => string),
    readonly path: Path = [],
  ) {
    super(typeof explain === "string" ? explain : explain((p) => p.join(".")));
  }

  render(label: PathLabel): string {
    return typeof this.explain === "string" ? this.explain : this.explain(label);
  }
}

export type Z = typeof Zod;
export interface ErrorParam {
  error: (issue: { code?: string; input?: unknown; keys?: string[] }) => string | undefined;
}
/** The error parameter for every zod check of `field`, so that its messages come from `field.read`. */
export type Explain = (field: Field<unknown>) => ErrorParam;

export interface Field<T> {
  /** The one validator: the resolved value, or throws Invalid. */
  read(value: unknown): T;
  /** What JSON Schema can say of the field, as zod; pass `explain(...)` to every check. */
  shape(z: Z, explain: Explain): Zod.ZodType;
}

/** The message `field` gives for `value`, as the end of a sentence. */
export function explainValue(field: Field<unknown>, value: unknown): string {
  try {
    field.read(value);
  } catch (err) {
    if (err instanceof Invalid) return err.render((p) => p.map((s) => (typeof s === "number" ? `entry ${s + 1}` : s)).join(" "));
    throw err;
  }
  return "does not have the form this field takes";
}

/** Marks the message of an object's unknown-key issue; the rest is the JSON list of the keys it knows. */
export const UNKNOWN_KEYS = "\u0000unknown-keys:";

/** The error parameter of an object with `keys`: unknown keys are named by the caller, who knows the path. */
export function objectError(keys: readonly string[], notObject: (input: unknown) => string): ErrorParam {
  return {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? UNKNOWN_KEYS + JSON.stringify(keys) : issue.input === undefined ? undefined : notObject(issue.input),
  };
}

/** The message of a value that should have been an object with `keys`. */
export const notAnObject = (keys: readonly string[]) => () => `must be an object with the fields ${keys.join(", ")}`;

export const hasKey = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** `65535`, `100,000`: digit groups once a number is long enough to need them. */
export const grouped = (n: number): string => (Math.abs(n) >= 100_000 ? n.toLocaleString("en-US") : String(n));

/** A duration in the largest unit that writes it exactly: `7d`, `1m`, `250ms`. */
export function unitForm(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) if (ms >= MS_PER_UNIT[unit] && ms % MS_PER_UNIT[unit] === 0) return `${ms / MS_PER_UNIT[unit]}${unit}`;
  return `${ms}ms`;
}

// ---------------------------------------------------------------------------------------------
// Kinds of field

export function integer(what: string, min: number, max: number): Field<number> {
  const self: Field<number> = {
    read(value) {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
        throw new Invalid(`is not ${what}; expected a whole number from ${grouped(min)} to ${grouped(max)}`);
      return value;
    },
    shape: (z, explain) => z.int(explain(self)).min(min).max(max),
  };
  return self;
}

export function decimal(what: string, min: number, max: number, example: string): Field<number> {
  const self: Field<number> = {
    read(value) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
        throw new Invalid(`is not ${what}; expected a number from ${grouped(min)} to ${grouped(max)}, such as ${example}`);
      return value;
    },
    shape: (z, explain) => z.number(explain(self)).min(min).max(max),
  };
  return self;
}

/** A share from 0 to 1. */
export const fraction = decimal("a share", 0, 1, "0.05 for 5%");

/** A duration in milliseconds; `positive` excludes zero. A bare 0 (as YAML writes `latency: 0`) is zero. */
export function duration(options: { positive: boolean; max: number; example: string }): Field<number> {
  const { positive, max, example } = options;
  const range = positive ? `above 0 and at most ${unitForm(max)}` : `from 0 to ${unitForm(max)}`;
  const self: Field<number> = {
    read(value) {
      if (value === 0 && !positive) return 0;
      if (typeof value === "number" && value !== 0) throw new Invalid(`has no unit; expected ${DURATION_FORM}`);
      const ms = typeof value === "string" ? readDuration(value) : undefined;
      if (ms === undefined) throw new Invalid(`is not a duration; expected ${DURATION_FORM}`);
      if (positive && !(ms > 0)) throw new Invalid(`must be longer than zero, such as ${example}`);
      if (!(ms <= max)) throw new Invalid(`is out of range; expected a duration ${range}`);
      return ms;
    },
    shape: (z, explain) =>
      positive
        ? z.string(explain(self)).regex(new RegExp(POSITIVE_DURATION_PATTERN))
        : z.union([z.string(explain(self)).regex(new RegExp(DURATION_PATTERN)), z.literal(0, explain(self))], explain(self)),
  };
  return self;
}

export function distribution(max: number): Field<Distribution> {
  const self: Field<Distribution> = {
    read(value) {
      if (typeof value !== "string" && value !== 0) throw new Invalid(`is not a distribution; expected ${DISTRIBUTION_FORM}`);
      const dist = readDistribution(String(value));
      if ("problem" in dist) throw new Invalid(dist.problem);
      const over = parametersOf(dist).find(([, ms]) => ms > max);
      if (over) throw new Invalid(`is out of range: its ${over[0]} is longer than ${unitForm(max)}; expected parameters from 0 to ${unitForm(max)}`);
      return dist;
    },
    shape: (z, explain) => z.union([z.string(explain(self)).regex(new RegExp(DISTRIBUTION_PATTERN)), z.literal(0, explain(self))], explain(self)),
  };
  return self;
}

/** Events per second, from one an hour to a million a second. */
export const rate: Field<number> = {
  read(value) {
    if (typeof value !== "string") throw new Invalid(`is not a rate; expected ${RATE_FORM}`);
    const perSecond = readRate(value);
    if (typeof perSecond !== "number") throw new Invalid(perSecond.problem);
    if (perSecond < MIN_RATE_PER_SECOND || perSecond > MAX_RATE_PER_SECOND) throw new Invalid(`is out of range; expected a rate from 1/h to ${grouped(MAX_RATE_PER_SECOND)}/s`);
    return perSecond;
  },
  shape: (z, explain) => z.string(explain(rate)).regex(new RegExp(RATE_PATTERN)),
};

/** One of `choices`; a typo gets the nearest as a suggestion. */
export function choice<const T extends string | number>(choices: readonly T[], what: string): Field<T> {
  const expected = choices.filter((c) => typeof c === "string").map((c) => `"${c}"`).join(", ");
  const self: Field<T> = {
    read(value) {
      if ((choices as readonly unknown[]).includes(value)) return value as T;
      const guess = typeof value === "string" ? nearest(value, choices.map(String)) : undefined;
      throw new Invalid(`is not ${what};${guess ? ` did you mean "${guess}"?` : ""} expected one of ${expected}`);
    },
    shape: (z, explain) => z.literal(choices as unknown as [T, ...T[]], explain(self)),
  };
  return self;
}

export const boolean: Field<boolean> = {
  read(value) {
    if (typeof value !== "boolean") throw new Invalid("must be true or false");
    return value;
  },
  shape: (z, explain) => z.boolean(explain(boolean)),
};

/** Any string, such as a description. */
export const text: Field<string> = {
  read(value) {
    if (typeof value !== "string") throw new Invalid("must be a string");
    return value;
  },
  shape: (z, explain) => z.string(explain(text)),
};

const CONTROL = String.raw`\u0000-\u001f\u007f-\u009f`;
/** A short, printable, non-blank name. */
export const name: Field<string> = {
  read(value) {
    if (typeof value !== "string") throw new Invalid("must be a string");
    if (value.trim() === "") throw new Invalid("must not be empty");
    if (new RegExp(`[${CONTROL}]`).test(value)) throw new Invalid("contains a control character; expected printable text");
    if (value.length > MAX_NAME_LENGTH) throw new Invalid(`is longer than ${MAX_NAME_LENGTH} characters; expected a short name`);
    return value;
  },
  shape: (z, explain) => z.string(explain(name)).max(MAX_NAME_LENGTH).regex(new RegExp(`^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`)),
};

/**
 * A list of `entry`, from `min` to `max` long. `check` states rules across entries (order,
 * uniqueness, overlap) on the read values and the raw ones; it throws Invalid pointing at an entry.
 */
export function list<T, R = T[]>(
  entry: Field<T>,
  options: { min: number; max: number; what: string; example: string; empty?: string; check?: (values: T[], raw: unknown[]) => R; unique?: boolean },
): Field<R> {
  const { min, max, what, example } = options;
  const self: Field<R> = {
    read(value) {
      if (!Array.isArray(value)) throw new Invalid(`must be a list of ${what}, such as ${example}`);
      if (value.length < min) throw new Invalid(options.empty ?? `has ${value.length} entries; expected at least ${min}, such as ${example}`);
      if (value.length > max) throw new Invalid(`has ${grouped(value.length)} entries; expected at most ${max}`);
      const values = value.map((v, i) => {
        try {
          return entry.read(v);
        } catch (err) {
          if (err instanceof Invalid) throw new Invalid(err.explain, [i, ...err.path]);
          throw err;
        }
      });
      return options.check ? options.check(values, value) : (values as R);
    },
    shape: (z, explain) => {
      const array = z.array(entry.shape(z, explain), explain(self)).min(min).max(max);
      return options.unique ? array.meta({ uniqueItems: true }) : array;
    },
  };
  return self;
}

/** No value twice: the later one is blamed, naming the earlier. */
export function unique<T>(values: T[], what: string): T[] {
  values.forEach((v, i) => {
    const earlier = values.indexOf(v);
    if (earlier < i) throw new Invalid((label) => `is listed twice (also ${label([earlier])}); expected each ${what} once`, [i]);
  });
  return values;
}
