import type { SweepPoint } from "../contract/result.js";
import { formatCount, formatMs } from "../contract/format.js";
import { makePalette } from "../render/color.js";
import { spaced } from "../render/sweep.js";
import { truncate } from "../render/text.js";

/** What the sweep reports as each run starts and ends (src/run/sweep.ts SweepStep, restated so views need not import run). */
export interface SweepProgressStep {
  phase: "start" | "done";
  clock: "real" | "virtual";
  strategy: string;
  intervalMs: number | null;
  index: number;
  total: number | undefined;
  point?: SweepPoint;
}

export interface SweepProgressOptions {
  /** A terminal: one self-overwriting line, erased at the end. Otherwise (a CI log) a line per run. */
  tty: boolean;
  color: boolean;
  width?: number;
  now?: () => number;
}

/**
 * `apiwh sweep` on stderr while it runs: on a terminal, one line saying which run is going and how
 * far the sweep is; in a log, a line as each real run starts and one as each run (real or
 * simulated) ends, with its figures. Nothing of it reaches stdout.
 */
export function startSweepProgress(stream: { write(chunk: string): boolean; columns?: number }, options: SweepProgressOptions): { onStep(step: SweepProgressStep): void; stop(): void } {
  const palette = makePalette(options.color);
  const now = options.now ?? (() => performance.now());
  let shown = false;
  let since = now();
  const clear = () => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  const label = (step: SweepProgressStep) => `${step.intervalMs === null ? step.strategy : `${step.strategy} every ${spaced(step.intervalMs)}`}${step.clock === "virtual" ? " (virtual clock)" : ""}`;
  const count = (step: SweepProgressStep) => (step.total === undefined ? `[${step.index + 1}]` : `[${step.index + 1}/${step.total}]`);
  return {
    onStep(step) {
      if (options.tty) {
        if (step.phase !== "start") return;
        clear();
        const width = (options.width ?? stream.columns ?? 80) - 1;
        stream.write(palette.dim(truncate(`  sweep ${count(step)} ${label(step)}…`, width)));
        shown = true;
        return;
      }
      if (step.phase === "start") {
        since = now();
        if (step.clock === "real") stream.write(`apiwh sweep ${count(step)} ${label(step)}: running\n`);
        return;
      }
      const p = step.point;
      const figures = p ? `${formatCount(p.requests.total)} requests, p95 ${p.latencyMs ? formatMs(p.latencyMs.p95) : "–"}, ${formatCount(p.payments.missed)} missed` : "done";
      const target = p?.meets === undefined ? "" : p.meets ? ", meets the target" : ", misses the target";
      const took = step.clock === "real" ? ` (${((now() - since) / 1000).toFixed(1)} s)` : "";
      stream.write(`apiwh sweep ${count(step)} ${label(step)}: ${figures}${target}${took}\n`);
    },
    stop() {
      clear();
    },
  };
}
