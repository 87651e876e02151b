import { ParseError } from "../errors.js";
import { tokenize } from "./lexer.js";
import { collectPaths, isKnownFieldPath, parseExpectation, validatePaths, type Expectation } from "./parser.js";

/** Bare words a target may use for a figure of the swept strategy: `p95 < 2s`, `perPayment <= 3`. */
export const TARGET_WORDS: Readonly<Record<string, string>> = {
  min: "latencyMs.min",
  mean: "latencyMs.mean",
  p50: "latencyMs.p50",
  p90: "latencyMs.p90",
  p95: "latencyMs.p95",
  p99: "latencyMs.p99",
  max: "latencyMs.max",
  missed: "payments.missed",
  requests: "requests.total",
  wasted: "requests.wasted",
  perPayment: "requests.perPayment",
  bytes: "bytes.total",
};

export interface Target {
  /** As given: `p95 < 2s`. */
  text: string;
  /** The same over the swept strategy's paths: `polling.latencyMs.p95 < 2s`. */
  expectation: Expectation;
}

/**
 * `apiwh sweep --target`: an expectation over one strategy's figures, in the expectation language,
 * where a figure may be named without the strategy (`p95 < 2s`, `requests.perPayment <= 3`,
 * `polling.latencyMs.p99 < 5s` all work). Throws ParseError naming what is wrong.
 */
export function parseTarget(text: string, strategy: string): Target {
  let tokens;
  try {
    tokens = tokenize(text);
  } catch (err) {
    throw err instanceof ParseError ? err : new ParseError(String(err));
  }
  // Rewrite right to left so earlier columns stay where they are.
  let rewritten = text;
  for (const token of [...tokens].reverse()) {
    let path: string | undefined;
    if (token.kind === "word" && Object.hasOwn(TARGET_WORDS, token.raw)) path = TARGET_WORDS[token.raw];
    else if (token.kind === "path" && token.strategy !== "*" && isKnownFieldPath(`${token.strategy}.${token.fields.join(".")}`)) path = `${token.strategy}.${token.fields.join(".")}`;
    if (path === undefined) continue;
    const at = token.column - 1;
    rewritten = `${rewritten.slice(0, at)}${strategy}.${path}${rewritten.slice(at + token.raw.length)}`;
  }
  const expectation = parseExpectation(rewritten);
  const paths = collectPaths(expectation);
  if (paths.length === 0) throw new ParseError(`names no figure; expected one such as p95, requests.perPayment or ${strategy}.latencyMs.p99`);
  const other = paths.find((p) => p.strategy !== strategy);
  if (other) throw new ParseError(`names ${JSON.stringify(other.strategy)}; a target is about ${strategy}'s figures only, such as p95 < 2s`);
  validatePaths(expectation, [strategy]);
  return { text, expectation: { ...expectation, text: rewritten } };
}
