import type { RunOptions } from "../../src/run/strategy-run.js";
import type { StrategyResult } from "../../src/contract/result.js";
import type { Scenario, StrategyName } from "../../src/scenario/types.js";
import type { ConsumerStats } from "../../src/strategies/types.js";
import { defaultScenario } from "../../src/scenario/defaults.js";

// The provider runs in a worker thread loaded from dist/, so runs go through the built code
// (`npm test` builds first; for a quick loop: npx tsc -p . && npx vitest run <file>).
const built = (await import(new URL("../../dist/run/strategy-run.js", import.meta.url).href)) as typeof import("../../src/run/strategy-run.js");

/** A small, fast scenario: 10 payments created at once, settling within 0.5–4 s of scenario time, at 10× speed. */
export function fastScenario(patch: (s: Scenario) => void = () => {}): Scenario {
  const s = defaultScenario();
  s.payments.count = 10;
  s.speed = 10;
  s.deadlineMs = 12_000;
  patch(s);
  return s;
}

export async function run(scenario: Scenario, name: StrategyName, extra: Partial<RunOptions> = {}): Promise<{ result: StrategyResult; stats: ConsumerStats }> {
  let stats!: ConsumerStats;
  const result = await built.runStrategy(scenario, name, { host: "127.0.0.1", webhookPort: 0, details: true, onStats: (s) => (stats = s), ...extra });
  return { result, stats };
}
