import { readdir, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { Worker } from "node:worker_threads";
import { UsageError } from "../errors.js";
import { loadScenarioFile } from "../scenario/load.js";
import { withProfile } from "../api/profile-scenario.js";
import type { ProfileName } from "../api/profile.js";
import { stamp } from "../contract/envelope.js";
import { compareScenario, type Engine } from "./compare.js";
import { prepareExpectations } from "./expectations.js";
import { checkRealClock } from "./capacity.js";
import type { CheckResult, CompareResult, ScenarioCheck } from "../contract/result.js";
import type { RunOptions } from "./strategy-run.js";
import type { RunEvent, RunListener } from "../contract/events.js";
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
  /** Called as each scenario starts; `estimateMs` is what the scenario should take, when known. */
  onStart?: (name: string, index: number, total: number, estimateMs: number | undefined) => void;
  /** Called as each scenario finishes (progress on stderr). */
  onScenario?: (check: ScenarioCheck, index: number, total: number) => void;
  /** Called before each scenario runs; the listener it returns watches that scenario's run (for reports). */
  watch?: (file: string, scenario: Scenario) => RunListener | undefined;
  /** Scenarios run at once (`--jobs`), each in a thread of its own; 1 (the default) runs them one after another. */
  jobs?: number;
  /** The engine (`--clock virtual` passes the simulation); the real run by default. */
  engine?: (scenario: Scenario) => CompareResult;
  /**
   * The health check's word on a run made beside other scenarios: true when the tool itself may
   * have distorted its figures (a late or busy event loop, queued polls). Such a scenario is run
   * again alone, after the others, and `onRerun` says so.
   */
  distorted?: (result: CompareResult) => boolean;
  onRerun?: (check: ScenarioCheck, index: number) => void;
  /**
   * A scenario flagged for a run alone that keeps its side-by-side figures after all: another,
   * run alone first, was still distorted, so the machine is busy either way and running alone
   * would only cost time. `alone` names that scenario.
   */
  onKept?: (check: ScenarioCheck, index: number, alone: string) => void;
  /** `--profile`: every scenario takes on this provider's habits, whatever its own `profile` says. */
  profile?: ProfileName;
  /** Wall ms a scenario should take (from the virtual clock), so the longest start first. */
  estimate?: (scenario: Scenario) => number | undefined;
  /** Run scenarios above what one machine runs faithfully on the real clock (see checkRealClock). */
  force?: boolean;
}

interface Job {
  file: string;
  shown: string;
  index: number;
  scenario?: Scenario;
  estimateMs?: number;
}

/**
 * Runs every scenario with its expectations; a scenario that cannot run is reported, and the rest
 * still run. With `jobs` > 1, real runs go side by side in threads of their own, longest first,
 * and any the health check calls distorted run again alone at the end.
 */
export async function check(paths: string[], options: CheckOptions): Promise<CheckResult> {
  const files = await findScenarios(paths);
  const started = performance.now();
  const jobs: Job[] = [];
  for (const [index, file] of files.entries()) {
    const shown = relative(process.cwd(), file) || file;
    let scenario: Scenario | undefined;
    try {
      scenario = withProfile(await loadScenarioFile(file), options.profile);
    } catch {
      // Reported when the job runs: the same message, from the same loader.
    }
    jobs.push({ file, shown, index, scenario, estimateMs: scenario && options.estimate?.(scenario) });
  }
  const results: Array<ScenarioCheck | undefined> = new Array(files.length);
  const width = Math.max(1, Math.min(options.jobs ?? 1, files.length));
  if (width === 1 || options.engine) {
    for (const job of jobs) {
      if (options.signal?.aborted) break;
      results[job.index] = await runJob(job, files.length, options);
    }
  } else {
    await runSideBySide(jobs, width, results, options);
  }
  // Scenarios an interrupt kept from starting are listed, so a report shows them skipped rather than silently absent.
  // (Array.from, not map: map skips the holes of the sparse array, which are exactly those.)
  const scenarios = Array.from(results, (s, i) => s ?? notRun(jobs[i]!.shown));
  return checkResultOf(scenarios, performance.now() - started);
}

/** A finished run is judged by its expectations; one cut short is not judged at all. */
export function scenarioStatus(outcomes: Array<{ ok: boolean }>, partial: boolean): ScenarioCheck["status"] {
  if (partial) return "partial";
  return outcomes.every((e) => e.ok) ? "passed" : "failed";
}

/** A scenario an interrupt kept from starting. */
function notRun(shown: string): ScenarioCheck {
  return { file: shown, name: shown, description: "", status: "partial", durationMs: 0, expectations: [] };
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

/** One scenario in this thread, with the options' listeners. */
async function runJob(job: Job, total: number, options: CheckOptions): Promise<ScenarioCheck> {
  options.onStart?.(job.scenario?.name ?? job.shown, job.index, total, job.estimateMs);
  const entry = await checkScenario(job.file, job.shown, options);
  options.onScenario?.(entry, job.index, total);
  return entry;
}

/** Loads, runs and checks one scenario; a scenario that cannot run becomes an `error` entry. */
export async function checkScenario(file: string, shown: string, options: CheckOptions): Promise<ScenarioCheck> {
  const t0 = performance.now();
  try {
    const scenario = withProfile(await loadScenarioFile(file), options.profile);
    const expectations = prepareExpectations(scenario, shown);
    const engine: Engine | undefined = options.engine;
    // The virtual clock has no such limit: only a real run is refused.
    if (!engine) checkRealClock(scenario, Boolean(options.force), shown);
    const result = await compareScenario(scenario, { ...options, onEvent: options.watch?.(shown, scenario) ?? options.onEvent }, 1, expectations, engine);
    const outcomes = result.expectations ?? [];
    return {
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
    return { file: shown, name: shown, description: "", status: "error", error: message, durationMs: performance.now() - t0, expectations: [] };
  }
}

/**
 * `width` scenarios at once, each in a worker thread with its own event loop (and its provider in
 * another), longest first so the last to start is a short one. A run the health check calls
 * distorted is run again alone once the others are done, shortest first, since its neighbours may
 * have slowed it. If a run alone is still distorted, the machine is busy whatever runs beside it:
 * the rest keep their side-by-side figures rather than spend the time.
 */
async function runSideBySide(jobs: Job[], width: number, results: Array<ScenarioCheck | undefined>, options: CheckOptions): Promise<void> {
  const queue = [...jobs].sort((a, b) => (b.estimateMs ?? 0) - (a.estimateMs ?? 0) || a.index - b.index);
  const again: Array<{ job: Job; entry: ScenarioCheck }> = [];
  const total = jobs.length;
  const lane = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (options.signal?.aborted) return;
      options.onStart?.(job.scenario?.name ?? job.shown, job.index, total, job.estimateMs);
      const entry = await inWorker(job, options);
      if (entry.result && !entry.result.partial && options.distorted?.(entry.result)) {
        options.onRerun?.(entry, job.index);
        again.push({ job, entry });
        continue;
      }
      results[job.index] = entry;
      options.onScenario?.(entry, job.index, total);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  let busy: string | undefined;
  for (const { job, entry } of again.sort((a, b) => (a.job.estimateMs ?? 0) - (b.job.estimateMs ?? 0) || a.job.index - b.job.index)) {
    // Interrupted before its run alone: the side-by-side figures are what it has (not "before it ran").
    if (options.signal?.aborted || busy !== undefined) {
      if (busy !== undefined) options.onKept?.(entry, job.index, busy);
      results[job.index] = entry;
      options.onScenario?.(entry, job.index, total);
      continue;
    }
    const alone = await runJob(job, total, options);
    results[job.index] = alone;
    if (alone.result && !alone.result.partial && options.distorted?.(alone.result)) busy = alone.name;
  }
}

/** What a check worker is told, and what it answers (src/run/check-worker.ts). */
export interface WorkerJob {
  file: string;
  shown: string;
  options: Pick<CheckOptions, "host" | "webhookPort" | "details" | "force" | "profile">;
  /** Forward the run's events (a report draws its charts from them). */
  watch: boolean;
}
export type WorkerMessage = { type: "events"; events: RunEvent[] } | { type: "done"; entry: ScenarioCheck };

function inWorker(job: Job, options: CheckOptions): Promise<ScenarioCheck> {
  const listener = job.scenario ? options.watch?.(job.shown, job.scenario) : undefined;
  const data: WorkerJob = { file: job.file, shown: job.shown, options: { host: options.host, webhookPort: 0, details: options.details, force: options.force, profile: options.profile }, watch: listener !== undefined };
  const worker = new Worker(new URL("./check-worker.js", import.meta.url), { workerData: data });
  const abort = () => worker.postMessage({ type: "abort" });
  options.signal?.addEventListener("abort", abort, { once: true });
  return new Promise<ScenarioCheck>((resolve) => {
    let entry: ScenarioCheck | undefined;
    const failed = (message: string): ScenarioCheck => ({ file: job.shown, name: job.scenario?.name ?? job.shown, description: "", status: "error", error: message, durationMs: 0, expectations: [] });
    worker.on("message", (msg: WorkerMessage) => {
      if (msg.type === "events") for (const event of msg.events) listener?.(event);
      else entry = msg.entry;
    });
    worker.once("error", (err) => (entry ??= failed(`the scenario's thread failed: ${err.message}`)));
    worker.once("exit", () => {
      options.signal?.removeEventListener("abort", abort);
      resolve(entry ?? failed("the scenario's thread ended without a result"));
    });
  });
}
