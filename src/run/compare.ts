import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/types.js";
import { envelope } from "../contract/envelope.js";
import type { CompareResult, ProjectionBasis, StrategyResult } from "../contract/result.js";
import { withProjection } from "../contract/projection.js";
import { runStrategy, type RunOptions } from "./strategy-run.js";
import { checkExpectations } from "./expectations.js";
import { foldRepeats } from "./repeat.js";

/**
 * Runs the scenario once per strategy, one after the other, each against a fresh provider with
 * the same seed, so every strategy faces identical settlements.
 */
export async function compare(scenario: Scenario, options: RunOptions): Promise<CompareResult> {
  const strategies: StrategyResult[] = [];
  for (const name of scenario.strategies) {
    if (options.signal?.aborted) break;
    const result = await runStrategy(scenario, name, options);
    strategies.push(result);
    options.onEvent?.({ kind: "strategy-end", strategy: name, result });
  }
  const partial = Boolean(options.signal?.aborted);
  return { ...envelope(scenario, "real", partial), strategies };
}

/**
 * What runs one seeded scenario across its strategies: `compare` over loopback HTTP by default;
 * the CLI passes the virtual clock's simulateScenario for `--clock virtual`, so the runner and the
 * simulation never import each other.
 */
export type Engine = (scenario: Scenario) => CompareResult | Promise<CompareResult>;

/**
 * The whole job behind `apiwh compare` and each scenario of `apiwh check`: `repeat` runs with
 * seeds seed…seed+repeat−1 (folded into means ± sd), scaled to a day when `projection` is given
 * (`--per-day`, `--price`, the virtual clock), then every expectation evaluated (so an expectation
 * may name `polling.cost.perMonth`).
 */
export async function compareScenario(
  scenario: Scenario,
  options: RunOptions,
  repeat = 1,
  expectations: Expectation[] = [],
  engine: Engine = (seeded) => compare(seeded, options),
  projection?: ProjectionBasis,
): Promise<CompareResult> {
  const runs: CompareResult[] = [];
  const seeds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    if (i > 0 && options.signal?.aborted) break;
    seeds.push(scenario.seed + i);
    const seeded = { ...scenario, seed: scenario.seed + i };
    runs.push(await engine(seeded));
  }
  let result = runs.length === 1 ? runs[0]! : foldRepeats(runs, seeds);
  if (runs.length < repeat) result.partial = true;
  if (projection) result = withProjection(result, projection);
  if (expectations.length > 0) result.expectations = checkExpectations(expectations, result);
  return result;
}
