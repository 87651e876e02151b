import { afterEach, describe, expect, it, vi } from "vitest";
import { liveHorizonMs, renderLiveFrame, renderLiveOutcome, renderProgressLine, type LiveFrameOptions } from "../src/render/live-frame.js";
import type { RunEvent } from "../src/contract/events.js";
import { Timeline } from "../src/contract/timeline.js";
import { decide } from "../src/contract/verdict.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { startLiveView } from "../src/views/live.js";
import { startProgress } from "../src/views/progress.js";
import { pollingEvents, pollingResultFor3, POLLING_T0, recordedRun, webhookResultFor3 } from "./helpers/recorded-run.js";
import { coloured, compareResult, failedRatio, heldLatency, plain, polling, strip, webhook } from "./render-fixtures.js";

function timelineOf(events: RunEvent[], speed = 1): Timeline {
  const t = new Timeline(speed);
  for (const e of events) t.listener(e);
  return t;
}

const base: LiveFrameOptions = { palette: plain, width: 80, height: 24, horizonMs: 5_000, strategies: ["polling", "webhook"], deadlineMs: 30_000 };

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
  it("mid-run: a band per strategy (the next one queued), lanes with waits growing to now, the summary and the marks drawn", () => {
    expect(renderLiveFrame(timelineOf(pollingEvents.slice(0, 12)), { ...base, nowMs: 2_100 })).toMatchInlineSnapshot(`
      "▸ polling         0 s ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄ 5.0 s
        pay_1                       ○     │━━━━━●
        pay_2                       ○         │━━━━
        pay_3                       ○
        webhook         queued
                         requests     wasted    known       p50       p95 missed
      ▸ polling                 5    4 (80%)      1/3  501.0 ms  501.0 ms      0
        webhook            queued
      ○ asked: pending  │ settled  ━ client doesn't know yet  ● asked: known"
    `);
  });

  it("after the run: every strategy's band frozen, its summary row from its result", () => {
    expect(renderLiveFrame(timelineOf(recordedRun), base)).toMatchInlineSnapshot(`
      "✓ polling         0 s ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄ 6.8 s
        pay_1                    ○   │━━━━●
        pay_2                    ○      │━✗
        pay_3                    ○        ○        ○ │━━━━━━●
      ✓ webhook         0 s ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄ 6.8 s
        pay_1                        ↓
        pay_2                           │━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━✗
        pay_3                                        ↓
                         requests     wasted    known       p50       p95 missed
      ✓ polling                 8    5 (63%)      3/3  501.0 ms  801.5 ms      0
      ✓ webhook                 4    1 (25%)      3/3   0.75 ms    5.00 s      0
      ○ asked: pending  │ settled  ━ client doesn't know yet  ↓ delivered
      ● asked: known  ✗ failed"
    `);
  });

  it("the summary's final numbers are the results' (the table's)", () => {
    const frame = renderLiveFrame(timelineOf(recordedRun), { ...base, width: 100 });
    // The last line starting with the name is its summary row (the first is its band's header).
    const row = (name: string) => frame.split("\n").filter((l) => l.startsWith(`✓ ${name} `)).at(-1)!.split(/ {2,}/);
    // name, requests, wasted, settled, known, p50, p95, missed, time
    expect(row("polling").slice(1, 3)).toEqual([String(pollingResultFor3.requests.total), `${pollingResultFor3.requests.wasted} (63%)`]);
    expect(row("webhook").slice(1, 3)).toEqual([String(webhookResultFor3.requests.total), `${webhookResultFor3.requests.wasted} (25%)`]);
  });

  it("before anything happened", () => {
    expect(renderLiveFrame(new Timeline(), base)).toMatchInlineSnapshot(`
      "  polling         queued
        webhook         queued
      waiting for the first payment…"
    `);
  });

  it("a delivery a cell or more after its settlement is drawn apart from it: the trip shows", () => {
    const events: RunEvent[] = [
      { kind: "strategy-start", strategy: "webhook", t0: 0, payments: 1 },
      { kind: "created", strategy: "webhook", id: "pay_1", at: 0 },
      { kind: "provider", strategy: "webhook", events: [{ kind: "settled", index: 0, at: 1_000, status: "succeeded" }] },
      { kind: "consumer", event: { kind: "delivery", strategy: "webhook", id: "pay_1", at: 1_400, status: 204, type: "payment.succeeded", duplicate: false, durationMs: 0 } },
      { kind: "consumer", event: { kind: "detected", strategy: "webhook", id: "pay_1", at: 1_400, status: "succeeded" } },
    ];
    const lane = (frame: string) => frame.split("\n").find((l) => l.startsWith("  pay_1"))!.slice(18);
    // 62 columns for 2 s: the settlement in cell 31, the delivery 400 ms later in cell 43, the wait between.
    expect(lane(renderLiveFrame(timelineOf(events), { ...base, horizonMs: 2_000, strategies: ["webhook"] })).trim()).toBe(`│${"━".repeat(11)}↓`);
    // Within the same cell, the delivery's mark is the one shown.
    const close = events.map((e) => (e.kind === "consumer" && e.event.kind !== "register" ? { ...e, event: { ...e.event, at: 1_005 } } : e)) as RunEvent[];
    expect(lane(renderLiveFrame(timelineOf(close), { ...base, horizonMs: 2_000, strategies: ["webhook"] })).trim()).toBe("↓");
  });

  it("reads without colour: every mark its own glyph, and the legend lists only the marks drawn", () => {
    const frame = renderLiveFrame(timelineOf(recordedRun), { ...base, width: 100 });
    const legend = frame.split("\n").at(-1)!;
    expect(legend).toBe("○ asked: pending  │ settled  ━ client doesn't know yet  ↓ delivered  ● asked: known  ✗ failed");
    // Each glyph stands for one thing, so nothing depends on colour.
    expect(new Set(legend.split(/ {2}/).map((item) => item[0])).size).toBe(6);
    const onlyPolls = renderLiveFrame(timelineOf(pollingEvents.slice(0, 7)), { ...base, nowMs: 1_100 });
    expect(onlyPolls.split("\n").at(-1)).toBe("○ asked: pending");
  });

  it("colour changes nothing but the escape codes; strategies keep their colour, polls and waits are bold", () => {
    const frame = renderLiveFrame(timelineOf(recordedRun), { ...base, palette: coloured });
    expect(strip(frame)).toBe(renderLiveFrame(timelineOf(recordedRun), base));
    // webhook is green in every view; polls (○) and waits (━) are bold.
    expect(frame).toContain("\x1b[32mwebhook");
    expect(frame).toMatch(/\x1b\[1m○/);
    expect(frame).toMatch(/\x1b\[1m━/);
  });

  it("more payments than fit share lanes, and the legend says so", () => {
    const frame = renderLiveFrame(timelineOf(crowd(100)), { ...base, height: 40, horizonMs: 10_000, strategies: ["polling"] });
    const lanes = frame.split("\n").filter((l) => /^ {2}\d+–\d+ /.test(l));
    // 35 rows are free, MAX_LANES (30) may be used: 4 payments a lane, 25 lanes.
    expect(lanes).toHaveLength(25);
    expect(lanes[0]).toMatch(/^ {2}1–4 /);
    expect(lanes.at(-1)).toMatch(/^ {2}97–100 /);
    expect(frame).toContain("(4 payments share a lane)");
  });

  it("seven strategies in 100 × 31: every band and every summary row on screen", () => {
    const all = ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"];
    const frame = renderLiveFrame(timelineOf(crowd(20)), { ...base, width: 99, height: 26, strategies: all });
    expect(frame.split("\n").length).toBeLessThanOrEqual(26);
    for (const name of all) expect(frame).toMatch(new RegExp(`^[ ▸✓] ${name} `, "m"));
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

describe("renderLiveOutcome (what follows the live view on stdout)", () => {
  it("the verdict and its recommendation, failed expectations and their count, and where the full table is", () => {
    const result = compareResult([polling, webhook], { expectations: [heldLatency, failedRatio] });
    const out = renderLiveOutcome(result, plain);
    // The wording of the verdict is render.test.ts's snapshot; here, what follows the live view and in what order.
    const { verdict, recommendation } = decide(result);
    const flat = (text: string) => text.replace(/\s+/g, " ").trim();
    const [head, tail] = out.split("\n→ ");
    expect(flat(head!)).toBe(flat(verdict));
    expect(flat(tail!).startsWith(flat(recommendation))).toBe(true);
    expect(out.slice(out.indexOf("✗"))).toMatchInlineSnapshot(`
      "✗ polling.requests.total >= 10 * webhook.requests.total
          got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)
      1 of 2 expectations failed
      The full table: --table, or --format json."
    `);
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
    // 100 columns: wide enough for the summary's time column.
    const tty = fakeTty(100);
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
