import type { Io } from "../io.js";
import { colorEnabled } from "../render/color.js";
import { liveHorizonMs } from "../render/live-frame.js";
import { fanOut, Timeline } from "../contract/timeline.js";
import type { RunListener } from "../contract/events.js";
import type { Scenario } from "../scenario/types.js";
import { startLiveView } from "./live.js";
import { startProgress } from "./progress.js";
import { traceListener } from "./trace.js";

export interface ViewFlags {
  live?: boolean;
  /** `true` for every payment, or one payment id. */
  trace?: boolean | string;
  /** Keep a timeline even with no view on screen (for the HTML report). */
  record?: boolean;
}

export interface AttachedViews {
  onEvent?: RunListener;
  timeline?: Timeline;
  /** Leaves the final live frame on screen, clears the progress line, flushes held trace lines. */
  stop(): void;
}

/**
 * Everything that watches a run on stderr, decided once from the flags and the stream: the live
 * timeline and the progress line only on a terminal; the trace wherever asked (it is text).
 * Trace and live would garble each other on one stream, so the trace wins.
 */
export function attachViews(io: Io, scenario: Scenario, flags: ViewFlags): AttachedViews {
  const color = colorEnabled(io.stderr, io.env);
  const tty = Boolean(io.stderr.isTTY);
  const trace =
    flags.trace === undefined || flags.trace === false
      ? undefined
      : traceListener((line) => io.stderr.write(line + "\n"), { color, speed: scenario.speed, filter: flags.trace === true ? undefined : flags.trace });
  const wantsLive = Boolean(flags.live) && tty && !trace;
  const wantsProgress = tty && !wantsLive && !trace;
  const timeline = wantsLive || wantsProgress || flags.record ? new Timeline(scenario.speed) : undefined;
  const stderr = io.stderr as NodeJS.WriteStream;
  const live = wantsLive ? startLiveView(stderr, timeline!, { color, horizonMs: liveHorizonMs(scenario), speed: scenario.speed, strategies: scenario.strategies }) : undefined;
  const progress = wantsProgress ? startProgress(stderr, timeline!, { color, speed: scenario.speed }) : undefined;
  return {
    onEvent: fanOut(timeline?.listener, trace),
    timeline,
    stop() {
      live?.stop();
      progress?.stop();
      trace?.flush();
    },
  };
}
