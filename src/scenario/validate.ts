/**
 * Turns the parsed contents of a scenario file (JSON or YAML, already parsed) into a resolved
 * Scenario: every duration in milliseconds, every distribution parsed, every missing field filled
 * from defaultScenario(). Pure: no I/O. The first problem found ends validation with a one-line
 * UsageError naming the file, the field path, the offending value and the expected form.
 */
import { basename, extname } from "node:path";
import { ParseError, UsageError } from "../errors.js";
import { defaultScenario, STANDARD_RETRIES_MS } from "./defaults.js";
import { DISTRIBUTION_FORM, parseDistribution, type Distribution } from "./distribution.js";
import { DURATION_FORM, parseDuration } from "./duration.js";
import { parseRate, RATE_FORM } from "./rate.js";
import { STRATEGY_NAMES, type Arrival, type DowntimeMode, type DowntimeWindow, type Scenario, type SignatureFormat, type StrategyName } from "./types.js";

export type { ApiFaults, DowntimeMode, DowntimeWindow, WebhookFaults } from "./types.js";

/** Upper bounds that keep a run finite. */
export const MAX_PAYMENTS = 1_000_000;
export const MAX_SPEED = 10_000;
export const MAX_SEED = 0xffff_ffff;

const TOP_KEYS = [
  "$schema",
  "name",
  "description",
  "seed",
  "payments",
  "settlement",
  "polling",
  "webhook",
  "network",
  "deadline",
  "speed",
  "strategies",
  "expect",
  "polling-backoff",
  "long-polling",
  "hybrid",
  "provider",
  "faults",
] as const;

const SIGNATURES: readonly SignatureFormat[] = ["standard-webhooks", "stripe"];
const ARRIVAL_FORM = `"burst" or { "rate": "50/s" }`;
const RETRIES_FORM = `"standard", "none" or a list of waits such as ["0s", "5s", "5m"]`;

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Suggestions

/** Lowercase, without `-` and `_`, so `pollingBackoff` and `polling_backoff` match `polling-backoff`. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, "");
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`retires` → `retries` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `word`, if it is near enough to be a plausible typo: within a third of
 * the longer name's length in edits, or a prefix of at least four letters (`reconcile` → `reconcileEvery`).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = normalize(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const c = normalize(candidate);
    const distance = editDistance(w, c);
    const limit = Math.max(1, Math.floor(Math.max(w.length, c.length) / 3));
    const prefix = w.length >= 4 && (c.startsWith(w) || w.startsWith(c));
    if (distance > limit && !prefix) continue;
    // Prefer real near-misses over prefix matches.
    const score = distance <= limit ? distance : 1000 + distance;
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A value as it appears in an error message: strings quoted, objects as compact JSON. */
function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

function has(o: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

class Checker {
  constructor(private readonly source: string) {}

  fail(message: string): never {
    throw new UsageError(`${this.source}: ${message}`);
  }

  /** An object whose keys are all among `keys`; an unknown key is reported with the nearest valid name. */
  object(value: unknown, path: string, keys: readonly string[]): Obj {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      if (path === "") this.fail(`the scenario must be an object of fields such as "payments" and "webhook", not ${Array.isArray(value) ? "a list" : show(value)}`);
      this.fail(`${path} ${show(value)} must be an object with the fields ${keys.join(", ")}`);
    }
    for (const key of Object.keys(value)) {
      if (keys.includes(key)) continue;
      const guess = nearest(key, keys);
      if (guess !== undefined) this.fail(`unknown field "${join(path, key)}"; did you mean "${join(path, guess)}"?`);
      this.fail(`unknown field "${join(path, key)}"; expected ${path === "" ? "" : `in ${path} `}one of ${keys.join(", ")}`);
    }
    return value as Obj;
  }

  /** A duration in ms; a bare 0 (as YAML writes `latency: 0`) is accepted. */
  duration(value: unknown, path: string, positive: boolean, example: string): number {
    if (typeof value === "number" && value !== 0) this.fail(`${path} ${show(value)} has no unit; expected ${DURATION_FORM}`);
    if (typeof value !== "string" && value !== 0) this.fail(`${path} ${show(value)} is not a duration; expected ${DURATION_FORM}`);
    let ms: number;
    try {
      ms = parseDuration(String(value));
    } catch (err) {
      if (err instanceof ParseError) this.fail(`${path} ${err.message}`);
      throw err;
    }
    if (positive && !(ms > 0)) this.fail(`${path} ${show(value)} must be longer than zero, such as ${example}`);
    return ms;
  }

  distribution(value: unknown, path: string): Distribution {
    if (typeof value !== "string" && value !== 0) this.fail(`${path} ${show(value)} is not a distribution; expected ${DISTRIBUTION_FORM}`);
    try {
      return parseDistribution(String(value));
    } catch (err) {
      if (err instanceof ParseError) this.fail(`${path} ${err.message}`);
      throw err;
    }
  }

  rate(value: unknown, path: string): number {
    if (typeof value !== "string") this.fail(`${path} ${show(value)} is not a rate; expected ${RATE_FORM}`);
    try {
      return parseRate(value);
    } catch (err) {
      if (err instanceof ParseError) this.fail(`${path} ${err.message}`);
      throw err;
    }
  }

  /** A share between 0 and 1. */
  fraction(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
      this.fail(`${path} ${show(value)} must be a number from 0 to 1, such as 0.05 for 5%`);
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") this.fail(`${path} ${show(value)} must be true or false`);
    return value;
  }

  string(value: unknown, path: string, nonEmpty: boolean): string {
    if (typeof value !== "string") this.fail(`${path} ${show(value)} must be a string`);
    if (nonEmpty && value.trim() === "") this.fail(`${path} ${show(value)} must not be empty`);
    return value;
  }

  /** One of a fixed set of strings, suggesting the nearest on a typo. */
  oneOf<T extends string>(value: unknown, path: string, choices: readonly T[], what: string): T {
    if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
    const guess = typeof value === "string" ? nearest(value, choices) : undefined;
    const expected = choices.map((c) => `"${c}"`).join(", ");
    if (guess !== undefined) this.fail(`${path} ${show(value)} is not ${what}; did you mean "${guess}"? expected one of ${expected}`);
    this.fail(`${path} ${show(value)} is not ${what}; expected one of ${expected}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

function arrival(c: Checker, value: unknown, path: string): Arrival {
  if (value === "burst") return { kind: "burst" };
  if (value === null || typeof value !== "object" || Array.isArray(value)) c.fail(`${path} ${show(value)} is not an arrival; expected ${ARRIVAL_FORM}`);
  const o = c.object(value, path, ["rate"]);
  if (!has(o, "rate")) c.fail(`${path} ${show(value)} is missing "rate"; expected ${ARRIVAL_FORM}`);
  const perSecond = c.rate(o.rate, join(path, "rate"));
  return { kind: "rate", perSecond, source: String(o.rate).trim() };
}

function retries(c: Checker, value: unknown, path: string): number[] {
  if (value === "standard") return [...STANDARD_RETRIES_MS];
  if (value === "none") return [0];
  if (!Array.isArray(value)) {
    const guess = typeof value === "string" ? nearest(value, ["standard", "none"]) : undefined;
    c.fail(`${path} ${show(value)} is not a retry schedule;${guess ? ` did you mean "${guess}"?` : ""} expected ${RETRIES_FORM}`);
  }
  if (value.length === 0) c.fail(`${path} [] is empty; expected at least the first attempt, such as ["0s"], or "none" for no retries`);
  const out: number[] = [];
  value.forEach((entry, i) => {
    const ms = c.duration(entry, join(path, i), false, "5s");
    if (i > 0 && ms < out[i - 1]!) {
      c.fail(`${join(path, i)} ${show(entry)} is shorter than the wait before it (${show(value[i - 1])}); expected waits that never decrease, such as ["0s", "5s", "5m"]`);
    }
    out.push(ms);
  });
  return out;
}

function strategies(c: Checker, value: unknown, path: string): StrategyName[] {
  const example = `such as ["polling", "webhook"]`;
  if (!Array.isArray(value)) c.fail(`${path} ${show(value)} must be a list of strategy names, ${example}`);
  if (value.length === 0) c.fail(`${path} [] must name at least one strategy, ${example}`);
  const out: StrategyName[] = [];
  value.forEach((entry, i) => {
    const name = c.oneOf(entry, join(path, i), STRATEGY_NAMES, "a strategy");
    const earlier = out.indexOf(name);
    if (earlier >= 0) c.fail(`${join(path, i)} ${show(entry)} is listed twice (also ${join(path, earlier)}); expected each strategy once`);
    out.push(name);
  });
  return out;
}

function expectations(c: Checker, value: unknown, path: string): string[] {
  if (!Array.isArray(value)) c.fail(`${path} ${show(value)} must be a list of expectations, such as ["webhook.latencyMs.p95 < 50ms"]`);
  return value.map((entry, i) => {
    if (typeof entry !== "string") c.fail(`${join(path, i)} ${show(entry)} must be a string, such as "webhook.latencyMs.p95 < 50ms"`);
    if (entry.trim() === "") c.fail(`${join(path, i)} ${show(entry)} must not be empty; expected an expectation such as "*.payments.missed == 0"`);
    return entry;
  });
}

function downtime(c: Checker, value: unknown, path: string): DowntimeWindow[] {
  const form = `[{ "from": "1s", "to": "4s", "mode": "refuse" }]`;
  if (!Array.isArray(value)) c.fail(`${path} ${show(value)} must be a list of windows, such as ${form}`);
  const windows = value.map((entry, i) => {
    const p = join(path, i);
    const o = c.object(entry, p, ["from", "to", "mode"]);
    for (const key of ["from", "to"]) if (!has(o, key)) c.fail(`${p} ${show(entry)} is missing "${key}"; expected a window such as { "from": "1s", "to": "4s" }`);
    const fromMs = c.duration(o.from, join(p, "from"), false, "1s");
    const toMs = c.duration(o.to, join(p, "to"), false, "4s");
    if (!(fromMs < toMs)) c.fail(`${join(p, "to")} ${show(o.to)} is not after from ${show(o.from)}; expected from < to`);
    let mode: DowntimeMode = "refuse";
    if (has(o, "mode")) mode = o.mode === 503 ? "503" : c.oneOf(o.mode, join(p, "mode"), ["refuse", "503"] as const, "a downtime mode");
    return { index: i, raw: entry, window: { fromMs, toMs, mode } };
  });
  const sorted = [...windows].sort((a, b) => a.window.fromMs - b.window.fromMs || a.index - b.index);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (cur.window.fromMs < prev.window.toMs) {
      const [first, second] = prev.index < cur.index ? [prev, cur] : [cur, prev];
      c.fail(`${join(path, second.index)} ${show(second.raw)} overlaps ${join(path, first.index)} ${show(first.raw)}; expected windows that do not overlap`);
    }
  }
  return sorted.map((w) => w.window);
}

function faults(c: Checker, value: unknown, path: string, into: Scenario["faults"]): void {
  const o = c.object(value, path, ["webhook", "api"]);
  if (has(o, "webhook")) {
    const p = join(path, "webhook");
    const w = c.object(o.webhook, p, ["downtime", "failureRate", "duplicateRate", "reorder", "delay"]);
    const out = into.webhook;
    if (has(w, "downtime")) out.downtime = downtime(c, w.downtime, join(p, "downtime"));
    if (has(w, "failureRate")) out.failureRate = c.fraction(w.failureRate, join(p, "failureRate"));
    if (has(w, "duplicateRate")) out.duplicateRate = c.fraction(w.duplicateRate, join(p, "duplicateRate"));
    if (has(w, "reorder")) out.reorder = c.boolean(w.reorder, join(p, "reorder"));
    if (has(w, "delay")) out.delay = c.distribution(w.delay, join(p, "delay"));
  }
  if (has(o, "api")) {
    const p = join(path, "api");
    const a = c.object(o.api, p, ["errorRate", "latency"]);
    if (has(a, "errorRate")) into.api.errorRate = c.fraction(a.errorRate, join(p, "errorRate"));
    if (has(a, "latency")) into.api.latency = c.distribution(a.latency, join(p, "latency"));
  }
}

/** The scenario's name when the file gives none: its base name without the extension. */
function nameFromSource(source: string, fallback: string): string {
  const base = basename(source, extname(source));
  return base.trim() === "" ? fallback : base;
}

// ---------------------------------------------------------------------------------------------

/**
 * Validates parsed scenario data and resolves it against defaultScenario().
 * `source` names the file in messages (as the user wrote it) and supplies the default name.
 */
export function validateScenario(raw: unknown, source: string): Scenario {
  const c: Checker = new Checker(source);
  const s = defaultScenario();
  const o = c.object(raw, "", TOP_KEYS);

  if (has(o, "$schema")) c.string(o.$schema, "$schema", false);
  s.name = has(o, "name") ? c.string(o.name, "name", true) : nameFromSource(source, s.name);
  s.description = has(o, "description") ? c.string(o.description, "description", false) : "";

  if (has(o, "seed")) {
    const seed = o.seed;
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      c.fail(`seed ${show(seed)} must be a non-negative integer (at most ${MAX_SEED})`);
    }
    s.seed = seed;
  }

  if (has(o, "payments")) {
    const p = c.object(o.payments, "payments", ["count", "arrival"]);
    if (has(p, "count")) {
      const count = p.count;
      if (typeof count !== "number" || !Number.isInteger(count) || count <= 0) c.fail(`payments.count ${show(count)} must be a positive integer`);
      if (count > MAX_PAYMENTS) c.fail(`payments.count ${show(count)} is more than one run can simulate; expected a positive integer up to ${MAX_PAYMENTS}`);
      s.payments.count = count;
    }
    if (has(p, "arrival")) s.payments.arrival = arrival(c, p.arrival, "payments.arrival");
  }

  if (has(o, "settlement")) {
    const p = c.object(o.settlement, "settlement", ["delay", "failureRate"]);
    if (has(p, "delay")) s.settlement.delay = c.distribution(p.delay, "settlement.delay");
    if (has(p, "failureRate")) s.settlement.failureRate = c.fraction(p.failureRate, "settlement.failureRate");
  }

  if (has(o, "polling")) {
    const p = c.object(o.polling, "polling", ["interval"]);
    if (has(p, "interval")) s.polling.intervalMs = c.duration(p.interval, "polling.interval", true, "1s");
  }

  if (has(o, "webhook")) {
    const p = c.object(o.webhook, "webhook", ["retries", "timeout", "signature"]);
    if (has(p, "retries")) s.webhook.retriesMs = retries(c, p.retries, "webhook.retries");
    if (has(p, "timeout")) s.webhook.timeoutMs = c.duration(p.timeout, "webhook.timeout", true, "15s");
    if (has(p, "signature")) s.webhook.signature = c.oneOf(p.signature, "webhook.signature", SIGNATURES, "a signature format");
  }

  if (has(o, "network")) {
    const p = c.object(o.network, "network", ["latency", "jitter"]);
    if (has(p, "latency")) s.network.latencyMs = c.duration(p.latency, "network.latency", false, "2ms");
    if (has(p, "jitter")) s.network.jitterMs = c.duration(p.jitter, "network.jitter", false, "1ms");
  }

  if (has(o, "deadline")) s.deadlineMs = c.duration(o.deadline, "deadline", true, "30s");

  if (has(o, "speed")) {
    const speed = o.speed;
    if (typeof speed !== "number" || !Number.isFinite(speed) || speed <= 0 || speed > MAX_SPEED) {
      c.fail(`speed ${show(speed)} must be a positive number no greater than ${MAX_SPEED}, such as 1 for real time or 60 for a minute per second`);
    }
    s.speed = speed;
  }

  if (has(o, "strategies")) s.strategies = strategies(c, o.strategies, "strategies");
  if (has(o, "expect")) s.expect = expectations(c, o.expect, "expect");

  if (has(o, "polling-backoff")) {
    const p = c.object(o["polling-backoff"], "polling-backoff", ["base", "cap"]);
    if (has(p, "base")) s.pollingBackoff.baseMs = c.duration(p.base, "polling-backoff.base", true, "250ms");
    if (has(p, "cap")) s.pollingBackoff.capMs = c.duration(p.cap, "polling-backoff.cap", true, "10s");
    const { baseMs, capMs } = s.pollingBackoff;
    if (baseMs > capMs) {
      const which = has(p, "cap") ? `polling-backoff.cap ${show(p.cap)}` : `polling-backoff.base ${show(p.base)}`;
      c.fail(`${which} leaves the base above the cap; expected base <= cap, such as base 250ms and cap 10s`);
    }
  }

  if (has(o, "long-polling")) {
    const p = c.object(o["long-polling"], "long-polling", ["wait"]);
    if (has(p, "wait")) s.longPolling.waitMs = c.duration(p.wait, "long-polling.wait", true, "30s");
  }

  if (has(o, "hybrid")) {
    const p = c.object(o.hybrid, "hybrid", ["reconcileEvery"]);
    if (has(p, "reconcileEvery")) s.hybrid.reconcileEveryMs = c.duration(p.reconcileEvery, "hybrid.reconcileEvery", true, "30s");
  }

  if (has(o, "provider")) {
    const p = c.object(o.provider, "provider", ["rateLimit"]);
    if (has(p, "rateLimit")) s.provider.rateLimitPerSecond = c.rate(p.rateLimit, "provider.rateLimit");
  }

  if (has(o, "faults")) faults(c, o.faults, "faults", s.faults);

  return s;
}
