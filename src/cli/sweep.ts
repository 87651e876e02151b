import type { Io } from "../io.js";
import { ParseError, UsageError } from "../errors.js";
import { loadScenario, withInterrupts, writeReport } from "./actions.js";
import { applyFlags, type CompareFlags } from "./flags.js";

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
 * Progress on stderr; the table, JSON or Markdown on stdout.
 */
export async function sweepCommand(file: string | undefined, flags: SweepFlags, io: Io): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [run, sweepView, { makePalette, colorEnabled }, { startSweepProgress }, projection, expect, virtual] = await Promise.all([
    import("../run/sweep.js"),
    import("../render/sweep.js"),
    import("../render/color.js"),
    import("../views/sweep-progress.js"),
    import("../contract/projection.js"),
    import("../expect/index.js"),
    import("../virtual/simulate.js"),
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
  const progress = startSweepProgress(io.stderr as NodeJS.WriteStream, { tty: Boolean(io.stderr.isTTY), color: colorEnabled(io.stderr, io.env) });
  let outcome;
  try {
    outcome = await withInterrupts((signal) => {
      const options = { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: false, signal, onStep: progress.onStep, projection: basis };
      return target
        ? run.sweepTarget(scenario, target, { ...options, simulate: (s) => virtual.simulateStrategy(s, "polling") })
        : run.sweepIntervals(scenario, flags.intervals ?? run.DEFAULT_SWEEP_INTERVALS_MS, options);
    });
  } finally {
    progress.stop();
  }
  const { value: sweep, exitCode } = outcome;
  const few = sweepView.fewSamples(sweep);
  if (few) io.stderr.write(`${few}\n`);
  if (flags.report) await writeReport(flags.report, (await import("../render/html-sweep.js")).renderSweepHtml(sweep));
  if (flags.format === "json") io.stdout.write(sweepView.renderSweepJson(sweep) + "\n");
  else if (flags.format === "markdown") io.stdout.write(sweepView.renderSweepMarkdown(sweep) + "\n");
  else {
    const palette = makePalette(colorEnabled(io.stdout, io.env));
    io.stdout.write(`${sweepView.renderSweepTable(sweep, palette)}\n\n${sweepView.renderSweepChart(sweep, palette)}\n`);
  }
  return exitCode ?? 0;
}
