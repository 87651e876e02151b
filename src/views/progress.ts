import { monotonicClock, type Clock } from "../measure/clock.js";
import { makePalette } from "../render/color.js";
import { renderProgressLine } from "../render/live-frame.js";
import type { Timeline } from "../contract/timeline.js";

export interface ProgressOptions {
  color: boolean;
  speed: number;
  /** Wall ms before the line first shows, so short runs stay quiet; default 2 s. */
  afterMs?: number;
  /** Wall ms between updates; default 250. */
  everyMs?: number;
  width?: number;
  clock?: Clock;
}

/**
 * A single self-overwriting line on `stream` (stderr, a TTY: the caller decides) for runs that
 * last: payments settled and known per strategy. It appears only after `afterMs` and is erased by
 * `stop()`, leaving nothing behind in the scrollback.
 */
export function startProgress(stream: { write(chunk: string): boolean; columns?: number }, timeline: Timeline, options: ProgressOptions): { stop(): void } {
  const palette = makePalette(options.color);
  const clock = options.clock ?? monotonicClock;
  let shown = false;
  let every: NodeJS.Timeout | undefined;

  const draw = () => {
    const current = timeline.strategies.at(-1);
    const nowMs = current ? (clock.now() - current.t0) * options.speed : undefined;
    // One column spare: a line that fills the width leaves the cursor in the next row on some terminals.
    const width = (options.width ?? stream.columns ?? 80) - 1;
    stream.write(`\r\x1b[2K${renderProgressLine(timeline, palette, width, nowMs)}`);
    shown = true;
  };

  const first = setTimeout(() => {
    draw();
    every = setInterval(draw, options.everyMs ?? 250);
  }, options.afterMs ?? 2000);

  return {
    stop() {
      clearTimeout(first);
      if (every) clearInterval(every);
      every = undefined;
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
