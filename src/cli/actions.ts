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
  if (flags.port !== undefined && !flags.serve) throw new UsageError(`--port ${flags.port} is the classroom page's port; expected it with --serve`);
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ compareScenario }, { prepareExpectations }, render, { attachViews, checkTraceId }] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    loadRenderers(),
    import("../views/attach.js"),
  ]);
  // `--trace pay_9` on a run of 3 payments: said before anything runs.
  if (typeof flags.trace === "string") checkTraceId(flags.trace, scenario.payments.count);
  const expectations = prepareExpectations(scenario, file ?? "scenario", flags.expect, expectationOptions(flags, io));
  if (flags.serve) return serveCompare(file, scenario, flags, io);
  const projection = await projectionFor(scenario, flags);
  const details = Boolean(flags.details);
  // The virtual clock replays the same scenario as a discrete-event simulation: no sockets, no waiting.
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  // A virtual run has no sockets and no wall time to watch: nothing to draw or narrate.
  const views =
    flags.clock === "virtual" ? { onEvent: undefined, timeline: undefined, live: false, stop() {} } : attachViews(io, scenario, { live: flags.live, trace: flags.trace, record: Boolean(flags.report) });
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
  const palette = render.makePalette(render.colorEnabled(io.stdout, io.env));
  if (flags.format === "table" && views.live && io.stdout.isTTY && !flags.table) {
    // The live view's last frame holds the summary; the 40-line table would scroll it off the same screen.
    const { renderLiveOutcome } = await import("../render/live-frame.js");
    io.stdout.write(renderLiveOutcome(result, palette) + "\n");
  } else writeResult(result, flags.format, palette, render, io);
  if (exitCode !== null) return exitCode;
  return result.expectations?.some((e) => !e.ok) ? 1 : 0;
}

function writeResult(result: import("../contract/result.js").CompareResult, format: CompareFlags["format"], palette: import("../render/color.js").Palette, render: Awaited<ReturnType<typeof loadRenderers>>, io: Io): void {
  if (format === "json") io.stdout.write(render.renderJson(result) + "\n");
  else if (format === "markdown") io.stdout.write(render.renderMarkdown(result) + "\n");
  else io.stdout.write(render.renderTable(result, palette) + "\n");
}

/**
 * `compare --serve`: the classroom page on 127.0.0.1 plays runs until Ctrl-C; then the last run's
 * result is written to stdout in the format asked, and the exit code is the signal's (130, 143).
 */
async function serveCompare(file: string | undefined, scenario: Scenario, flags: CompareFlags, io: Io): Promise<number> {
  const conflicts = [flags.live && "--live", flags.trace !== undefined && flags.trace !== false && "--trace", flags.repeat > 1 && "--repeat", flags.report && "--report", flags.table && "--table"].filter(Boolean);
  if (conflicts.length > 0) throw new UsageError(`--serve plays the run in a browser; it does not combine with ${conflicts.join(", ")}: run those without --serve`);
  const [{ compareScenario }, { prepareExpectations }, { serveClassroom }, render] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    import("../serve/classroom.js"),
    loadRenderers(),
  ]);
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  const { value: last, exitCode } = await withInterrupts((signal) =>
    serveClassroom({
      scenario,
      clock: flags.clock,
      host: "127.0.0.1",
      port: flags.port ?? 4330,
      signal,
      say: (line) => void io.stderr.write(line + "\n"),
      engine: (seeded, onEvent, runSignal) =>
        compareScenario(
          seeded,
          { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: Boolean(flags.details), signal: runSignal, onEvent },
          1,
          prepareExpectations(seeded, file ?? "scenario", flags.expect, expectationOptions(flags, io)),
          // The virtual clock's playback is made from its per-payment records.
          simulate && ((s) => simulate(s, { details: true })),
        ),
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" || code === "EACCES") throw new UsageError(`--port ${flags.port ?? 4330}: the port is ${code === "EADDRINUSE" ? "in use" : "not allowed"}; choose another, or --port 0 for a free one`);
      throw err;
    }),
  );
  if (last) {
    const shown = flags.details ? last : { ...last, strategies: last.strategies.map(({ details: _details, ...s }) => s) };
    writeResult(shown, flags.format, render.makePalette(render.colorEnabled(io.stdout, io.env)), render, io);
  }
  return exitCode ?? 0;
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

