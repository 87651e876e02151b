import { monotonicClock, type Clock } from "../measure/clock.js";
import { makePalette } from "../render/color.js";
import { renderLiveFrame } from "../render/live-frame.js";
import type { Timeline } from "../contract/timeline.js";

export interface LiveViewOptions {
  color: boolean;
  /** Scenario ms the time axis spans at least: `liveHorizonMs(scenario)`. */
  horizonMs: number;
  speed: number;
  /** Columns and rows to use; default the stream's own size, else 80 × 24. */
  width?: number;
  height?: number;
  /** Frames a second; default 12. */
  fps?: number;
  /** The run's strategies in order, listed as queued until they start. */
  strategies?: readonly string[];
  /** The scenario's deadline: payments not known by then are counted missed as the run goes. */
  deadlineMs?: number;
  /** Rows to leave below the frame for what the command prints after it (the verdict). */
  reserveRows?: number;
  clock?: Clock;
}

/** The terminal's side of the view: enough of a tty.WriteStream to draw on. */
export interface LiveStream {
  write(chunk: string): boolean;
  columns?: number;
  rows?: number;
}

const ESC = "\x1b[";
/** Synchronized output (DEC mode 2026): the terminal shows the whole frame at once; ignored where unsupported. */
const BEGIN_SYNC = `${ESC}?2026h`;
const END_SYNC = `${ESC}?2026l`;
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;

/**
 * Draws the timeline on `stream` (stderr, a TTY: the caller decides) several times a second, in
 * place: back to the frame's first line, each line cleared and rewritten, the rest below erased.
 * It only reads the timeline, which records the run's events. `stop()` draws the final frame,
 * leaves it on screen and gives the cursor back.
 */
export function startLiveView(stream: LiveStream, timeline: Timeline, options: LiveViewOptions): { stop(): void } {
  const palette = makePalette(options.color);
  const clock = options.clock ?? monotonicClock;
  let drawnLines = 0;
  let stopped = false;

  const frame = (): string => {
    const current = timeline.strategies.at(-1);
    const nowMs = current && !current.result ? (clock.now() - current.t0) * options.speed : undefined;
    // One row short of the screen: a frame that scrolls cannot be drawn over in place.
    const height = (options.height ?? stream.rows ?? 24) - 1 - (options.reserveRows ?? 0);
    // One column spare too: a line that fills the width leaves the cursor in the next row on some
    // terminals (tmux among them), and the next frame would then start a row too low.
    const width = (options.width ?? stream.columns ?? 80) - 1;
    return renderLiveFrame(timeline, { palette, width, height, horizonMs: options.horizonMs, nowMs, strategies: options.strategies, deadlineMs: options.deadlineMs });
  };

  const draw = () => {
    const lines = frame().split("\n");
    let out = BEGIN_SYNC;
    if (drawnLines > 0) out += `\r${ESC}${drawnLines}A`;
    for (const line of lines) out += `${ESC}2K${line}\n`;
    out += `${ESC}J${END_SYNC}`;
    drawnLines = lines.length;
    stream.write(out);
  };

  // The cursor comes back even when the process ends without stop() (an uncaught error).
  const restore = () => stream.write(SHOW_CURSOR);
  process.once("exit", restore);
  stream.write(HIDE_CURSOR);
  draw();
  const timer = setInterval(draw, Math.round(1000 / Math.max(1, options.fps ?? 12)));

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
      process.off("exit", restore);
      restore();
    },
  };
}
