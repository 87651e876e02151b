import type { Io } from "../io.js";
import type { Scenario } from "../scenario/types.js";
import { applyFlags, type CompareFlags } from "./flags.js";
import type { Interrupts } from "./interrupts.js";
import { checkPortFree, discardOutputs, openOutputs, writeOutputs, type OutputFile, type OutputSpec } from "../commands/preflight.js";
import { printable } from "../scenario/echo.js";

/**
 * What each command does once its flags are parsed: load, run, render, and return an exit
 * code. Heavy modules load lazily here so `apiwh --version` and `--help` stay fast.
 *
 * Every command that writes files follows one order: check the files and ports first (exit 2
 * before anything runs), run, print the results on stdout, then write the files (a write that
 * fails is reported on stderr with exit 1; the results are already out). Ctrl-C at any moment
 * aborts `interrupts.signal`, and what was gathered is printed marked partial (exit 130 or 143).
 */
export interface CheckFlags {
  format: "table" | "json" | "markdown";
  junit?: string;
  report?: string;
  force?: boolean;
}

export interface SweepFlags extends Partial<Omit<CompareFlags, "format">> {
  intervals?: number[];
  format: "table" | "json";
}

export async function sweepCommand(file: string | undefined, flags: SweepFlags, io: Io, interrupts: Interrupts): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ sweepIntervals, DEFAULT_SWEEP_INTERVALS_MS }, sweepView, { makePalette, colorEnabled }, { checkRealClock }] = await Promise.all([
    import("../run/sweep.js"),
    import("../render/sweep.js"),
    import("../render/color.js"),
    import("../run/capacity.js"),
  ]);
  const intervals = flags.intervals ?? DEFAULT_SWEEP_INTERVALS_MS;
  // The shortest interval polls hardest; the webhook runs once beside it.
  checkRealClock({ ...scenario, polling: { intervalMs: Math.min(...intervals) }, strategies: ["polling", "webhook"] }, Boolean(flags.force), "the scenario", false);
  const [report] = await prepareOutputs([flags.report && { flag: "--report", path: flags.report, example: "sweep.html" }], interrupts.signal);
  const sweep = await discardingOnError([report], () =>
    sweepIntervals(scenario, intervals, { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: false, signal: interrupts.signal }),
  );
  if (flags.format === "json") io.stdout.write(sweepView.renderSweepJson(sweep) + "\n");
  else {
    const palette = makePalette(colorEnabled(io.stdout, io.env));
    io.stdout.write(`${sweepView.renderSweepTable(sweep, palette)}\n\n${sweepView.renderSweepChart(sweep, palette)}\n`);
  }
  const renderSweepHtml = report && (await import("../render/html-sweep.js")).renderSweepHtml;
  const written = await writeOutputs(report ? [[report, () => renderSweepHtml!(sweep)]] : [], io.stderr);
  return interrupts.exitCode ?? (written ? 0 : 1);
}

export async function compareCommand(file: string | undefined, flags: CompareFlags, io: Io, interrupts: Interrupts): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ compareScenario }, { prepareExpectations }, render, { attachViews }] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    loadRenderers(),
    import("../views/attach.js"),
  ]);
  const expectations = prepareExpectations(scenario, file ?? "scenario", flags.expect);
  const details = Boolean(flags.details);
  const signal = interrupts.signal;
  // The virtual clock replays the same scenario as a discrete-event simulation: no sockets, no waiting.
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  if (!simulate) (await import("../run/capacity.js")).checkRealClock(scenario, Boolean(flags.force));
  const [report] = await prepareOutputs([flags.report && { flag: "--report", path: flags.report, example: "report.html" }], signal);
  if (!simulate && flags.webhookPort) await discardingOnError([report], () => checkPortFree("--webhook-port", flags.webhookPort!, "127.0.0.1"));
  // A virtual run has no sockets and no wall time to watch: nothing to draw or narrate.
  const views =
    flags.clock === "virtual" ? { onEvent: undefined, timeline: undefined, stop() {} } : attachViews(io, scenario, { live: flags.live, trace: flags.trace, record: Boolean(flags.report) });
  let result;
  try {
    result = await discardingOnError([report], () =>
      compareScenario(
        scenario,
        { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details, signal, onEvent: views.onEvent },
        flags.repeat,
        expectations,
        simulate && ((seeded) => simulate(seeded, { details })),
      ),
    );
  } finally {
    views.stop();
  }
  if (flags.format === "json") io.stdout.write(render.renderJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderMarkdown(result) + "\n");
  else io.stdout.write(render.renderTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
  const renderHtmlReport = report && (await import("../render/html.js")).renderHtmlReport;
  // With --repeat the timeline holds every run; the charts show the last one.
  const timelines = () => views.timeline?.strategies.slice(-result.strategies.length) ?? [];
  const written = await writeOutputs(report ? [[report, () => renderHtmlReport!(result, timelines())]] : [], io.stderr);
  if (interrupts.exitCode !== null) return interrupts.exitCode;
  if (!written) return 1;
  return result.expectations?.some((e) => !e.ok) ? 1 : 0;
}

export async function checkCommand(paths: string[], flags: CheckFlags, io: Io, interrupts: Interrupts): Promise<number> {
  const [{ check }, render, { Timeline }] = await Promise.all([import("../run/check.js"), loadRenderers(), import("../contract/timeline.js")]);
  const [junit, report] = await prepareOutputs(
    [flags.junit && { flag: "--junit", path: flags.junit, example: "results.xml" }, flags.report && { flag: "--report", path: flags.report, example: "report.html" }],
    interrupts.signal,
  );
  const progress = io.stderr.isTTY && flags.format === "table";
  // The report draws each scenario's charts from a timeline of its run.
  const timelines = new Map<string, InstanceType<typeof Timeline>>();
  const result = await discardingOnError([junit, report], () =>
    check(paths, {
      host: "127.0.0.1",
      webhookPort: 0,
      details: false,
      signal: interrupts.signal,
      force: Boolean(flags.force),
      onScenario: progress ? (c, i, n) => io.stderr.write(`  [${i + 1}/${n}] ${c.status === "passed" ? "✓" : c.status === "partial" ? "–" : "✗"} ${printable(c.name)}\n`) : undefined,
      watch: report
        ? (file, scenario) => {
            const timeline = new Timeline(scenario.speed);
            timelines.set(file, timeline);
            return timeline.listener;
          }
        : undefined,
    }),
  );
  if (flags.format === "json") io.stdout.write(render.renderCheckJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderCheckMarkdown(result) + "\n");
  else io.stdout.write(render.renderCheckTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
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
 * Opens every output file a command was given before anything runs (a usage error, exit 2, if one
 * cannot be written); the slots of the result match `specs`, undefined where no file was asked for.
 */
async function prepareOutputs(specs: Array<OutputSpec | undefined | "" | false>, signal: AbortSignal): Promise<Array<OutputFile | undefined>> {
  const asked = specs.map((s) => (s ? s : undefined));
  const opened = await openOutputs(asked);
  if (signal.aborted) {
    // Interrupted while starting: nothing ran, and the files keep what they held.
    await discardOutputs(opened);
    return asked.map(() => undefined);
  }
  let next = 0;
  return asked.map((s) => (s ? opened[next++] : undefined));
}

/** Runs the work; if it throws (a usage error found late, an internal error), the output files it would have written are discarded. */
async function discardingOnError<T>(files: Array<OutputFile | undefined>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await discardOutputs(files.filter((f): f is OutputFile => f !== undefined));
    throw err;
  }
}

async function loadScenario(file: string | undefined): Promise<Scenario> {
  // Lazily, as the renderers: the scenario's declaration loads zod, which --help and --version do not need.
  if (!file) return (await import("../scenario/defaults.js")).defaultScenario();
  const { loadScenarioFile } = await import("../scenario/load.js");
  return loadScenarioFile(file);
}

/** Renderers load lazily so `apiwh --version` and `--help` stay fast. */
async function loadRenderers() {
  const [table, json, color, markdown, junit, checkView] = await Promise.all([
    import("../render/table.js"),
    import("../render/json.js"),
    import("../render/color.js"),
    import("../render/markdown.js"),
    import("../render/junit.js"),
    import("../render/check.js"),
  ]);
  return { ...table, ...json, ...color, ...markdown, ...junit, ...checkView };
}
