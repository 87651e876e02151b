import type { Io } from "../io.js";
import type { CheckResult } from "../contract/result.js";
import type { Scenario } from "../scenario/types.js";
import type { Interrupts } from "./interrupts.js";
import { discardingOnError, explainProfile, loadRenderers, prepareOutputs } from "./actions.js";
import { writeOutputs, type OutputFile } from "../commands/preflight.js";

/** `apiwh check`'s flags, as commander hands them over. */
export interface CheckFlags {
  format: "table" | "json" | "markdown";
  junit?: string;
  report?: string;
  /** Scenarios run at once, each in a thread of its own. */
  jobs: number;
  clock: "real" | "virtual";
  /** Run scenarios past the real clock's limit anyway (src/run/capacity.ts). */
  force?: boolean;
  /** `--profile`: every scenario takes on this provider's habits. */
  profile?: import("../api/profile.js").ProfileName;
  explain?: boolean;
}

/** Scenarios larger than this are not simulated just to estimate how long they take. */
const ESTIMATE_MAX_PAYMENTS = 20_000;

/**
 * `apiwh check`: every scenario found, its expectations checked; progress on stderr as it goes;
 * in GitHub Actions, annotations on the failing lines and the Markdown summary in the job's
 * summary. Exit 0 when every expectation held, 1 when one failed (or a file could not be written),
 * 2 when a file is invalid, 130/143 when interrupted. Output files are opened before anything
 * runs and written after the results are on stdout.
 */
export async function checkCommand(paths: string[], flags: CheckFlags, io: Io, interrupts: Interrupts): Promise<number> {
  if (flags.explain) return explainProfile(flags.profile, undefined, io);
  const [{ check }, render, { Timeline }, { startCheckProgress }, { healthWarnings }, virtual] = await Promise.all([
    import("../run/check.js"),
    loadRenderers(),
    import("../contract/timeline.js"),
    import("../views/check-progress.js"),
    import("../render/health.js"),
    import("../virtual/simulate.js"),
  ]);
  const [junit, report] = await prepareOutputs(
    [flags.junit && { flag: "--junit", path: flags.junit, example: "results.xml" }, flags.report && { flag: "--report", path: flags.report, example: "report.html" }],
    interrupts.signal,
  );
  const progress = startCheckProgress(io.stderr as NodeJS.WriteStream, { tty: Boolean(io.stderr.isTTY), color: render.colorEnabled(io.stderr, io.env) });
  // The report draws each scenario's charts from a timeline of its run.
  const timelines = new Map<string, InstanceType<typeof Timeline>>();
  // What a scenario should take on the real clock, from the simulation: longest first with --jobs, and said in logs.
  const estimate = (scenario: Scenario): number | undefined => {
    if (flags.clock === "virtual" || scenario.payments.count > ESTIMATE_MAX_PAYMENTS) return undefined;
    try {
      return virtual.simulateScenario(scenario).strategies.reduce((sum, s) => sum + s.durationMs / scenario.speed, 0);
    } catch {
      return undefined;
    }
  };
  let result;
  try {
    result = await discardingOnError([junit, report], () =>
      check(paths, {
        host: "127.0.0.1",
        webhookPort: 0,
        details: false,
        signal: interrupts.signal,
        force: Boolean(flags.force),
        profile: flags.profile,
        jobs: flags.jobs,
        engine: flags.clock === "virtual" ? (scenario) => virtual.simulateScenario(scenario) : undefined,
        estimate,
        distorted: (result) => healthWarnings(result.strategies).length > 0,
        onStart: progress.onStart,
        onScenario: progress.onScenario,
        onRerun: progress.onRerun,
        onKept: progress.onKept,
        watch: report
          ? (file, scenario) => {
              const timeline = new Timeline(scenario.speed);
              timelines.set(file, timeline);
              return timeline.listener;
            }
          : undefined,
      }),
    );
  } finally {
    progress.stop();
  }
  if (flags.format === "json") io.stdout.write(render.renderCheckJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderCheckMarkdown(result) + "\n");
  // Cut to 80 columns on a terminal only: nobody can widen a CI log to read the rest.
  else io.stdout.write(render.renderCheckTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env)), { fit: Boolean(io.stdout.isTTY) }) + "\n");
  if (io.env.GITHUB_ACTIONS === "true") await reportToGitHub(result, io);
  const renderCheckHtmlReport = report && (await import("../render/html.js")).renderCheckHtmlReport;
  const byFile = () => new Map([...timelines].map(([file, t]) => [file, t.strategies]));
  const writes: Array<[OutputFile, () => string]> = [];
  if (junit) writes.push([junit, () => render.renderJUnit(result) + "\n"]);
  if (report) writes.push([report, () => renderCheckHtmlReport!(result, byFile())]);
  const written = await writeOutputs(writes, io.stderr);
  if (interrupts.exitCode !== null) return interrupts.exitCode;
  // A scenario file that does not validate is the user's mistake (2); a broken expectation, or a file that could not be written, is a failure (1).
  if (result.scenarios.some((s) => s.status === "error")) return 2;
  return result.ok && written ? 0 : 1;
}

/**
 * In GitHub Actions: an `::error` annotation at each failing expectation's line (on stderr, which
 * the runner reads as it reads stdout, so `--format json` stays clean), and the Markdown summary
 * appended to `$GITHUB_STEP_SUMMARY`, so a workflow runs its scenarios once.
 */
async function reportToGitHub(result: CheckResult, io: Io): Promise<void> {
  const [{ githubAnnotations }, { fieldPositions }, { renderCheckMarkdown }] = await Promise.all([
    import("../render/annotations.js"),
    import("../scenario/load.js"),
    import("../render/markdown.js"),
  ]);
  const positions = new Map<string, Awaited<ReturnType<typeof fieldPositions>>>();
  for (const s of result.scenarios) {
    if (s.status !== "failed") continue;
    positions.set(s.file, await fieldPositions(s.file, s.expectations.map((_, i) => ["expect", i])));
  }
  for (const line of githubAnnotations(result, (file, i) => positions.get(file)?.[i])) io.stderr.write(`${line}\n`);
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (!summary) return;
  const { appendFile } = await import("node:fs/promises");
  try {
    await appendFile(summary, `${renderCheckMarkdown(result)}\n`);
  } catch (err) {
    io.stderr.write(`warning: GITHUB_STEP_SUMMARY ${summary}: cannot append the summary (${(err as NodeJS.ErrnoException).code ?? "error"})\n`);
  }
}
