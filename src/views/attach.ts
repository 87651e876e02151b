import { idOf } from "../api/payment.js";
import { UsageError } from "../errors.js";
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
  /** True when the live view draws (asked for, on a terminal): its last frame then holds the summary. */
  live: boolean;
  /** Leaves the final live frame on screen, clears the progress line, flushes held trace lines. */
  stop(): void;
}

/**
 * Everything that watches a run on stderr, decided once from the flags and the stream: the live
 * timeline and the progress line only on a terminal; the trace wherever asked (it is text).
 * Trace and live would garble each other on one stream, so the trace wins.
 */
export function attachViews(io: Io, scenario: Scenario, flags: ViewFlags): AttachedViews {
  if (typeof flags.trace === "string") checkTraceId(flags.trace, scenario.payments.count);
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
  const live = wantsLive
    ? startLiveView(stderr, timeline!, { color, horizonMs: liveHorizonMs(scenario), speed: scenario.speed, strategies: scenario.strategies, deadlineMs: scenario.deadlineMs, reserveRows: LIVE_RESERVED_ROWS })
    : undefined;
  const progress = wantsProgress ? startProgress(stderr, timeline!, { color, speed: scenario.speed }) : undefined;
  return {
    onEvent: fanOut(timeline?.listener, trace),
    timeline,
    live: wantsLive,
    stop() {
      live?.stop();
      progress?.stop();
      trace?.flush();
    },
  };
}

/**
 * Rows the live view leaves free below its last frame: the verdict (two lines), the expectations'
 * count, the hint about --table and the shell's prompt, so the whole frame stays on screen.
 */
const LIVE_RESERVED_ROWS = 5;

/**
 * `--trace pay_9` on a run of 3 payments would narrate nothing: say so before running. A run's
 * payments are pay_1 … pay_n, numbered as they are created.
 */
export function checkTraceId(id: string, payments: number): void {
  const n = /^pay_([1-9]\d*)$/.exec(id)?.[1];
  if (n !== undefined && Number(n) <= payments) return;
  const ids = payments <= 4 ? Array.from({ length: payments }, (_, i) => idOf(i)).join(", ") : `${idOf(0)}, ${idOf(1)} … ${idOf(payments - 1)}`;
  const shown = id.length > 40 ? `${id.slice(0, 39)}…` : id;
  throw new UsageError(`--trace ${JSON.stringify(shown)}: no such payment in this run; expected one of ${ids} (or --trace alone for every payment)`);
}
