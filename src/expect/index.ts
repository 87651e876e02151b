/** The expectation language: `webhook.latencyMs.p95 < 50ms`, parsed (never eval'ed) and checked against a CompareResult. */
export {
  parseExpectation,
  validatePaths,
  collectPaths,
  usesWildcard,
  isKnownFieldPath,
  nearestFieldPath,
  STRATEGY_FIELD_PATHS,
  OPEN_FIELD_PREFIXES,
  COMPARISON_OPERATORS,
} from "./parser.js";
export type { Expectation, Expr, NumberExpr, PathExpr } from "./parser.js";
export { evaluate, formatNumber, isDurationField } from "./evaluate.js";
export type { Check, Outcome, EvaluationInput } from "./evaluate.js";
export { MAX_EXPECTATION_LENGTH, MAX_NESTING_DEPTH, UNIT_FACTORS } from "./lexer.js";
export type { ComparisonOp, ArithmeticOp, Unit } from "./lexer.js";
export { parseTarget, TARGET_WORDS } from "./target.js";
export type { Target } from "./target.js";
