import { readdir, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { UsageError } from "../errors.js";
import { loadScenarioFile } from "../scenario/load.js";
import { stamp } from "../contract/envelope.js";
import { compareScenario } from "./compare.js";
import { prepareExpectations } from "./expectations.js";
import { checkRealClock } from "./capacity.js";
import type { CheckResult, ScenarioCheck } from "../contract/result.js";
import type { RunOptions } from "./strategy-run.js";
import type { RunListener } from "../contract/events.js";
import type { Scenario } from "../scenario/types.js";

const SCENARIO_EXTENSIONS = new Set([".json", ".yaml", ".yml"]);

/** Scenario files under the given paths (files as given; directories searched recursively), sorted. */
export async function findScenarios(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`"${path}" not found; expected a scenario file or a directory of them`);
    }
    if (info.isFile()) found.push(path);
    else if (info.isDirectory()) {
      for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
        const name = entry.name;
        if (!entry.isFile() || !SCENARIO_EXTENSIONS.has(extname(name)) || name.endsWith(".schema.json")) continue;
        found.push(join(entry.parentPath ?? path, name));
      }
    }
  }
  if (found.length === 0) throw new UsageError(`no scenario files (.json, .yaml, .yml) under ${paths.join(", ")}`);
  return [...new Set(found)].sort();
}

export interface CheckOptions extends RunOptions {
  /** Called as each scenario finishes (progress on stderr). */
  onScenario?: (check: ScenarioCheck, index: number, total: number) => void;
  /** Called before each scenario runs; the listener it returns watches that scenario's run (for reports). */
  watch?: (file: string, scenario: Scenario) => RunListener | undefined;
  /** Run scenarios above what one machine runs faithfully on the real clock (see checkRealClock). */
  force?: boolean;
}

/** Runs every scenario with its expectations; a scenario that cannot run is reported, and the rest still run. */
export async function check(paths: string[], options: CheckOptions): Promise<CheckResult> {
  const files = await findScenarios(paths);
  const started = performance.now();
  const scenarios: ScenarioCheck[] = [];
  for (const [i, file] of files.entries()) {
    if (options.signal?.aborted) break;
    const t0 = performance.now();
    const shown = relative(process.cwd(), file) || file;
    let entry: ScenarioCheck;
    try {
      const scenario = await loadScenarioFile(file);
      const expectations = prepareExpectations(scenario, shown);
      checkRealClock(scenario, Boolean(options.force), shown);
      const result = await compareScenario(scenario, { ...options, onEvent: options.watch?.(shown, scenario) ?? options.onEvent }, 1, expectations);
      const outcomes = result.expectations ?? [];
      entry = {
        file: shown,
        name: scenario.name,
        description: scenario.description,
        status: scenarioStatus(outcomes, result.partial),
        durationMs: performance.now() - t0,
        expectations: outcomes,
        result,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      entry = { file: shown, name: shown, description: "", status: "error", error: message, durationMs: performance.now() - t0, expectations: [] };
    }
    scenarios.push(entry);
    options.onScenario?.(entry, i, files.length);
  }
  scenarios.push(...notRun(files.slice(scenarios.length)));
  return checkResultOf(scenarios, performance.now() - started);
}

/** A finished run is judged by its expectations; one cut short is not judged at all. */
export function scenarioStatus(outcomes: Array<{ ok: boolean }>, partial: boolean): ScenarioCheck["status"] {
  if (partial) return "partial";
  return outcomes.every((e) => e.ok) ? "passed" : "failed";
}

/** Scenarios an interrupt kept from starting: listed, so a report shows them skipped rather than silently absent. */
function notRun(files: string[]): ScenarioCheck[] {
  return files.map((file) => {
    const shown = relative(process.cwd(), file) || file;
    return { file: shown, name: shown, description: "", status: "partial", durationMs: 0, expectations: [] };
  });
}

/** The summary counted from the scenarios; expectations count only where a run finished and was judged. */
export function checkResultOf(scenarios: ScenarioCheck[], durationMs: number): CheckResult {
  const count = (s: ScenarioCheck["status"]) => scenarios.filter((c) => c.status === s).length;
  const expectations = scenarios.filter((s) => s.status !== "partial").flatMap((s) => s.expectations);
  return {
    ...stamp(),
    ok: scenarios.every((s) => s.status === "passed"),
    partial: scenarios.some((s) => s.status === "partial"),
    durationMs,
    summary: {
      scenarios: scenarios.length,
      passed: count("passed"),
      failed: count("failed"),
      errors: count("error"),
      partial: count("partial"),
      expectations: expectations.length,
      expectationsFailed: expectations.filter((e) => !e.ok).length,
    },
    scenarios,
  };
}
