import { TIME_UNIT_WORDS, type ComparisonOp } from "./lexer.js";
import { collectPaths, type Expectation, type Expr, type NumberExpr, type PathExpr } from "./parser.js";

export interface Check {
  ok: boolean;
  /** Value of the left side; NaN when it could not be computed (see detail). */
  left: number;
  /** Value of the right side; NaN when it could not be computed (see detail). */
  right: number;
  /** What `*` stood for in this check (`{ "*": "polling" }`); empty without a wildcard. */
  bindings: Record<string, string>;
  /** One human line with the measured values, e.g. `got 62, expected >= 63 (3 × webhook.requests.total = 3 × 21)`; with `*`, the strategy first (`webhook: got 7, expected == 0`). */
  detail: string;
}

export interface Outcome {
  text: string;
  /** True only when there is at least one check and every check holds. */
  ok: boolean;
  checks: Check[];
}

/** The part of CompareResult that evaluation reads. */
/** Anything shaped like the JSON contract: strategies with names; fields are read defensively. */
export interface EvaluationInput {
  strategies: ReadonlyArray<{ name: string }>;
}

/** Relative tolerance for ==, != (and the equality half of <=, >=), so 0.1 + 0.2 == 0.3 holds. */
const EQUALITY_TOLERANCE = 1e-9;

/** A check that cannot be computed (missing value, division by zero); internal, never escapes evaluate(). */
class CheckFailure {
  constructor(readonly reason: string) {}
}

interface Value {
  value: number;
  /** True when the value is a duration in milliseconds (shown with a unit). */
  duration: boolean;
  /** The expression with measured values substituted, e.g. `3 × 21`. */
  shown: string;
  /** The expression as written, with `*` resolved, e.g. `3 × webhook.requests.total`. */
  source: string;
}

/** Plain number for people: at most 3 decimals, no `-0`. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e12) return String(n);
  const rounded = Number(n.toFixed(3));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** A duration in ms below a second, in seconds above (`950.5 ms`, `1.461 s`), to the millisecond either way. */
function formatValue(value: number, duration: boolean): string {
  if (!duration) return formatNumber(value);
  return Math.abs(value) >= 1000 ? `${formatNumber(value / 1000)} s` : `${formatNumber(value)} ms`;
}


/** A contract field holds milliseconds when any segment ends in `Ms` (durationMs, latencyMs.p95, model.latencyMs.mean). */
export function isDurationField(fields: readonly string[]): boolean {
  return fields.some((f) => f.endsWith("Ms"));
}

function literalValue(e: NumberExpr): Value {
  if (e.unit === null || e.unit === "%") return { value: e.value, duration: false, shown: e.raw, source: e.raw };
  const digits = e.raw.slice(0, e.raw.length - e.unit.length);
  return { value: e.value, duration: TIME_UNIT_WORDS.has(e.unit), shown: `${digits} ${e.unit}`, source: e.raw };
}

function describeKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list, not a number";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : `${v}, not a finite number`;
  if (typeof v === "object") return "an object, not a number";
  return `a ${typeof v}, not a number`;
}

class Evaluator {
  private readonly byName = new Map<string, Record<string, unknown>>();
  private readonly names: string[] = [];

  constructor(result: EvaluationInput) {
    const list: unknown = result !== null && typeof result === "object" ? (result as { strategies?: unknown }).strategies : undefined;
    if (!Array.isArray(list)) return;
    for (const entry of list) {
      if (entry === null || typeof entry !== "object") continue;
      const name = (entry as { name?: unknown }).name;
      if (typeof name !== "string" || this.byName.has(name)) continue;
      this.byName.set(name, entry as Record<string, unknown>);
      this.names.push(name);
    }
  }

  strategyNames(): string[] {
    return [...this.names];
  }

  resolvePath(e: PathExpr, bound: string | undefined): { name: string; value: number } {
    const strategy = e.strategy === "*" ? (bound ?? "*") : e.strategy;
    const name = `${strategy}.${e.fields.join(".")}`;
    const entry = this.byName.get(strategy);
    if (entry === undefined) {
      const has = this.names.length > 0 ? this.names.join(", ") : "none";
      throw new CheckFailure(`${name} is missing (the result has no strategy ${JSON.stringify(strategy)}; it has ${has})`);
    }
    let current: unknown = entry;
    for (let i = 0; i < e.fields.length; i++) {
      const field = e.fields[i]!;
      if (current === null || typeof current !== "object" || !Object.hasOwn(current, field)) {
        const parent = [strategy, ...e.fields.slice(0, i)].join(".");
        const why = current === null ? `${parent} is null` : "not in the result";
        throw new CheckFailure(`${name} is missing (${why})`);
      }
      current = (current as Record<string, unknown>)[field];
    }
    if (typeof current !== "number" || !Number.isFinite(current)) {
      const why = current === undefined ? "not in the result" : describeKind(current);
      throw new CheckFailure(`${name} is missing (${why})`);
    }
    return { name, value: current };
  }

  value(e: Expr, bound: string | undefined): Value {
    switch (e.kind) {
      case "number":
        return literalValue(e);
      case "path": {
        const { name, value } = this.resolvePath(e, bound);
        const duration = isDurationField(e.fields);
        return { value, duration, shown: formatValue(value, duration), source: name };
      }
      case "group": {
        const inner = this.value(e.inner, bound);
        return { ...inner, shown: `(${inner.shown})`, source: `(${inner.source})` };
      }
      case "negate": {
        const inner = this.value(e.operand, bound);
        return { value: -inner.value, duration: inner.duration, shown: `-${inner.shown}`, source: `-${inner.source}` };
      }
      case "binary": {
        const l = this.value(e.left, bound);
        const r = this.value(e.right, bound);
        let value: number;
        let duration: boolean;
        switch (e.op) {
          case "+":
            value = l.value + r.value;
            duration = l.duration || r.duration;
            break;
          case "-":
            value = l.value - r.value;
            duration = l.duration || r.duration;
            break;
          case "*":
            value = l.value * r.value;
            duration = l.duration !== r.duration;
            break;
          case "/":
            if (r.value === 0) {
              throw new CheckFailure(`division by zero: ${r.source} is 0 in ${l.source} / ${r.source}`);
            }
            value = l.value / r.value;
            duration = l.duration && !r.duration;
            break;
        }
        const symbol = e.op === "*" ? "×" : e.op;
        const shown = `${l.shown} ${symbol} ${r.shown}`;
        const source = `${l.source} ${symbol} ${r.source}`;
        if (!Number.isFinite(value)) throw new CheckFailure(`${source} is not a finite number (${shown})`);
        return { value, duration, shown, source };
      }
    }
  }

  /**
   * One side of the comparison for the detail line: its value, and how it was worked out when
   * that is not plain (`2 × webhook.requests.total = 2 × 21`, or the path a value came from).
   */
  side(e: Expr, bound: string | undefined, left: boolean): { value: number; text: string; work: string } {
    if (e.kind === "number") {
      const v = literalValue(e);
      return { value: v.value, text: v.shown, work: "" };
    }
    if (e.kind === "path") {
      const { name, value } = this.resolvePath(e, bound);
      // The left path is what the expectation is about: it is named already.
      return { value, text: formatValue(value, isDurationField(e.fields)), work: left ? "" : ` (${name})` };
    }
    const v = this.value(e, bound);
    const result = formatValue(v.value, v.duration);
    const work = v.shown === result ? "" : v.source === v.shown ? ` (${v.shown})` : ` (${v.source} = ${v.shown})`;
    return { value: v.value, text: result, work };
  }
}

const MIRROR: Record<ComparisonOp, ComparisonOp> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" };

function hasPath(e: Expr): boolean {
  switch (e.kind) {
    case "path":
      return true;
    case "number":
      return false;
    case "negate":
      return hasPath(e.operand);
    case "group":
      return hasPath(e.inner);
    case "binary":
      return hasPath(e.left) || hasPath(e.right);
  }
}

function compare(op: ComparisonOp, a: number, b: number): boolean {
  const equal = Math.abs(a - b) <= EQUALITY_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
  switch (op) {
    case "==":
      return equal;
    case "!=":
      return !equal;
    case "<":
      return a < b && !equal;
    case "<=":
      return a < b || equal;
    case ">":
      return a > b && !equal;
    case ">=":
      return a > b || equal;
  }
}

/**
 * Evaluates an expectation against a compare result. A `*` expands to every strategy in the result
 * (all `*` in one expectation bind to the same strategy); the outcome holds only if every expansion does.
 * Never throws: missing values, division by zero and the like make the affected check fail with a detail.
 */
export function evaluate(expectation: Expectation, result: EvaluationInput): Outcome {
  const evaluator = new Evaluator(result);
  const wildcard = collectPaths(expectation).some((p) => p.strategy === "*");
  const checks: Check[] = [];

  const check = (bound: string | undefined): Check => {
    const bindings: Record<string, string> = bound === undefined ? {} : { "*": bound };
    const sides: Array<{ value: number; text: string; work: string } | CheckFailure> = [expectation.left, expectation.right].map((e, i) => {
      try {
        return evaluator.side(e, bound, i === 0);
      } catch (err) {
        if (err instanceof CheckFailure) return err;
        throw err;
      }
    });
    const [l, r] = sides as [(typeof sides)[number], (typeof sides)[number]];
    if (l instanceof CheckFailure || r instanceof CheckFailure) {
      const reasons = [l, r].filter((s): s is CheckFailure => s instanceof CheckFailure).map((f) => f.reason);
      return {
        ok: false,
        left: l instanceof CheckFailure ? Number.NaN : l.value,
        right: r instanceof CheckFailure ? Number.NaN : r.value,
        bindings,
        detail: [...new Set(reasons)].join("; "),
      };
    }
    // "got 15, expected < 5": what was measured, then what was wanted; never a sentence that reads as true.
    // `5 > polling.requests.total` reads the other way round: what was got is on the right.
    const who = bound === undefined ? "" : `${bound}: `;
    const mirrored = !hasPath(expectation.left) && hasPath(expectation.right);
    const [got, wanted, op] = mirrored ? [{ ...r, work: expectation.right.kind === "path" ? "" : r.work }, l, MIRROR[expectation.op]] : [l, r, expectation.op];
    const detail = `${who}got ${got.text}${got.work}, expected ${op} ${wanted.text}${wanted.work}`;
    return { ok: compare(expectation.op, l.value, r.value), left: l.value, right: r.value, bindings, detail };
  };

  if (wildcard) {
    const names = evaluator.strategyNames();
    if (names.length === 0) {
      checks.push({ ok: false, left: Number.NaN, right: Number.NaN, bindings: {}, detail: `the result has no strategies for "*" to match` });
    }
    for (const name of names) checks.push(check(name));
  } else {
    checks.push(check(undefined));
  }
  return { text: expectation.text, ok: checks.length > 0 && checks.every((c) => c.ok), checks };
}
