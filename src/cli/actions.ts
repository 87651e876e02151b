import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import type { Scenario } from "../scenario/types.js";
import { applyFlags, type CompareFlags } from "./flags.js";

/**
 * What each command does once its flags are parsed: load, run, render, and return an exit
 * code. Heavy modules load lazily here so `apiwh --version` and `--help` stay fast.
 */
export interface CheckFlags {
  format: "table" | "json" | "markdown";
  junit?: string;
  report?: string;
}

export interface SweepFlags extends Partial<Omit<CompareFlags, "format">> {
  intervals?: number[];
  format: "table" | "json";
}

/** Writes a file the user asked for; a path that cannot be written is their mistake (exit 2). */
async function writeOutput(flag: string, path: string, content: string, example: string): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  try {
    await writeFile(path, content);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? "error"}); expected a writable path such as ${example}`);
  }
}

function writeReport(path: string, html: string): Promise<void> {
  return writeOutput("--report", path, html, "report.html");
}

export async function sweepCommand(file: string | undefined, flags: SweepFlags, io: Io): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ sweepIntervals, DEFAULT_SWEEP_INTERVALS_MS }, sweepView, { makePalette, colorEnabled }] = await Promise.all([
    import("../run/sweep.js"),
    import("../render/sweep.js"),
    import("../render/color.js"),
  ]);
  const { value: sweep, exitCode } = await withInterrupts((signal) =>
    sweepIntervals(scenario, flags.intervals ?? DEFAULT_SWEEP_INTERVALS_MS, { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: false, signal }),
  );
  if (flags.report) await writeReport(flags.report, (await import("../render/html-sweep.js")).renderSweepHtml(sweep));
  if (flags.format === "json") io.stdout.write(sweepView.renderSweepJson(sweep) + "\n");
  else {
    const palette = makePalette(colorEnabled(io.stdout, io.env));
    io.stdout.write(`${sweepView.renderSweepTable(sweep, palette)}\n\n${sweepView.renderSweepChart(sweep, palette)}\n`);
  }
  return exitCode ?? 0;
}

/**
 * Ctrl-C or SIGTERM aborts the run: servers close, ports are freed, and what was gathered so far
 * is printed marked partial. The exit code follows the shell convention (130, 143).
 */
export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; exitCode: number | null }> {
  const controller = new AbortController();
  let exitCode: number | null = null;
  const onInt = () => ((exitCode = 130), controller.abort());
  const onTerm = () => ((exitCode = 143), controller.abort());
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  try {
    const value = await work(controller.signal);
    return { value, exitCode };
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

async function loadScenario(file: string | undefined): Promise<Scenario> {
  // Lazily, as the renderers: the scenario's declaration loads zod, which --help and --version do not need.
  if (!file) return (await import("../scenario/defaults.js")).defaultScenario();
  const { loadScenarioFile } = await import("../scenario/load.js");
  return loadScenarioFile(file);
}

export async function compareCommand(file: string | undefined, flags: CompareFlags, io: Io): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ compareScenario }, { prepareExpectations }, render, { attachViews }] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    loadRenderers(),
    import("../views/attach.js"),
  ]);
  const expectations = prepareExpectations(scenario, file ?? "scenario", flags.expect, expectationOptions(flags, io));
  const projection = await projectionFor(scenario, flags);
  const details = Boolean(flags.details);
  // The virtual clock replays the same scenario as a discrete-event simulation: no sockets, no waiting.
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  // A virtual run has no sockets and no wall time to watch: nothing to draw or narrate.
  const views =
    flags.clock === "virtual" ? { onEvent: undefined, timeline: undefined, stop() {} } : attachViews(io, scenario, { live: flags.live, trace: flags.trace, record: Boolean(flags.report) });
  let outcome;
  try {
    outcome = await withInterrupts((signal) =>
      compareScenario(
        scenario,
        { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details, signal, onEvent: views.onEvent },
        flags.repeat,
        expectations,
        simulate && ((seeded) => simulate(seeded, { details })),
        projection,
      ),
    );
  } finally {
    views.stop();
  }
  const { value: result, exitCode } = outcome;
  if (flags.report) {
    const { renderHtmlReport } = await import("../render/html.js");
    // With --repeat the timeline holds every run; the charts show the last one.
    const timelines = views.timeline?.strategies.slice(-result.strategies.length) ?? [];
    await writeReport(flags.report, renderHtmlReport(result, timelines));
  }
  if (flags.format === "json") io.stdout.write(render.renderJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderMarkdown(result) + "\n");
  else io.stdout.write(render.renderTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
  if (exitCode !== null) return exitCode;
  return result.expectations?.some((e) => !e.ok) ? 1 : 0;
}

export async function checkCommand(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  const [{ check }, render, { Timeline }] = await Promise.all([import("../run/check.js"), loadRenderers(), import("../contract/timeline.js")]);
  const progress = io.stderr.isTTY && flags.format === "table";
  // The report draws each scenario's charts from a timeline of its run.
  const timelines = new Map<string, InstanceType<typeof Timeline>>();
  const { value: result, exitCode } = await withInterrupts((signal) =>
    check(paths, {
      host: "127.0.0.1",
      webhookPort: 0,
      details: false,
      signal,
      onScenario: progress ? (c, i, n) => io.stderr.write(`  [${i + 1}/${n}] ${c.status === "passed" ? "✓" : "✗"} ${c.name}\n`) : undefined,
      watch: flags.report
        ? (file, scenario) => {
            const timeline = new Timeline(scenario.speed);
            timelines.set(file, timeline);
            return timeline.listener;
          }
        : undefined,
    }),
  );
  if (flags.junit) await writeOutput("--junit", flags.junit, render.renderJUnit(result) + "\n", "results.xml");
  if (flags.report) {
    const byFile = new Map([...timelines].map(([file, t]) => [file, t.strategies]));
    await writeReport(flags.report, (await import("../render/html.js")).renderCheckHtmlReport(result, byFile));
  }
  if (flags.format === "json") io.stdout.write(render.renderCheckJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderCheckMarkdown(result) + "\n");
  else io.stdout.write(render.renderCheckTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
  if (exitCode !== null) return exitCode;
  // A scenario file that does not validate is the user's mistake (2); a broken expectation is a failed check (1).
  if (result.scenarios.some((s) => s.status === "error")) return 2;
  return result.ok ? 0 : 1;
}

/** `--no-expect`, and the file's expectations that name a strategy `--strategies` left out: skipped, with a warning. */
export function expectationOptions(flags: Pick<CompareFlags, "fileExpectations" | "strategies">, io: Io) {
  return { fileExpectations: flags.fileExpectations, strategiesOverridden: flags.strategies !== undefined, onSkip: (warning: string) => void io.stderr.write(`warning: ${warning}\n`) };
}

/** What the per-payment figures scale to: with `--per-day` or `--price`, and always on the virtual clock. */
export async function projectionFor(scenario: Scenario, flags: Pick<CompareFlags, "perDay" | "price" | "clock">) {
  if (flags.perDay === undefined && !flags.price && flags.clock !== "virtual") return undefined;
  const { projectionBasis } = await import("../contract/projection.js");
  return projectionBasis(scenario.payments.arrival, flags.perDay, flags.price ?? null);
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

