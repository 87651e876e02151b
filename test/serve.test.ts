import { request } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClassroomMessage } from "../src/contract/classroom.js";
import { CLASSROOM_LANES } from "../src/contract/classroom.js";
import type { RunEvent, RunListener } from "../src/contract/events.js";
import type { CompareResult, PaymentRecord } from "../src/contract/result.js";
import { readRunBody, serveClassroom } from "../src/serve/classroom.js";
import { verdict } from "../src/contract/verdict.js";
import { virtualPlayback } from "../src/serve/playback.js";
import { ClassroomRecorder } from "../src/serve/recorder.js";
import { CONTENT_SECURITY_POLICY, MAX_RUN_BODY_BYTES } from "../src/serve/server.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { pollingEvents, recordedRun } from "./helpers/recorded-run.js";
import { readStream } from "./helpers/classroom-stream.js";
import { compareResult, polling, webhook } from "./render-fixtures.js";

/** Starts the classroom on a free port with an engine that replays `events` and returns `result`. */
async function classroom(events: RunEvent[], result: CompareResult, hold?: Promise<void>) {
  const controller = new AbortController();
  const said: string[] = [];
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((r) => (resolveUrl = r));
  const done = serveClassroom({
    scenario: defaultScenario(),
    clock: "real",
    host: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    say(line) {
      said.push(line);
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(line);
      if (m) resolveUrl(m[0]);
    },
    async engine(_scenario, onEvent: RunListener | undefined) {
      for (const e of events) onEvent?.(e);
      await hold;
      return result;
    },
  });
  return { url: await url, said, stop: () => (controller.abort(), done) };
}

const post = (url: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) => request(`${url}run`, { method: "POST", body, headers });

describe("the classroom server: small and closed", () => {
  let stop: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("serves its page with a policy that allows nothing from elsewhere, and nothing else", async () => {
    const c = await classroom([], compareResult([polling, webhook]));
    stop = c.stop;
    const page = await request(c.url);
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers["x-frame-options"]).toBe("DENY");
    const html = await page.body.text();
    expect(html).toContain('<script src="/classroom.js" defer></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await request(`${c.url}classroom.js`);
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(await script.body.text()).not.toMatch(/https?:\/\//);

    const answers = await Promise.all([
      request(`${c.url}nope`).then((r) => (r.body.dump(), r.statusCode)),
      request(c.url, { method: "DELETE" }).then((r) => (r.body.dump(), [r.statusCode, r.headers.allow])),
      request(`${c.url}run`).then((r) => (r.body.dump(), r.statusCode)),
      // A page served from another name for this address (DNS rebinding) is refused.
      request(c.url, { headers: { host: "attacker.example" } }).then((r) => (r.body.dump(), r.statusCode)),
    ]);
    expect(answers).toEqual([404, [405, "GET"], 405, 421]);
  });

  it("a re-run: JSON only, a kilobyte at most, from the page's own origin, an interval within the scenario's bounds", async () => {
    let release!: () => void;
    const c = await classroom([], compareResult([polling, webhook]), new Promise<void>((r) => (release = r)));
    stop = async () => (release(), c.stop());
    const status = async (body: string, headers?: Record<string, string>) => {
      const r = await post(c.url, body, headers);
      await r.body.dump();
      return r.statusCode;
    };
    expect(await status('{"intervalMs": 500}', { "content-type": "text/plain" })).toBe(415);
    expect(await status(JSON.stringify({ intervalMs: 500, pad: "x".repeat(MAX_RUN_BODY_BYTES) }))).toBe(413);
    expect(await status("{not json")).toBe(400);
    expect(await status('{"intervalMs": -5}')).toBe(400);
    expect(await status('{"intervalMs": 500, "speed": 9}')).toBe(400);
    expect(await status('{"intervalMs": 500}', { "content-type": "application/json", origin: "http://attacker.example" })).toBe(403);
    const first = await post(c.url, '{"intervalMs": 500}', { "content-type": "application/json", origin: c.url.slice(0, -1) });
    expect(first.statusCode).toBe(202);
    expect(await first.body.json()).toEqual({ run: 1 });
    // One run at a time.
    expect(await status("{}")).toBe(409);
    release();
  });

  it("readRunBody: the scenario field's own bounds, one line each", () => {
    expect(readRunBody({})).toBeUndefined();
    expect(readRunBody({ intervalMs: 250 })).toBe(250);
    expect(readRunBody([])).toMatch(/^expected a JSON object/);
    expect(readRunBody({ intervalMs: "1s" })).toMatch(/^intervalMs: expected a number/);
    expect(readRunBody({ intervalMs: 0 })).toMatch(/^intervalMs 0 /);
    expect(readRunBody({ intervalMs: 9e15 })).toMatch(/^intervalMs 9000000000000000 /);
  });

  it("the event stream: hello first, then the run's messages; a late page gets the run so far", async () => {
    const c = await classroom(recordedRun, compareResult([polling, webhook]));
    stop = c.stop;
    await (await post(c.url, "{}")).body.dump();
    // Wait for the run to be done on the server (its last message), then join late.
    const messages = await readStream(c.url, (m) => m.type === "done");
    expect(messages[0]).toMatchObject({ type: "hello", run: 1 });
    const types = messages.map((m) => m.type);
    expect(types.filter((t) => t === "start")).toHaveLength(2);
    expect(types.filter((t) => t === "end")).toHaveLength(2);
    expect(types.at(-1)).toBe("done");
    const said = verdict(compareResult([polling, webhook]));
    expect(c.said.some((l) => l.startsWith(`run 1 (poll every 1000 ms): ${said.slice(0, 40)}`)), c.said.join("\n")).toBe(true);
  });
});

describe("ClassroomRecorder: the run's events as the page's messages", () => {
  afterEach(() => void vi.useRealTimers());

  function record(events: RunEvent[], speed = 1): ClassroomMessage[] {
    const out: ClassroomMessage[] = [];
    const recorder = new ClassroomRecorder({ run: 1, startedAt: 0, speed, deadlineMs: 30_000, send: (m) => out.push(m), clock: { now: () => 1e9 } });
    for (const e of events) recorder.listener(e);
    recorder.flush();
    return out;
  }

  it("in time order, the provider's late batches included; counters never step back", () => {
    const messages = record(recordedRun);
    const timed = messages.filter((m): m is Extract<ClassroomMessage, { w: number }> => "w" in m);
    for (let i = 1; i < timed.length; i++) expect(timed[i]!.w, `message ${i}`).toBeGreaterThanOrEqual(timed[i - 1]!.w);
    for (const strategy of ["polling", "webhook"]) {
      const counts = messages.filter((m) => (m.type === "mark" || m.type === "tick") && m.strategy === strategy).map((m) => (m as { c: { settled: number; known: number; requests: number } }).c);
      for (let i = 1; i < counts.length; i++) {
        expect(counts[i]!.settled).toBeGreaterThanOrEqual(counts[i - 1]!.settled);
        expect(counts[i]!.known).toBeGreaterThanOrEqual(counts[i - 1]!.known);
        expect(counts[i]!.requests).toBeGreaterThanOrEqual(counts[i - 1]!.requests);
      }
    }
  });

  it("each exchange for the sequence diagram: a pending poll asks, a delivery tells, the registration sets up", () => {
    const marks = record(recordedRun).filter((m): m is Extract<ClassroomMessage, { type: "mark" }> => m.type === "mark");
    expect(marks.find((m) => m.mark === "poll")!.exchange).toEqual({ from: "client", label: "GET /payments/pay_1", gist: "still pending?", reply: "200 pending", tone: "ask" });
    expect(marks.find((m) => m.mark === "delivery")!.exchange).toMatchObject({ from: "provider", label: "POST /webhook", gist: "it settled: succeeded", reply: "204", tone: "tell" });
    const register = marks.find((m) => m.exchange?.label === "POST /webhook-endpoints")!;
    expect(register).toMatchObject({ strategy: "webhook", mark: "request", t: -4 });
    expect(register.c.requests).toBe(1);
    // The refused first attempt of pay_2 is told from the provider's side.
    expect(marks.find((m) => m.exchange?.tone === "fail")!.exchange).toMatchObject({ label: "POST /webhook", reply: "no answer" });
  });

  it("each strategy ends with its result's figures", () => {
    const ends = record(recordedRun).filter((m): m is Extract<ClassroomMessage, { type: "end" }> => m.type === "end");
    expect(ends.map((e) => [e.strategy, e.c.requests, e.c.wasted, e.c.known, e.c.p50Text, e.c.done])).toEqual([
      ["polling", 8, 5, 3, "501.0 ms", true],
      ["webhook", 4, 1, 3, "0.75 ms", true],
    ]);
  });

  it("holds events until the provider's batches can have arrived, then sends them in order", () => {
    vi.useFakeTimers();
    let now = 1_000;
    const out: ClassroomMessage[] = [];
    const recorder = new ClassroomRecorder({ run: 1, startedAt: 1_000, speed: 1, deadlineMs: 30_000, send: (m) => out.push(m), clock: { now: () => now }, holdMs: 100 });
    for (const e of pollingEvents.slice(0, 8)) recorder.listener(e);
    now = 2_050;
    vi.advanceTimersByTime(50);
    // The start and the creations are old enough; the polls at 1.0 s are not yet.
    expect(out.map((m) => (m.type === "mark" ? m.mark : m.type))).toEqual(["start", "created", "created", "created", "tick"]);
    now = 2_600;
    vi.advanceTimersByTime(50);
    expect(out.filter((m) => m.type === "mark").map((m) => (m as { mark: string }).mark).slice(3)).toEqual(["poll", "poll", "poll", "settled"]);
    recorder.flush();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("virtualPlayback: a virtual run made into a playback", () => {
  function record(i: number, created: number, settled: number, detected: number | null, status: PaymentRecord["status"] = "succeeded"): PaymentRecord {
    return { id: `pay_${i + 1}`, status, createdAtMs: created, settledAtMs: settled, detectedAtMs: detected, settlementDelayMs: settled - created, latencyMs: detected === null ? null : detected - settled, requests: 0 };
  }

  it("lanes for the first payments, counters over all of them, the result's figures at each end", () => {
    const n = CLASSROOM_LANES + 20;
    const details = Array.from({ length: n }, (_, i) => record(i, i * 10, i * 10 + 500, i === 3 ? null : i * 10 + 520));
    const s = { ...webhook, payments: { ...webhook.payments, total: n, detected: n - 1, missed: 1 }, durationMs: 2_000, details };
    const messages = virtualPlayback(compareResult([s], { clock: "virtual" }), 4);
    const marks = messages.filter((m) => m.type === "mark");
    expect(new Set(marks.map((m) => (m as { id: string }).id)).size).toBe(CLASSROOM_LANES);
    const w = messages.map((m) => ("w" in m ? m.w : 0));
    for (let i = 1; i < w.length; i++) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]!);
    const end = messages.find((m) => m.type === "end") as Extract<ClassroomMessage, { type: "end" }>;
    expect(end.c).toMatchObject({ requests: webhook.requests.total, wasted: webhook.requests.wasted, known: n - 1, missed: 1, settled: n, done: true });
    // Before the end, requests are not counted one by one: the page shows a dash.
    const lastTick = messages.filter((m) => m.type === "tick").at(-1) as Extract<ClassroomMessage, { type: "tick" }>;
    expect(lastTick.c).toMatchObject({ requests: null, known: n - 1, settled: n });
    expect(messages.at(-1)).toMatchObject({ type: "done", run: 4, note: expect.stringContaining("virtual clock") });
  });
});
