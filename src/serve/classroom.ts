import type { ClassroomMessage, ClassroomScenario } from "../contract/classroom.js";
import type { RunListener } from "../contract/events.js";
import type { CompareResult } from "../contract/result.js";
import { recommendation, verdict } from "../contract/verdict.js";
import { monotonicClock } from "../measure/clock.js";
import { CLASSROOM_STYLE, renderClassroomPage, renderClassroomScript } from "../render/classroom-page.js";
import { liveHorizonMs } from "../render/live-frame.js";
import { Invalid } from "../scenario/field.js";
import { pollInterval } from "../scenario/fields.js";
import type { Scenario } from "../scenario/types.js";
import { ClassroomRecorder } from "./recorder.js";
import { virtualPlayback } from "./playback.js";
import { startClassroomServer, type EventStream } from "./server.js";

/** The poll intervals the page's slider offers, besides the scenario's own. */
export const SLIDER_INTERVALS_MS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000];

export interface ClassroomOptions {
  scenario: Scenario;
  clock: "real" | "virtual";
  host: string;
  port: number;
  /**
   * Runs the scenario once. A real run reports through `onEvent` as it goes; a virtual one
   * (which emits no events) must return per-payment details, from which a playback is made.
   */
  engine(scenario: Scenario, onEvent: RunListener | undefined, signal: AbortSignal): Promise<CompareResult>;
  signal: AbortSignal;
  /** Told where the page is, and each run's verdict (the CLI writes these to stderr). */
  say(line: string): void;
}

/**
 * `apiwh compare --serve`: serves the classroom page on 127.0.0.1 and plays runs on it until the
 * signal aborts. The page asks for a run (`POST /run`, optionally with another poll interval);
 * the run's events become messages (ClassroomRecorder) pushed to every open page over
 * server-sent events, and kept, so a page opened late or reloaded gets the run so far. Resolves
 * with the last run's result once the server has closed and its port is free.
 */
export async function serveClassroom(options: ClassroomOptions): Promise<CompareResult | undefined> {
  const { signal } = options;
  const clients = new Set<EventStream>();
  let run = 0;
  let phase: "idle" | "running" | "done" = "idle";
  let scenario = options.scenario;
  let log: ClassroomMessage[] = [];
  let startedAt = 0;
  let last: CompareResult | undefined;
  let running: Promise<void> | undefined;
  const intervals = [...new Set([...SLIDER_INTERVALS_MS, options.scenario.polling.intervalMs])].sort((a, b) => a - b);

  const echo = (): ClassroomScenario => ({
    name: scenario.name,
    description: scenario.description,
    payments: scenario.payments.count,
    seed: scenario.seed,
    intervalMs: scenario.polling.intervalMs,
    speed: scenario.speed,
    deadlineMs: scenario.deadlineMs,
    latencyMs: scenario.network.latencyMs,
    strategies: [...scenario.strategies],
    clock: options.clock,
    horizonMs: liveHorizonMs(scenario),
  });
  const broadcast = (m: ClassroomMessage, seq: number) => {
    const data = JSON.stringify(m);
    for (const c of clients) c.send(`${run}-${seq}`, data);
  };
  const record = (m: ClassroomMessage) => {
    log.push(m);
    broadcast(m, log.length);
  };

  function start(intervalMs: number | undefined): number {
    run++;
    scenario = { ...options.scenario, polling: { ...options.scenario.polling, intervalMs: intervalMs ?? options.scenario.polling.intervalMs } };
    log = [];
    phase = "running";
    startedAt = monotonicClock.now();
    broadcast({ type: "run", run, w: 0, scenario: echo() }, 0);
    const thisRun = run;
    running = play(thisRun).catch((err: unknown) => {
      phase = "done";
      const message = (err as Error)?.message ?? String(err);
      record({ type: "failed", run: thisRun, message });
      options.say(`run ${thisRun} failed: ${message}`);
    });
    return thisRun;
  }

  async function play(thisRun: number): Promise<void> {
    const seeded = scenario;
    const recorder =
      options.clock === "real" ? new ClassroomRecorder({ run: thisRun, startedAt, speed: seeded.speed, deadlineMs: seeded.deadlineMs, send: record }) : undefined;
    let result: CompareResult;
    try {
      result = await options.engine(seeded, recorder?.listener, signal);
    } finally {
      recorder?.flush();
    }
    if (recorder) record({ type: "done", run: thisRun, w: monotonicClock.now() - startedAt, verdict: verdict(result), recommendation: recommendation(result), partial: result.partial });
    else for (const m of virtualPlayback(result, thisRun)) record(m);
    last = result;
    phase = "done";
    options.say(`run ${thisRun} (poll every ${seeded.polling.intervalMs} ms): ${verdict(result)}`);
  }

  const server = await startClassroomServer(
    {
      page: () => renderClassroomPage(options.scenario.name),
      script: renderClassroomScript,
      style: () => CLASSROOM_STYLE,
      subscribe(stream, lastEventId) {
        clients.add(stream);
        const w = phase === "running" ? monotonicClock.now() - startedAt : 0;
        // Resuming the same run: only what the page has not seen.
        const resume = /^(\d+)-(\d+)$/.exec(lastEventId ?? "");
        const from = resume && Number(resume[1]) === run ? Number(resume[2]) : 0;
        stream.send(`${run}-${from}`, JSON.stringify({ type: "hello", run, state: phase, w, backlog: log.length - from, scenario: echo(), intervals }));
        for (let i = from; i < log.length; i++) stream.send(`${run}-${i + 1}`, JSON.stringify(log[i]));
        return () => clients.delete(stream);
      },
      run(body) {
        if (phase === "running") return { status: 409, body: { error: { type: "conflict", message: "a run is already playing; wait for it to end" } } };
        const intervalMs = readRunBody(body);
        if (typeof intervalMs === "string") return { status: 400, body: { error: { type: "invalid", message: intervalMs } } };
        return { status: 202, body: { run: start(intervalMs) } };
      },
    },
    options.host,
    options.port,
  );
  options.say(`apiwh classroom: open ${server.url} in a browser (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  // The engine saw the same signal: the run stops, then the server closes and the port is free.
  await running;
  await server.close();
  return last;
}

/** `{}` or `{"intervalMs": 500}`: the interval, undefined for the scenario's own, or why the body is refused. */
export function readRunBody(body: unknown): number | undefined | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return 'expected a JSON object such as {"intervalMs": 500}';
  const keys = Object.keys(body);
  if (keys.some((k) => k !== "intervalMs")) return 'only "intervalMs" may be given';
  const value = (body as { intervalMs?: unknown }).intervalMs;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) return "intervalMs: expected a number of milliseconds such as 500";
  try {
    return pollInterval.read(`${value}ms`);
  } catch (err) {
    if (err instanceof Invalid) return `intervalMs ${value} ${err.message}`;
    throw err;
  }
}
