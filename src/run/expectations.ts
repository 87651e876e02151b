import { ParseError, UsageError } from "../errors.js";
import { evaluate, parseExpectation, validatePaths, type Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/types.js";
import type { CompareResult, ExpectationResult } from "../contract/result.js";

export interface ParsedExpectations {
  list: Expectation[];
}

/**
 * Parses and checks every expectation before anything runs, so a typo costs an exit 2 at once
 * rather than a run's worth of waiting. `source` names the file (or `--expect`) in messages.
 */
export function prepareExpectations(scenario: Scenario, source: string, fromFlags: string[] = []): Expectation[] {
  const all = [
    ...scenario.expect.map((text, i) => ({ text, where: `${source}: expect[${i}]` })),
    ...fromFlags.map((text) => ({ text, where: "--expect" })),
  ];
  return all.map(({ text, where }) => {
    try {
      const expectation = parseExpectation(text);
      validatePaths(expectation, scenario.strategies);
      return expectation;
    } catch (err) {
      if (err instanceof ParseError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  });
}

export function checkExpectations(expectations: Expectation[], result: CompareResult): ExpectationResult[] {
  return expectations.map((e) => {
    const outcome = evaluate(e, result);
    return { text: outcome.text, ok: outcome.ok, details: outcome.checks.map((c) => c.detail) };
  });
}
