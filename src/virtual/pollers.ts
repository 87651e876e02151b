import { MAX_WAIT_MS } from "../api/limits.js";
import { backoffOf, BackoffDraws, firstSeeingPoll, nextFixedSlot } from "../policy/polling.js";
import { Tally } from "./tally.js";
import { Status, notModifiedBytes, pollRequestBytes, pollResponseBytes } from "./wire.js";
import { FIRST_MESSAGE, type World } from "./world.js";

export type PollKind = "polling" | "conditional" | "polling-backoff" | "long-polling";

/**
 * Polls a payment made by the run, when (NaN: not within the horizon) it was detected, and when
 * the last poll's answer came back (it may come after the horizon: a long poll still held). Scratch,
 * to keep the loops allocation-free.
 */
let outPolls = 0;
let outDetect = NaN;
let outLastAnswer = NaN;
/** While set, every walk reports each poll's arrival, and each long poll's hold at the provider (the run's `load`). */
let onArrive: ((at: number) => void) | null = null;
let onHold: ((from: number, to: number) => void) | null = null;

/**
 * The poll family without the event queue. With a clean API (no rate limit, no injected faults)
 * every payment's polls depend on nothing but its own creation and settlement, so each payment is
 * walked on its own, in closed form where one exists: fixed-interval polling with a constant delay d
 * and answers back before the next slot (2d + service ≤ T) sees the settlement on poll
 * k = max(0, ⌈(s − a − d − service)/T⌉), a being the anchor (src/policy/polling.ts).
 *
 * The first walk finds every detection up to the cutoff, which fixes when the run ends, and stamps
 * each poll's arrival. A walk stops at its detection, so when every outcome was known before the
 * cutoff it saw every poll of the run; otherwise a second walk stamps them again up to the end.
 */
export function simulatePollersDirect(world: World, kind: PollKind): Tally {
  const { n } = world;
  const tally = Tally.of(world);
  const polls = new Uint32Array(n);
  const walk = walker(world, kind);
  const query = queryLength(world, kind);
  onArrive = (at) => tally.histogram.add(at);
  onHold = (from, to) => tally.held.add(from, to);
  // Every long-polling payment holds at least its first poll (ten million spans at ten million payments).
  if (kind === "long-polling") tally.held.reserve(n);
  try {
    for (let i = 0; i < n; i++) {
      walk(i, world.cutoff);
      polls[i] = outPolls;
      tally.detectedAt[i] = outDetect;
    }
    const endedAt = (tally.endedAt = tally.endOfRun(world));
    const again = endedAt === world.cutoff;
    if (again) {
      tally.histogram.clear();
      tally.held.clear();
    }
    for (let i = 0; i < n; i++) {
      // Walked again up to the end of the run, to stamp each poll's arrival; a payment known by then polls as in the first walk.
      if (again) walk(i, endedAt);
      let count = polls[i]!;
      let detected = tally.detectedAt[i] === tally.detectedAt[i];
      // An answer still on its way when the run ended was never written: its request counts, its bytes do not.
      let lastAnswered = true;
      if (tally.detectedAt[i]! > endedAt) {
        count = outPolls;
        detected = false;
        lastAnswered = outLastAnswer <= endedAt;
        tally.detectedAt[i] = NaN;
      } else if (tally.inTime(world, i)) tally.useful++;
      tally.requests[i] = count;
      addPollBytes(world, tally, kind, i, count, detected, lastAnswered, query);
    }
  } finally {
    onArrive = onHold = null;
  }
  return tally;
}

/** `?wait=<ms>ms` on a long poll. */
export function queryLength(world: World, kind: PollKind): number {
  const wait = world.scenario.longPolling.waitMs;
  return kind === "long-polling" && wait ? `?wait=${Math.round(wait)}ms`.length : 0;
}

/**
 * Requests and bytes of `count` clean polls of payment i, the last one answered with the outcome
 * when `detected`, or not answered at all by the end of the run unless `lastAnswered`.
 */
function addPollBytes(world: World, tally: Tally, kind: PollKind, i: number, count: number, detected: boolean, lastAnswered: boolean, query: number): void {
  if (count === 0) return;
  if (!detected && !lastAnswered) {
    // The requests all arrived; only the answers before the last came back.
    addPollBytes(world, tally, kind, i, count - 1, false, true, query);
    tally.c2pRequests++;
    tally.c2pBytes += pollRequestBytes(i, query, kind === "conditional" && count > 1);
    return;
  }
  const outcome = world.failed[i] ? Status.failed : Status.succeeded;
  const plain = pollRequestBytes(i, query, false);
  const pending = pollResponseBytes(i, Status.pending);
  const terminal = pollResponseBytes(i, outcome);
  tally.c2pRequests += count;
  if (kind === "conditional") {
    // The first answer carries the ETag; every later poll sends it and gets a bodiless 304 while pending.
    tally.c2pBytes += plain + (count - 1) * pollRequestBytes(i, query, true);
    if (detected) tally.p2cBytes += count === 1 ? terminal : pending + (count - 2) * notModifiedBytes(i) + terminal;
    else tally.p2cBytes += pending + (count - 1) * notModifiedBytes(i);
    return;
  }
  tally.c2pBytes += count * plain;
  tally.p2cBytes += detected ? (count - 1) * pending + terminal : count * pending;
}

/** Sets outPolls/outDetect for payment i, counting only polls that reach the provider by `horizon`. */
function walker(world: World, kind: PollKind): (i: number, horizon: number) => void {
  const T = world.scenario.polling.intervalMs;
  const σ = world.serviceMs;
  const d = world.latencyMs;
  const { anchor, settleAt } = world;
  switch (kind) {
    case "polling":
    case "conditional":
      if (world.constantDelay && 2 * d + σ <= T)
        return (i, horizon) => {
          const a = anchor[i]!;
          const k = firstSeeingPoll(a, settleAt[i]!, T, d, σ);
          const arrive = a + k * T + d;
          if (arrive <= horizon) {
            outPolls = k + 1;
            outLastAnswer = outDetect = arrive + σ + d;
          } else {
            outPolls = horizon >= a + d ? Math.floor((horizon - a - d) / T) + 1 : 0;
            outDetect = NaN;
            outLastAnswer = a + (outPolls - 1) * T + 2 * d + σ;
          }
          if (onArrive) for (let p = 0; p < outPolls; p++) onArrive(a + p * T + d);
        };
      return (i, horizon) => fixedWalk(world, i, horizon);
    case "polling-backoff": {
      const draws = backoffDraws(world);
      return (i, horizon) => backoffWalk(world, i, horizon, draws);
    }
    case "long-polling":
      return (i, horizon) => longWalk(world, i, horizon);
  }
}

/**
 * Fixed schedule anchored at creation: poll k leaves at anchor + k·T; when an answer comes back
 * after the next slot, the poller skips the slots already missed (src/strategies/polling.ts).
 */
export function fixedWalk(world: World, i: number, horizon: number): void {
  const T = world.scenario.polling.intervalMs;
  const a = world.anchor[i]!;
  const s = world.settleAt[i]!;
  let j = FIRST_MESSAGE;
  let k = 0;
  let leave = a;
  outPolls = 0;
  outDetect = NaN;
  for (;;) {
    const arrive = leave + world.oneWay(i, j++);
    if (arrive > horizon) return;
    outPolls++;
    onArrive?.(arrive);
    const read = arrive + world.serviceMs;
    const at = (outLastAnswer = read + world.oneWay(i, j++));
    if (read >= s) {
      outDetect = at;
      return;
    }
    k = nextFixedSlot(a, k, T, at);
    leave = a + k * T;
  }
}

/** Full-jitter backoff with the poller's own seeded draws (src/policy/polling.ts). */
export function backoffWalk(world: World, i: number, horizon: number, draws = backoffDraws(world)): void {
  const s = world.settleAt[i]!;
  let j = FIRST_MESSAGE;
  let step = 0;
  let leave = world.anchor[i]!;
  outPolls = 0;
  outDetect = NaN;
  for (;;) {
    const arrive = leave + world.oneWay(i, j++);
    if (arrive > horizon) return;
    outPolls++;
    onArrive?.(arrive);
    const read = arrive + world.serviceMs;
    const at = (outLastAnswer = read + world.oneWay(i, j++));
    if (read >= s) {
      outDetect = at;
      return;
    }
    leave = at + draws.sleepMs(i, step++);
  }
}

export function backoffDraws(world: World): BackoffDraws {
  const { baseMs, capMs } = backoffOf(world.scenario);
  return new BackoffDraws(world.scenario.seed, baseMs, capMs);
}

/** Held polls: the provider answers at settlement or when the wait ends; a pending answer is asked again at once. */
export function longWalk(world: World, i: number, horizon: number): void {
  const wait = Math.min(world.scenario.longPolling.waitMs, MAX_WAIT_MS);
  const s = world.settleAt[i]!;
  let j = FIRST_MESSAGE;
  let leave = world.anchor[i]!;
  outPolls = 0;
  outDetect = NaN;
  for (;;) {
    const arrive = leave + world.oneWay(i, j++);
    if (arrive > horizon) return;
    outPolls++;
    onArrive?.(arrive);
    const read = arrive + world.serviceMs;
    if (read >= s || (wait > 0 && s <= read + wait)) {
      onHold?.(read, Math.max(read, s));
      outLastAnswer = outDetect = Math.max(read, s) + world.oneWay(i, j++);
      return;
    }
    onHold?.(read, read + wait);
    leave = outLastAnswer = read + wait + world.oneWay(i, j++);
  }
}
