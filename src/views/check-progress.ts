import type { ScenarioCheck } from "../contract/result.js";
import { formatSeconds } from "../contract/format.js";
import { makePalette } from "../render/color.js";
import { failedCount, holdCount } from "../render/expectations.js";
import { truncate } from "../render/text.js";
import { printable } from "../scenario/echo.js";

export interface CheckProgressOptions {
  /** A terminal: a line per finished scenario and a self-overwriting line of those running. Otherwise (a CI log) plain lines as each starts and ends. */
  tty: boolean;
  color: boolean;
  width?: number;
  now?: () => number;
}

export interface CheckProgress {
  onStart(name: string, index: number, total: number, estimateMs: number | undefined): void;
  onScenario(check: ScenarioCheck, index: number, total: number): void;
  onRerun(check: ScenarioCheck, index: number): void;
  onKept(check: ScenarioCheck, index: number, alone: string): void;
  stop(): void;
}

/**
 * What `apiwh check` says on stderr while it runs, so a long check is never silent: on a terminal
 * each finished scenario stays as a line and those still running share one line that redraws
 * every second; in a log, a line when each scenario starts (with how long it should take) and one
 * when it ends. Nothing of it reaches stdout.
 */
export function startCheckProgress(stream: { write(chunk: string): boolean; columns?: number }, options: CheckProgressOptions): CheckProgress {
  const palette = makePalette(options.color);
  const now = options.now ?? (() => performance.now());
  const running = new Map<number, { name: string; since: number }>();
  let done = 0;
  let total = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const counter = (index: number) => `[${index + 1}/${total}]`;

  const clear = () => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  const draw = () => {
    if (!options.tty) return;
    clear();
    if (running.size === 0) return;
    const list = [...running.values()].map((r) => `${r.name} ${Math.round((now() - r.since) / 1000)} s`).join(", ");
    const width = (options.width ?? stream.columns ?? 80) - 1;
    stream.write(palette.dim(truncate(`  running ${list} · ${done} of ${total} done`, width)));
    shown = true;
  };
  const say = (line: string) => {
    clear();
    stream.write(`${line}\n`);
    draw();
  };

  return {
    onStart(name, index, count, estimateMs) {
      total = count;
      // Names are the user's: nothing in them may act on the terminal.
      running.set(index, { name: printable(name), since: now() });
      if (options.tty) {
        timer ??= setInterval(draw, 1000);
        draw();
      } else say(`apiwh check ${counter(index)} ${printable(name)}: running${estimateMs !== undefined ? ` (about ${formatSeconds(estimateMs)})` : ""}`);
    },
    onScenario(check, index, count) {
      total = count;
      running.delete(index);
      done++;
      const mark = check.status === "passed" ? palette.good("✓") : check.status === "failed" ? palette.bad("✗") : check.status === "partial" ? palette.warn("–") : palette.bad("!");
      const failed = check.expectations.filter((e) => !e.ok).length;
      const outcome =
        check.status === "error"
          ? "could not run"
          : check.status === "partial"
            ? "interrupted"
            : check.expectations.length === 0
            ? "no expectations"
            : failed === 0
              ? holdCount(check.expectations.length, check.expectations.length)
              : failedCount(failed, check.expectations.length);
      const line = `${counter(index)} ${mark} ${printable(check.name)}: ${outcome} (${formatSeconds(check.durationMs)})`;
      say(options.tty ? `  ${line}` : `apiwh check ${line}`);
      if (running.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    onRerun(check, index) {
      running.delete(index);
      say(`${options.tty ? "  " : "apiwh check "}${counter(index)} ${palette.warn(`${printable(check.name)}: the health check says the scenarios beside it may have distorted its figures; it runs again alone at the end`)}`);
    },
    onKept(check, index, alone) {
      say(`${options.tty ? "  " : "apiwh check "}${counter(index)} ${palette.warn(`${printable(check.name)}: keeps its side-by-side figures: ${printable(alone)}, run alone, was distorted too, so the machine is busy either way (fewer --jobs, or a quieter machine)`)}`);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
