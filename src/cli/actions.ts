import type { Io } from "../io.js";
import type { Scenario } from "../scenario/types.js";
import { applyFlags, type CompareFlags } from "./flags.js";
import type { Interrupts } from "./interrupts.js";
import { checkPortFree, discardOutputs, openOutputs, writeOutputs, type OutputFile, type OutputSpec } from "../commands/preflight.js";
import { UsageError } from "../errors.js";
import { externalReceiver } from "./external.js";

/**
 * What each command does once its flags are parsed: load, run, render, and return an exit
 * code. Heavy modules load lazily here so `apiwh --version` and `--help` stay fast. `check` and
 * `sweep` are in check.ts and sweep.ts, with the helpers here.
 *
 * Every command that writes files follows one order: check the files and ports first (exit 2
 * before anything runs), run, print the results on stdout, then write the files (a write that
 * fails is reported on stderr with exit 1; the results are already out). Ctrl-C at any moment
 * aborts `interrupts.signal`, and what was gathered is printed marked partial (exit 130 or 143).
 */

export async function loadScenario(file: string | undefined): Promise<Scenario> {
  // Lazily, as the renderers: the scenario's declaration loads zod, which --help and --version do not need.
  if (!file) return (await import("../scenario/defaults.js")).defaultScenario();
  const { loadScenarioFile } = await import("../scenario/load.js");
  return loadScenarioFile(file);
}

/**
 * `--profile <name> --explain`: the profile's values with their sources on stdout, exit 0, and
 * nothing run. Without --profile it explains the scenario file's profile (the standard one when
 * none is given), which is what the run would take on.
 */
export async function explainProfile(profile: import("../api/profile.js").ProfileName | undefined, file: string | undefined, io: Io): Promise<number> {
  const [{ profileNamed }, { renderProfileExplain }, { makePalette, colorEnabled }] = await Promise.all([
    import("../api/profiles.js"),
    import("../render/profile.js"),
    import("../render/color.js"),
  ]);
  const name = profile ?? (file ? (await loadScenario(file)).profile : "standard");
  io.stdout.write(renderProfileExplain(profileNamed(name), makePalette(colorEnabled(io.stdout, io.env))));
  return 0;
}

/** The scenario a command runs: the file (or the built-in one), the flags over it, then its profile over what neither set. */
export async function scenarioFor(file: string | undefined, flags: Partial<CompareFlags>): Promise<Scenario> {
  const [{ withProfile }, base] = await Promise.all([import("../api/profile-scenario.js"), loadScenario(file)]);
  return withProfile(applyFlags(base, flags));
}

export async function compareCommand(file: string | undefined, flags: CompareFlags, io: Io, interrupts: Interrupts): Promise<number> {
  if (flags.explain) return explainProfile(flags.profile, file, io);
  if (flags.port !== undefined && !flags.serve) throw new UsageError(`--port ${flags.port} is the classroom page's port; expected it with --serve`);
  const scenario = await scenarioFor(file, flags);
  const [{ compareScenario }, { prepareExpectations }, render, { attachViews, checkTraceId }] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    loadRenderers(),
    import("../views/attach.js"),
  ]);
  // `--trace pay_9` on a run of 3 payments: said before anything runs.
  if (typeof flags.trace === "string") checkTraceId(flags.trace, scenario.payments.count);
  const expectations = prepareExpectations(scenario, file ?? "scenario", flags.expect, expectationOptions(flags, io));
  const external = await externalReceiver(flags, scenario, io);
  // The virtual clock replays the same scenario as a discrete-event simulation: no sockets, no waiting.
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  if (!simulate) (await import("../run/capacity.js")).checkRealClock(scenario, Boolean(flags.force));
  if (flags.serve) return serveCompare(file, scenario, flags, io, interrupts);
  const projection = await projectionFor(scenario, flags);
  const details = Boolean(flags.details);
  const signal = interrupts.signal;
  const [report] = await prepareOutputs([flags.report && { flag: "--report", path: flags.report, example: "report.html" }], signal);
  if (!simulate && flags.webhookPort) await discardingOnError([report], () => checkPortFree("--webhook-port", flags.webhookPort!, "127.0.0.1"));
  // A virtual run has no sockets and no wall time to watch: nothing to draw or narrate.
  const views =
    flags.clock === "virtual" ? { onEvent: undefined, timeline: undefined, live: false, stop() {} } : attachViews(io, scenario, { live: flags.live, trace: flags.trace, record: Boolean(flags.report) });
  let result;
  try {
    result = await discardingOnError([report], () =>
      compareScenario(
        scenario,
        { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details, signal, onEvent: views.onEvent, external },
        flags.repeat,
        expectations,
        simulate && ((seeded) => simulate(seeded, { details })),
        projection,
      ),
    );
  } finally {
    views.stop();
  }
  const palette = render.makePalette(render.colorEnabled(io.stdout, io.env));
  if (flags.format === "table" && views.live && io.stdout.isTTY && !flags.table) {
    // The live view's last frame holds the summary; the 40-line table would scroll it off the same screen.
    const { renderLiveOutcome } = await import("../render/live-frame.js");
    io.stdout.write(renderLiveOutcome(result, palette) + "\n");
  } else writeResult(result, flags.format, palette, render, io);
  const renderHtmlReport = report && (await import("../render/html.js")).renderHtmlReport;
  // With --repeat the timeline holds every run; the charts show the last one.
  const timelines = () => views.timeline?.strategies.slice(-result.strategies.length) ?? [];
  const written = await writeOutputs(report ? [[report, () => renderHtmlReport!(result, timelines())]] : [], io.stderr);
  if (interrupts.exitCode !== null) return interrupts.exitCode;
  if (!written) return 1;
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
async function serveCompare(file: string | undefined, scenario: Scenario, flags: CompareFlags, io: Io, interrupts: Interrupts): Promise<number> {
  const conflicts = [flags.live && "--live", flags.trace !== undefined && flags.trace !== false && "--trace", flags.repeat > 1 && "--repeat", flags.report && "--report", flags.table && "--table"].filter(Boolean);
  if (conflicts.length > 0) throw new UsageError(`--serve plays the run in a browser; it does not combine with ${conflicts.join(", ")}: run those without --serve`);
  const [{ compareScenario }, { prepareExpectations }, { serveClassroom }, render] = await Promise.all([
    import("../run/compare.js"),
    import("../run/expectations.js"),
    import("../serve/classroom.js"),
    loadRenderers(),
  ]);
  const simulate = flags.clock === "virtual" ? (await import("../virtual/simulate.js")).simulateScenario : undefined;
  // The page serves until Ctrl-C: that signal is its normal end, not an interruption worth a word.
  interrupts.stopsOnSignal();
  const last = await serveClassroom({
    scenario,
    clock: flags.clock,
    host: "127.0.0.1",
    port: flags.port ?? 4330,
    signal: interrupts.signal,
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
  });
  if (last) {
    const shown = flags.details ? last : { ...last, strategies: last.strategies.map(({ details: _details, ...s }) => s) };
    writeResult(shown, flags.format, render.makePalette(render.colorEnabled(io.stdout, io.env)), render, io);
  }
  return interrupts.exitCode ?? 0;
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

/**
 * Opens every output file a command was given before anything runs (a usage error, exit 2, if one
 * cannot be written); the slots of the result match `specs`, undefined where no file was asked for.
 */
export async function prepareOutputs(specs: Array<OutputSpec | undefined | "" | false>, signal: AbortSignal): Promise<Array<OutputFile | undefined>> {
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
export async function discardingOnError<T>(files: Array<OutputFile | undefined>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await discardOutputs(files.filter((f): f is OutputFile => f !== undefined));
    throw err;
  }
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
