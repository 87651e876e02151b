import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import type { Scenario } from "../scenario/types.js";
import { applyFlags, type CompareFlags } from "./flags.js";

/**
 * What each command does once its flags are parsed: load, run, render, and return an exit
 * code. Heavy modules load lazily here so `apiwh --version` and `--help` stay fast. `check` and
 * `sweep` are in check.ts and sweep.ts, with the helpers here.
 */

/** Writes a file the user asked for; a path that cannot be written is their mistake (exit 2). */
export async function writeOutput(flag: string, path: string, content: string, example: string): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  try {
    await writeFile(path, content);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? "error"}); expected a writable path such as ${example}`);
  }
}

export function writeReport(path: string, html: string): Promise<void> {
  return writeOutput("--report", path, html, "report.html");
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

export async function loadScenario(file: string | undefined): Promise<Scenario> {
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
export async function loadRenderers() {
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

