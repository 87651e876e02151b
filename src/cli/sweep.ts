import type { Io } from "../io.js";
import { ParseError, UsageError } from "../errors.js";
import type { Interrupts } from "./interrupts.js";
import { discardingOnError, explainProfile, prepareOutputs, scenarioFor } from "./actions.js";
import { writeOutputs } from "../commands/preflight.js";
import type { CompareFlags } from "./flags.js";
import { formatDurationShort } from "../scenario/duration.js";

/** `apiwh sweep`'s flags, as commander hands them over. */
export interface SweepFlags extends Partial<Omit<CompareFlags, "format">> {
  intervals?: number[];
  /** `--target "p95 < 2s"`: search for the largest interval that meets it. */
  target?: string;
  format: "table" | "json" | "markdown";
}

/**
 * `apiwh sweep`: polling at several intervals beside the webhook, or with `--target` the largest
 * interval that meets an expectation (searched on the virtual clock, confirmed over loopback).
 * Progress on stderr; the table, JSON or Markdown on stdout; `--report` opened before anything runs
 * and written after the results are out.
 */
export async function sweepCommand(file: string | undefined, flags: SweepFlags, io: Io, interrupts: Interrupts): Promise<number> {
  if (flags.explain) return explainProfile(flags.profile, file, io);
  const scenario = await scenarioFor(file, flags);
  const [run, sweepView, { makePalette, colorEnabled }, { startSweepProgress }, projection, expect, virtual, { checkRealClock }] = await Promise.all([
    import("../run/sweep.js"),
    import("../render/sweep.js"),
    import("../render/color.js"),
    import("../views/sweep-progress.js"),
    import("../contract/projection.js"),
    import("../expect/index.js"),
    import("../virtual/simulate.js"),
    import("../run/capacity.js"),
  ]);
  let target: import("../expect/index.js").Target | undefined;
  if (flags.target !== undefined) {
    if (flags.intervals) throw new UsageError("--target and --intervals do not go together: --target chooses the intervals; expected one of them");
    try {
      target = expect.parseTarget(flags.target, "polling");
    } catch (err) {
      if (err instanceof ParseError) throw new UsageError(`--target ${JSON.stringify(flags.target)}: ${err.message}`);
      throw err;
    }
  }
  // A day's requests: with --per-day or --price, and always with --target (its answer is a day's requests).
  const basis =
    flags.perDay !== undefined || flags.price || target ? projection.projectionBasis(scenario.payments.arrival, flags.perDay, flags.price ?? null) : undefined;
  // The real clock's limit (sweep has no virtual clock to offer, only --force). The hardest real run
  // is polling at the shortest interval, with the webhook once beside it; --target knows its
  // interval only after the search, so each run it confirms with is checked as it comes.
  const intervals = flags.intervals ?? run.DEFAULT_SWEEP_INTERVALS_MS;
  const admit = (s: typeof scenario, where = "the scenario") => checkRealClock(s, Boolean(flags.force), where, false);
  if (target) admit({ ...scenario, strategies: ["webhook"] });
  else admit({ ...scenario, polling: { ...scenario.polling, intervalMs: Math.min(...intervals) }, strategies: ["polling", "webhook"] });
  const [report] = await prepareOutputs([flags.report && { flag: "--report", path: flags.report, example: "sweep.html" }], interrupts.signal);
  const progress = startSweepProgress(io.stderr as NodeJS.WriteStream, { tty: Boolean(io.stderr.isTTY), color: colorEnabled(io.stderr, io.env) });
  let sweep;
  try {
    sweep = await discardingOnError([report], () => {
      const options = { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: false, signal: interrupts.signal, onStep: progress.onStep, projection: basis };
      return target
        ? run.sweepTarget(scenario, target, {
            ...options,
            simulate: (s) => virtual.simulateStrategy(s, "polling"),
            admit: (s) => admit({ ...s, strategies: ["polling"] }, `the scenario polled every ${formatDurationShort(s.polling.intervalMs)} (the interval --target chose)`),
          })
        : run.sweepIntervals(scenario, intervals, options);
    });
  } finally {
    progress.stop();
  }
  const few = sweepView.fewSamples(sweep);
  if (few) io.stderr.write(`${few}\n`);
  if (flags.format === "json") io.stdout.write(sweepView.renderSweepJson(sweep) + "\n");
  else if (flags.format === "markdown") io.stdout.write(sweepView.renderSweepMarkdown(sweep) + "\n");
  else {
    const palette = makePalette(colorEnabled(io.stdout, io.env));
    io.stdout.write(`${sweepView.renderSweepTable(sweep, palette)}\n\n${sweepView.renderSweepChart(sweep, palette)}\n`);
  }
  const renderSweepHtml = report && (await import("../render/html-sweep.js")).renderSweepHtml;
  const written = await writeOutputs(report ? [[report, () => renderSweepHtml!(sweep)]] : [], io.stderr);
  return interrupts.exitCode ?? (written ? 0 : 1);
}
