import { MAX_WAIT_MS } from "../api/limits.js";
import { RateLimiter, retryAfterSeconds } from "../api/rate-limit.js";
import { sample } from "../scenario/distribution.js";
import { Stream, rngFor } from "../scenario/random.js";
import type { PollKind } from "./pollers.js";
import { queryLength } from "./pollers.js";
import { EventQueue } from "./queue.js";
import { Tally } from "./tally.js";
import { API_ERROR_BYTES, Status, notModifiedBytes, pollRequestBytes, pollResponseBytes, rateLimitedBytes } from "./wire.js";
import { FIRST_MESSAGE, type World } from "./world.js";

/** Event kinds: a poll reaches the provider; its answer reaches the shop. */
const ARRIVE = 0;
const ANSWER = 1;

/** What the provider answered a payment's poll in flight. */
const Answer = { pending: 0, terminal: 1, notModified: 2, rateLimited: 3, serverError: 4 } as const;

/** Long pollers and the like wait this long after a refusal (src/strategies/long-polling.ts). */
const LONG_POLL_RETRY_BASE_MS = 250;

/**
 * The poll family on the event queue: every poll's arrival and answer in global time order. This
 * is what the API's shared state needs: the rate limit is one token bucket for every loopback
 * client, and the k-th read request to arrive draws its injected fault from (seed, apiFault, k),
 * exactly as src/provider/api-gate.ts does. Per-payment state lives in typed arrays.
 *
 * On a clean API it gives the same figures as the per-payment walks (a test checks that).
 */
export function simulatePollersEvents(world: World, kind: PollKind): Tally {
  const { n, scenario, anchor, settleAt } = world;
  const tally = new Tally(n);
  const T = scenario.polling.intervalMs;
  const σ = world.serviceMs;
  const wait = kind === "long-polling" ? Math.min(scenario.longPolling.waitMs, MAX_WAIT_MS) : 0;
  const { baseMs, capMs } = scenario.pollingBackoff;
  const query = queryLength(world, kind);
  const { errorRate, latency } = scenario.faults.api;
  const faulty = errorRate > 0 || latency !== null;
  const limit = scenario.provider.rateLimitPerSecond;
  // The provider's own limiter, run on scenario time (speed 1) with the shop as its one client.
  const limiter = limit === null ? null : new RateLimiter(limit, 1, () => 0);
  let arrivals = 0;

  const message = new Uint32Array(n).fill(FIRST_MESSAGE);
  const slot = new Float64Array(n);
  const errorsInRow = new Uint8Array(n);
  const steps = new Uint16Array(n);
  const hasEtag = new Uint8Array(n);
  const answer = new Uint8Array(n);
  const retryAfterMs = new Float64Array(n);

  const queue = new EventQueue(n);
  for (let i = 0; i < n; i++) queue.push(anchor[i]! + world.oneWay(i, message[i]!++), ARRIVE, i);
  let known = 0;
  tally.endedAt = world.cutoff;

  while (queue.pop()) {
    const t = queue.time;
    const i = queue.payment;
    if (t > world.cutoff) break;
    if (queue.kind === ARRIVE) {
      tally.c2pRequests++;
      tally.histogram.add(t);
      tally.c2pBytes += pollRequestBytes(i, query, kind === "conditional" && hasEtag[i] === 1);
      arrivals++;
      if (limiter) {
        const waitMs = limiter.take("shop", t);
        if (waitMs > 0) {
          // 429 with Retry-After in whole seconds; errors leave at once, without the network delay the provider adds to replies.
          const seconds = retryAfterSeconds(waitMs);
          tally.errors.rateLimited++;
          tally.p2cBytes += rateLimitedBytes(seconds);
          answer[i] = Answer.rateLimited;
          retryAfterMs[i] = seconds * 1000;
          queue.push(t, ANSWER, i);
          continue;
        }
      }
      let read = t;
      if (faulty) {
        const rng = rngFor(scenario.seed, Stream.apiFault, arrivals - 1);
        const fails = rng.next() < errorRate;
        if (latency) read += Math.max(0, sample(latency, rng));
        if (fails) {
          tally.errors.server++;
          tally.p2cBytes += API_ERROR_BYTES;
          answer[i] = Answer.serverError;
          retryAfterMs[i] = 0;
          queue.push(read, ANSWER, i);
          continue;
        }
      }
      read += σ;
      const s = settleAt[i]!;
      let replyAt = read;
      let settled = read >= s;
      if (!settled && wait > 0) {
        settled = s <= read + wait;
        replyAt = settled ? s : read + wait;
        tally.held.add(read, replyAt);
      }
      const outcome = world.failed[i] ? Status.failed : Status.succeeded;
      if (settled) {
        answer[i] = Answer.terminal;
        tally.p2cBytes += pollResponseBytes(i, outcome);
      } else if (kind === "conditional" && hasEtag[i] === 1) {
        answer[i] = Answer.notModified;
        tally.p2cBytes += notModifiedBytes(i);
      } else {
        answer[i] = Answer.pending;
        tally.p2cBytes += pollResponseBytes(i, Status.pending);
      }
      queue.push(replyAt + world.oneWay(i, message[i]!++), ANSWER, i);
      continue;
    }

    // ANSWER: the shop reads it and decides when to ask again.
    const got = answer[i]!;
    if (got === Answer.terminal) {
      tally.detectedAt[i] = t;
      tally.useful++;
      if (++known === n) {
        tally.endedAt = t;
        break;
      }
      continue;
    }
    if (got === Answer.pending || got === Answer.notModified) hasEtag[i] = 1;
    const refused = got === Answer.rateLimited || got === Answer.serverError;
    let next: number;
    if (kind === "polling-backoff") {
      const expo = Math.min(capMs, baseMs * 2 ** steps[i]!);
      const u = nthDraw(scenario.seed, i, steps[i]!++);
      next = t + Math.max(expo * u, got === Answer.rateLimited ? retryAfterMs[i]! : 0);
    } else if (kind === "long-polling") {
      errorsInRow[i] = refused ? errorsInRow[i]! + 1 : 0;
      next = t + holdOff(got, retryAfterMs[i]!, errorsInRow[i]!, LONG_POLL_RETRY_BASE_MS);
    } else {
      errorsInRow[i] = refused ? errorsInRow[i]! + 1 : 0;
      const earliest = t + holdOff(got, retryAfterMs[i]!, errorsInRow[i]!, T);
      const a = anchor[i]!;
      let k = ++slot[i]!;
      let due = a + k * T;
      if (due < earliest) {
        // Skip the slots already missed rather than catching up in a burst, as the real poller does.
        k = slot[i] = Math.ceil((earliest - a) / T);
        due = a + k * T;
      }
      next = due;
    }
    queue.push(next + world.oneWay(i, message[i]!++), ARRIVE, i);
  }
  return tally;
}

/** holdOffMs() of src/strategies/api-client.ts, on the answer codes above. */
function holdOff(got: number, retryAfterMs: number, errorsInRow: number, baseMs: number): number {
  if (got === Answer.rateLimited) return Math.max(retryAfterMs, baseMs);
  if (got === Answer.serverError) return Math.max(retryAfterMs, baseMs * 2 ** Math.min(5, Math.max(0, errorsInRow - 1)));
  return 0;
}

/** The step-th draw of payment i's backoff stream (the real poller keeps one generator per payment). */
function nthDraw(seed: number, i: number, step: number): number {
  const rng = rngFor(seed, Stream.backoff, i);
  for (let k = 0; k < step; k++) rng.next();
  return rng.next();
}
