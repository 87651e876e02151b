import { ParseError, UsageError } from "../errors.js";
import { collectPaths, evaluate, parseExpectation, validatePaths, type Expectation } from "../expect/index.js";
import { STRATEGY_NAMES, type Scenario, type StrategyName } from "../scenario/types.js";
import type { CompareResult, ExpectationResult } from "../contract/result.js";

export interface ParsedExpectations {
  list: Expectation[];
}

export interface PrepareOptions {
  /** False with `--no-expect`: the file's expectations are left out (those of `--expect` stay). */
  fileExpectations?: boolean;
  /**
   * True when `--strategies` replaced the file's list: a file expectation naming a strategy that no
   * longer runs is skipped and `onSkip` told why, rather than failing the run before it starts.
   */
  strategiesOverridden?: boolean;
  onSkip?: (warning: string) => void;
}

/**
 * Parses and checks every expectation before anything runs, so a typo costs an exit 2 at once
 * rather than a run's worth of waiting. `source` names the file (or `--expect`) in messages.
 */
export function prepareExpectations(scenario: Scenario, source: string, fromFlags: string[] = [], options: PrepareOptions = {}): Expectation[] {
  const fromFile = options.fileExpectations === false ? [] : scenario.expect.map((text, i) => ({ text, where: `${source}: expect[${i}]`, file: true }));
  const all = [...fromFile, ...fromFlags.map((text) => ({ text, where: "--expect", file: false }))];
  const prepared: Expectation[] = [];
  for (const { text, where, file } of all) {
    try {
      const expectation = parseExpectation(text);
      const absent = file && options.strategiesOverridden ? absentStrategy(expectation, scenario.strategies) : undefined;
      if (absent) {
        options.onSkip?.(`${where} ${JSON.stringify(text)} skipped: ${absent} is not among --strategies ${scenario.strategies.join(",")}`);
        continue;
      }
      validatePaths(expectation, scenario.strategies);
      prepared.push(expectation);
    } catch (err) {
      if (err instanceof ParseError) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  }
  return prepared;
}

/** A strategy the expectation names that is a strategy, just not one of this run's. */
function absentStrategy(expectation: Expectation, running: readonly StrategyName[]): string | undefined {
  return collectPaths(expectation)
    .map((p) => p.strategy)
    .find((name) => name !== "*" && (STRATEGY_NAMES as readonly string[]).includes(name) && !(running as readonly string[]).includes(name));
}

export function checkExpectations(expectations: Expectation[], result: CompareResult): ExpectationResult[] {
  return expectations.map((e) => {
    const outcome = evaluate(e, result);
    return { text: outcome.text, ok: outcome.ok, details: outcome.checks.map((c) => c.detail) };
  });
}
