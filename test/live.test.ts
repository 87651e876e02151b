import { afterEach, describe, expect, it, vi } from "vitest";
import { liveHorizonMs, renderLiveFrame, renderProgressLine, type LiveFrameOptions } from "../src/render/live-frame.js";
import type { RunEvent } from "../src/contract/events.js";
import { Timeline } from "../src/contract/timeline.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { startLiveView } from "../src/views/live.js";
import { startProgress } from "../src/views/progress.js";
import { pollingEvents, POLLING_T0, recordedRun } from "./helpers/recorded-run.js";
import { coloured, plain, strip } from "./render-fixtures.js";

function timelineOf(events: RunEvent[], speed = 1): Timeline {
  const t = new Timeline(speed);
  for (const e of events) t.listener(e);
  return t;
}

const base: LiveFrameOptions = { palette: plain, width: 80, height: 24, horizonMs: 5_000, strategies: ["polling", "webhook"] };

/** A strategy of `n` payments, each settling at 100 ms × its number and known 50 ms later by a poll. */
function crowd(n: number): RunEvent[] {
  const events: RunEvent[] = [{ kind: "strategy-start", strategy: "polling", t0: 0, payments: n }];
  for (let i = 1; i <= n; i++) {
    events.push({ kind: "created", strategy: "polling", id: `pay_${i}`, at: 0 });
    events.push({ kind: "provider", strategy: "polling", events: [{ kind: "settled", index: i - 1, at: i * 100, status: "succeeded" }] });
    events.push({ kind: "consumer", event: { kind: "detected", strategy: "polling", id: `pay_${i}`, at: i * 100 + 50, status: "succeeded" } });
  }
  return events;
}

describe("live frame (from a recorded event stream)", () => {
  it("mid-run: counters, the next strategy queued, a lane per payment with waits growing to now", () => {
    expect(renderLiveFrame(timelineOf(pollingEvents.slice(0, 12)), { ...base, nowMs: 2_100 })).toMatchInlineSnapshot(`
      "▸ polling              5 req  2/3 settled  1/3 detected    2.1 s
        webhook         queued
      polling      0 s ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄ 5.0 s
      pay_1                     ·      │─────●
      pay_2                     ·          │────
      pay_3                     ·
      · asked, no news  │ settled  ↓ delivered  ● detected (✗ failed)  ─ waiting"
    `);
  });

  it("after the run: every strategy's counters from its result, the last strategy's lanes", () => {
    expect(renderLiveFrame(timelineOf(recordedRun), base)).toMatchInlineSnapshot(`
      "✓ polling              9 req  3/3 settled  3/3 detected    4.0 s
      ✓ webhook              5 req  3/3 settled  3/3 detected    3.2 s
      webhook      0 s ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄ 6.8 s
      pay_1                      ●
      pay_2                         │────────────────────────────────────────────────✗
      pay_3                                       ●
      · asked, no news  │ settled  ↓ delivered  ● detected (✗ failed)  ─ waiting"
    `);
  });

  it("before anything happened", () => {
    expect(renderLiveFrame(new Timeline(), base)).toMatchInlineSnapshot(`
      "  polling         queued
        webhook         queued
      waiting for the first payment…"
    `);
  });

  it("colour changes nothing but the escape codes, and uses the strategy's colour", () => {
    const frame = renderLiveFrame(timelineOf(recordedRun), { ...base, palette: coloured });
    expect(strip(frame)).toBe(renderLiveFrame(timelineOf(recordedRun), base));
    // webhook is green in every view.
    expect(frame).toContain("\x1b[32mwebhook");
  });

  it("more payments than fit share lanes, and the frame says so", () => {
    const frame = renderLiveFrame(timelineOf(crowd(100)), { ...base, height: 40, horizonMs: 10_000 });
    const lanes = frame.split("\n").filter((l) => /^\d+–\d+ /.test(l));
    expect(lanes).toHaveLength(25);
    expect(lanes[0]).toMatch(/^1–4 /);
    expect(lanes.at(-1)).toMatch(/^97–100 /);
    expect(frame).toContain("4 payments share each lane");
  });

  it("stays within the height budget by grouping more", () => {
    for (const height of [12, 24, 40]) {
      const frame = renderLiveFrame(timelineOf(crowd(100)), { ...base, height, horizonMs: 10_000 });
      expect(frame.split("\n").length, `height ${height}`).toBeLessThanOrEqual(height);
    }
  });

  it("fits the width given, with big numbers and small terminals", () => {
    const big = timelineOf(crowd(10_000));
    for (const width of [40, 60, 80, 120]) {
      for (const frame of [renderLiveFrame(big, { ...base, width, palette: coloured }), renderLiveFrame(timelineOf(recordedRun), { ...base, width })]) {
        for (const line of strip(frame).split("\n")) expect([...line].length, `${width}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
  });

  it("the time axis stretches when the run outlasts the horizon", () => {
    const frame = renderLiveFrame(timelineOf(pollingEvents), { ...base, horizonMs: 1_000 });
    expect(frame).toMatch(/┄ 4\.0 s$/m);
  });

  it("the horizon spans the last arrival, a slow settlement and a poll", () => {
    expect(liveHorizonMs(defaultScenario())).toBe(5_000);
    const s = defaultScenario();
    expect(liveHorizonMs({ ...s, deadlineMs: 2_000 })).toBe(2_000);
  });
});

describe("progress line", () => {
  it("settled and detected per strategy, then the time", () => {
    expect(renderProgressLine(timelineOf(pollingEvents.slice(0, 12)), plain, 80, 2_100)).toMatchInlineSnapshot(`"polling 2/3 settled, 1 detected  2.1 s"`);
    expect(renderProgressLine(timelineOf(recordedRun), plain, 80)).toMatchInlineSnapshot(`"polling 3/3 settled, 3 detected  webhook 3/3 settled, 3 detected"`);
    expect([...renderProgressLine(timelineOf(recordedRun), plain, 30)].length).toBeLessThanOrEqual(30);
  });
});

/** A terminal stand-in: everything written, in order. */
function fakeTty(columns = 80, rows = 24) {
  const chunks: string[] = [];
  return { chunks, columns, rows, write: (c: string) => (chunks.push(c), true) };
}

describe("live view", () => {
  afterEach(() => void vi.useRealTimers());

  it("hides the cursor, redraws in place at the frame rate, leaves the final frame and restores the cursor", () => {
    vi.useFakeTimers();
    let now = POLLING_T0;
    const timeline = timelineOf(pollingEvents.slice(0, 4));
    const tty = fakeTty();
    const view = startLiveView(tty, timeline, { color: false, horizonMs: 5_000, speed: 1, fps: 10, clock: { now: () => now } });
    expect(tty.chunks[0]).toBe("\x1b[?25l");
    const firstFrameLines = renderLiveFrame(timeline, { ...base, strategies: undefined, height: 23, nowMs: 0 }).split("\n").length;
    now += 1_000;
    vi.advanceTimersByTime(1_000);
    expect(tty.chunks.length).toBeGreaterThanOrEqual(11);
    const redraw = tty.chunks[2]!;
    // Synchronized update; back up over the previous frame; clear each line; erase what is left below.
    expect(redraw.startsWith(`\x1b[?2026h\r\x1b[${firstFrameLines}A\x1b[2K`)).toBe(true);
    expect(redraw.endsWith("\x1b[J\x1b[?2026l")).toBe(true);
    expect(redraw).toContain("1.0 s");
    for (const e of pollingEvents.slice(4)) timeline.listener(e);
    view.stop();
    const [last, cursor] = tty.chunks.slice(-2);
    expect(strip(last!)).toContain("✓ polling");
    expect(cursor).toBe("\x1b[?25h");
    expect(vi.getTimerCount()).toBe(0);
    const count = tty.chunks.length;
    view.stop();
    expect(tty.chunks.length).toBe(count);
  });

  it("never draws a frame taller than the screen less one row", () => {
    vi.useFakeTimers();
    const tty = fakeTty(80, 12);
    const view = startLiveView(tty, timelineOf(crowd(50)), { color: false, horizonMs: 10_000, speed: 1 });
    view.stop();
    const lines = tty.chunks[1]!.split("\x1b[2K").length - 1;
    expect(lines).toBeLessThanOrEqual(11);
  });
});

describe("progress view", () => {
  afterEach(() => void vi.useRealTimers());

  it("says nothing for the first 2 s", () => {
    vi.useFakeTimers();
    const tty = fakeTty();
    const progress = startProgress(tty, timelineOf(pollingEvents), { color: false, speed: 1 });
    vi.advanceTimersByTime(1_900);
    progress.stop();
    expect(tty.chunks).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("then rewrites one line in place, and erases it when done", () => {
    vi.useFakeTimers();
    const tty = fakeTty();
    const progress = startProgress(tty, timelineOf(pollingEvents), { color: false, speed: 1, clock: { now: () => POLLING_T0 + 3_000 } });
    vi.advanceTimersByTime(2_600);
    progress.stop();
    expect(tty.chunks.length).toBe(4);
    expect(tty.chunks[0]).toBe("\r\x1b[2Kpolling 3/3 settled, 3 detected");
    expect(tty.chunks.at(-1)).toBe("\r\x1b[2K");
    expect(tty.chunks.join("")).not.toContain("\n");
  });
});
