import { MAX_WAIT_MS } from "../api/limits.js";
import { ApiRule, GateVerdict } from "../policy/gate.js";
import { backoffOf, BackoffDraws, holdOffMs, isRefusal, nextFixedSlot, REFUSAL_BASE_MS } from "../policy/polling.js";
import type { PollKind } from "./pollers.js";
import { queryLength } from "./pollers.js";
import { EventQueue } from "./queue.js";
import { Tally } from "./tally.js";
import { API_ERROR_BYTES, Status, notModifiedBytes, pollRequestBytes, pollResponseBytes, rateLimitedBytes } from "./wire.js";
import { FIRST_MESSAGE, type World } from "./world.js";

/** Event kinds: a poll reaches the provider; its answer reaches the shop. */
const ARRIVE = 0;
const ANSWER = 1;

/** What the provider answered a payment's poll in flight: an HTTP status, with a 200 split by what it said. */
const PENDING = 200;
const TERMINAL = 1;
const NOT_MODIFIED = 304;

/**
 * The poll family on the event queue: every poll's arrival and answer in global time order. This
 * is what the API's shared state needs: the rate limit is one token bucket for every loopback
 * client, and the k-th read request to arrive draws its injected fault, exactly as the provider's
 * gate decides (both play src/policy/gate.ts). What the poller does with each answer is
 * src/policy/polling.ts's decision, as in the real strategies. Per-payment state lives in typed arrays.
 *
 * On a clean API it gives the same figures as the per-payment walks (a test checks that).
 */
export function simulatePollersEvents(world: World, kind: PollKind): Tally {
  const { n, scenario, anchor, settleAt } = world;
  const tally = Tally.of(world);
  const T = scenario.polling.intervalMs;
  const σ = world.serviceMs;
  const wait = kind === "long-polling" ? Math.min(scenario.longPolling.waitMs, MAX_WAIT_MS) : 0;
  const { baseMs, capMs } = backoffOf(scenario);
  const backoff = new BackoffDraws(scenario.seed, baseMs, capMs);
  const query = queryLength(world, kind);
  // The provider's own rule, run on scenario time (speed 1) with the shop as its one client.
  const gate = new ApiRule(scenario.seed, scenario.provider.rateLimitPerSecond, scenario.faults.api, 1, () => 0);

  const message = new Uint32Array(n).fill(FIRST_MESSAGE);
  const slot = new Float64Array(n);
  const errorsInRow = new Uint8Array(n);
  const steps = new Uint16Array(n);
  const hasEtag = new Uint8Array(n);
  const answer = new Uint16Array(n);
  const retryAfterMs = new Float64Array(n);
  /** The answer's bytes, counted when it reaches the shop: an answer still on its way at the end was never written. */
  const answerBytes = new Float64Array(n);

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
      tally.requests[i]!++;
      tally.c2pBytes += pollRequestBytes(i, query, kind === "conditional" && hasEtag[i] === 1);
      // Its fault is keyed by the request's message; every answer, a refusal included, travels back as the next one.
      const verdict = gate.decide("shop", t, i, message[i]! - 1);
      const back = world.oneWay(i, message[i]!++);
      if (verdict === GateVerdict.rateLimited) {
        tally.errors.rateLimited++;
        answerBytes[i] = rateLimitedBytes(gate.retryAfterSeconds);
        answer[i] = 429;
        retryAfterMs[i] = gate.retryAfterSeconds * 1000;
        queue.push(t + back, ANSWER, i);
        continue;
      }
      const read = t + gate.extraMs;
      if (verdict === GateVerdict.failed) {
        tally.errors.server++;
        answerBytes[i] = API_ERROR_BYTES;
        answer[i] = 500;
        retryAfterMs[i] = 0;
        queue.push(read + back, ANSWER, i);
        continue;
      }
      const served = read + σ;
      const s = settleAt[i]!;
      let replyAt = served;
      let settled = served >= s;
      if (!settled && wait > 0) {
        settled = s <= served + wait;
        replyAt = settled ? s : served + wait;
        tally.held.add(served, replyAt);
      }
      const outcome = world.failed[i] ? Status.failed : Status.succeeded;
      if (settled) {
        answer[i] = TERMINAL;
        answerBytes[i] = pollResponseBytes(i, outcome);
      } else if (kind === "conditional" && hasEtag[i] === 1) {
        answer[i] = NOT_MODIFIED;
        answerBytes[i] = notModifiedBytes(i);
      } else {
        answer[i] = PENDING;
        answerBytes[i] = pollResponseBytes(i, Status.pending);
      }
      queue.push(replyAt + back, ANSWER, i);
      continue;
    }

    // ANSWER: the shop reads it and decides when to ask again.
    tally.p2cBytes += answerBytes[i]!;
    const got = answer[i]!;
    if (got === TERMINAL) {
      tally.detectedAt[i] = t;
      if (++known === n) {
        tally.endedAt = t;
        break;
      }
      continue;
    }
    if (got === PENDING || got === NOT_MODIFIED) hasEtag[i] = 1;
    errorsInRow[i] = isRefusal(got) ? errorsInRow[i]! + 1 : 0;
    let next: number;
    if (kind === "polling-backoff") {
      next = t + Math.max(backoff.sleepMs(i, steps[i]!++), got === 429 ? retryAfterMs[i]! : 0);
    } else if (kind === "long-polling") {
      next = t + holdOffMs(got, retryAfterMs[i]!, errorsInRow[i]!, REFUSAL_BASE_MS);
    } else {
      const a = anchor[i]!;
      const k = (slot[i] = nextFixedSlot(a, slot[i]!, T, t + holdOffMs(got, retryAfterMs[i]!, errorsInRow[i]!, T)));
      next = a + k * T;
    }
    queue.push(next + world.oneWay(i, message[i]!++), ARRIVE, i);
  }
  // A detection is useful when it came in time; its poll is the request that brought it.
  for (let i = 0; i < n; i++) if (tally.inTime(world, i)) tally.useful++;
  return tally;
}
