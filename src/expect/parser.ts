import { OPEN_FIELD_PREFIXES, STRATEGY_FIELD_PATHS as DECLARED_FIELD_PATHS } from "../contract/fields.js";
import { ParseError } from "../errors.js";
import { editDistance } from "../scenario/suggest.js";
import {
  MAX_EXPECTATION_LENGTH,
  MAX_NESTING_DEPTH,
  positionError,
  quoteSource,
  quoteToken,
  TIME_UNIT_WORDS,
  tokenize,
  type ArithmeticOp,
  type ComparisonOp,
  type Token,
  type Unit,
} from "./lexer.js";

/**
 * The expectation language: one comparison between two arithmetic expressions over the JSON contract.
 *
 *   expectation := sum COMPARE sum END          COMPARE: <  <=  >  >=  ==  !=
 *   sum         := product (("+" | "-") product)*
 *   product     := unary (("*" | "/") unary)*
 *   unary       := "-" unary | primary
 *   primary     := NUMBER [UNIT] | PATH | "(" sum ")"
 *   PATH        := (STRATEGY | "*") ("." FIELD)+   e.g. webhook.latencyMs.p95, long-polling.requests.total, *.payments.missed
 *
 * Units: us/µs ×0.001, ms ×1, s ×1000, m/min ×60000, h ×3600000, d ×86400000, % ×0.01, glued to the number (`50ms`).
 * Durations in the contract are milliseconds, so `webhook.latencyMs.p95 < 50ms` compares directly.
 * A `-` between letters or digits is part of a path (`long-polling`), so write `a.b.c - 1`, not `a.b.c-1`.
 * Nothing is ever eval'ed: the text is tokenized, parsed to the tree below and walked by evaluate().
 */

export type NumberExpr = { kind: "number"; column: number; raw: string; value: number; unit: Unit | null };
export type PathExpr = { kind: "path"; column: number; raw: string; strategy: string; fields: string[] };
export type Expr =
  | NumberExpr
  | PathExpr
  | { kind: "negate"; column: number; operand: Expr }
  | { kind: "binary"; column: number; op: ArithmeticOp; left: Expr; right: Expr }
  | { kind: "group"; column: number; inner: Expr };

export interface Expectation {
  /** The source text, as given. */
  text: string;
  left: Expr;
  op: ComparisonOp;
  right: Expr;
}

export const COMPARISON_OPERATORS: readonly ComparisonOp[] = ["<", "<=", ">", ">=", "==", "!="];
const OPERATOR_LIST = "(<, <=, >, >=, ==, !=)";
const OPERAND = `a number, a path such as webhook.latencyMs.p95, or "("`;

function describe(token: Token): string {
  if (token.kind === "end") return "the end of the expression";
  return quoteToken(token.raw);
}

/** Parses one expectation. Throws ParseError (and nothing else) for any input. */
export function parseExpectation(text: string): Expectation {
  if (typeof text !== "string") throw new ParseError(`an expectation must be a string, got ${text === null ? "null" : typeof text}`);
  if (text.length > MAX_EXPECTATION_LENGTH) {
    throw new ParseError(`expectation is too long (${text.length} characters; the limit is ${MAX_EXPECTATION_LENGTH})`);
  }
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;

  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const expected = (what: string, token: Token, hint = ""): ParseError =>
    positionError(`expected ${what}`, token.column, text, ` (found ${describe(token)})${hint}`);

  const enter = (token: Token): void => {
    depth++;
    if (depth > MAX_NESTING_DEPTH) {
      throw positionError(`nesting is deeper than ${MAX_NESTING_DEPTH} levels`, token.column, text);
    }
  };

  function parseSum(): Expr {
    let left = parseProduct();
    for (;;) {
      const token = peek();
      if (token.kind !== "arith" || (token.raw !== "+" && token.raw !== "-")) return left;
      next();
      const right = parseProduct();
      left = { kind: "binary", column: token.column, op: token.raw, left, right };
    }
  }

  function parseProduct(): Expr {
    let left = parseUnary();
    for (;;) {
      const token = peek();
      if (token.kind !== "arith" || (token.raw !== "*" && token.raw !== "/")) return left;
      next();
      const right = parseUnary();
      left = { kind: "binary", column: token.column, op: token.raw, left, right };
    }
  }

  function parseUnary(): Expr {
    const token = peek();
    if (token.kind === "arith" && token.raw === "-") {
      next();
      enter(token);
      const operand = parseUnary();
      depth--;
      return { kind: "negate", column: token.column, operand };
    }
    return parsePrimary();
  }

  function parsePrimary(): Expr {
    const token = next();
    switch (token.kind) {
      case "number":
        return { kind: "number", column: token.column, raw: token.raw, value: token.value, unit: token.unit };
      case "path":
        return { kind: "path", column: token.column, raw: token.raw, strategy: token.strategy, fields: token.fields };
      case "(": {
        enter(token);
        const inner = parseSum();
        depth--;
        const close = next();
        if (close.kind !== ")") {
          throw expected(`")"`, close, `; the "(" at column ${token.column} is not closed`);
        }
        return { kind: "group", column: token.column, inner };
      }
      case "word":
        if (TIME_UNIT_WORDS.has(token.raw)) {
          throw expected(OPERAND, token, `; write the unit right after the number, e.g. 50ms`);
        }
        throw expected(OPERAND, token, `; a path names a strategy and a field, e.g. ${token.raw}.requests.total`);
      default:
        throw expected(OPERAND, token);
    }
  }

  const left = parseSum();
  const opToken = next();
  if (opToken.kind !== "compare") {
    throw expected(`a comparison operator ${OPERATOR_LIST}`, opToken);
  }
  const right = parseSum();
  const end = next();
  if (end.kind !== "end") {
    const hint =
      end.kind === "compare"
        ? "; an expectation holds exactly one comparison"
        : end.kind === "word" && TIME_UNIT_WORDS.has(end.raw)
          ? "; write the unit right after the number, e.g. 50ms"
          : "";
    throw expected(end.kind === "compare" ? "the end of the expectation" : "an operator or the end of the expectation", end, hint);
  }
  return { text, left, op: opToken.raw, right };
}

/** Every path in the expectation, in source order. */
export function collectPaths(expectation: Expectation): PathExpr[] {
  const out: PathExpr[] = [];
  const stack: Expr[] = [expectation.right, expectation.left];
  while (stack.length > 0) {
    const e = stack.pop()!;
    switch (e.kind) {
      case "path":
        out.push(e);
        break;
      case "negate":
        stack.push(e.operand);
        break;
      case "group":
        stack.push(e.inner);
        break;
      case "binary":
        stack.push(e.right, e.left);
        break;
      case "number":
        break;
    }
  }
  return out;
}

/** True when any path uses the `*` wildcard. */
export function usesWildcard(expectation: Expectation): boolean {
  return collectPaths(expectation).some((p) => p.strategy === "*");
}

/** Field paths (below the strategy name) that expectations may name: declared with StrategyResult, in src/contract/fields.ts. */
export const STRATEGY_FIELD_PATHS: readonly string[] = DECLARED_FIELD_PATHS;
export { OPEN_FIELD_PREFIXES };

const KNOWN_FIELDS = new Set(STRATEGY_FIELD_PATHS);

export function isKnownFieldPath(field: string): boolean {
  if (KNOWN_FIELDS.has(field)) return true;
  return OPEN_FIELD_PREFIXES.some((prefix) => field.length > prefix.length && field.startsWith(prefix));
}

/** Tuned for typos in paths: a case slip costs 0.5, swapping two neighbours 0.75 (so `p59` is nearer `p95` than `p50`). */
const PATH_TYPO_COSTS = { caseChange: 0.5, transposition: 0.75 };

/** The valid field path nearest to `field` by edit distance. */
export function nearestFieldPath(field: string): string {
  let best = STRATEGY_FIELD_PATHS[0]!;
  let bestDistance = Infinity;
  for (const candidate of STRATEGY_FIELD_PATHS) {
    const d = editDistance(field, candidate, PATH_TYPO_COSTS);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Checks every path against the scenario's strategies and the contract's fields.
 * Throws ParseError naming the first bad path, with the nearest valid field as a suggestion.
 */
export function validatePaths(expectation: Expectation, knownStrategies: string[]): void {
  const where = (p: PathExpr): string => `at column ${p.column} of ${quoteSource(expectation.text, p.column)}`;
  for (const path of collectPaths(expectation)) {
    if (path.strategy !== "*" && !knownStrategies.includes(path.strategy)) {
      const list = knownStrategies.length > 0 ? knownStrategies.join(", ") : "(none)";
      throw new ParseError(`${quoteToken(path.strategy)} is not a strategy in this scenario; expected one of ${list} (${where(path)})`);
    }
    const field = path.fields.join(".");
    if (!isKnownFieldPath(field)) {
      // `polling.requests.total-webhook.requests.total` lexes as one path: suggest the part before the hyphen.
      const hyphen = field.indexOf("-");
      const suggestion = nearestFieldPath(hyphen > 0 ? field.slice(0, hyphen) : field);
      const hyphenHint = hyphen >= 0 ? ` (to subtract, put spaces around "-")` : "";
      throw new ParseError(
        `${quoteToken(field)} is not a field of a strategy result (in ${path.raw} ${where(path)}); did you mean ${suggestion}?${hyphenHint}`,
      );
    }
  }
}
