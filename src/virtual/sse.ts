import { HEARTBEAT_MS } from "../api/limits.js";
import { SharedKey, streamEventMessage } from "../policy/draws.js";
import { ApiRule, GateVerdict } from "../policy/gate.js";
import { holdOffMs, REFUSAL_BASE_MS } from "../policy/polling.js";
import { Tally } from "./tally.js";
import { API_ERROR_BYTES, SSE_HEAD_BYTES, SSE_HEARTBEAT_BYTES, SSE_REQUEST_BYTES, Status, rateLimitedBytes, sseEventBytes } from "./wire.js";
import type { World } from "./world.js";

/**
 * Server-Sent Events: one stream, opened before the first payment (the run starts once the first
 * answer to `GET /events` is back), carries every settlement in order, each event one network
 * delay after it happens and never before the one ahead of it on the stream. A connection the
 * API refuses (429, an injected 500: src/policy/gate.ts) is opened again after the shared hold-off
 * (src/policy/polling.ts), as the real client does; the stream then replays what settled before it
 * opened. Each connection is one request, about no one payment; the stream is useful when it
 * brought an outcome in time. (Streams that drop are a test knob of the real provider only.)
 */
export function simulateSse(world: World): Tally {
  const { n, scenario, settleAt } = world;
  const tally = Tally.of(world);
  const gate = new ApiRule(scenario.seed, scenario.provider.rateLimitPerSecond, scenario.faults.api, 1, () => 0);
  // The connections, until one is served: the first one's answer marks the start of the run (0).
  let connection = 0;
  let answerAt = 0;
  let opened = NaN;
  let readAt = NaN;
  let errorsInRow = 0;
  for (; connection < 64; connection++) {
    const subject = SharedKey.stream + connection;
    const back = world.oneWay(subject, 1);
    // Before the first answer the run has not started: its request arrived `back` (and any injected latency) before 0,
    // when the limiter's bucket is full whatever time it is told.
    const verdict = gate.decide("shop", connection === 0 ? 0 : answerAt + world.oneWay(subject, 0), subject, 0);
    const arrive = connection === 0 ? -back - gate.extraMs : answerAt + world.oneWay(subject, 0);
    tally.c2pRequests++;
    tally.unattributed++;
    tally.histogram.add(arrive);
    tally.c2pBytes += SSE_REQUEST_BYTES;
    if (verdict === GateVerdict.pass) {
      readAt = arrive + gate.extraMs;
      opened = readAt + back;
      break;
    }
    const limited = verdict === GateVerdict.rateLimited;
    if (limited) tally.errors.rateLimited++;
    else tally.errors.server++;
    tally.p2cBytes += limited ? rateLimitedBytes(gate.retryAfterSeconds) : API_ERROR_BYTES;
    answerAt = (limited ? arrive : arrive + gate.extraMs) + back;
    errorsInRow++;
    answerAt += holdOffMs(limited ? 429 : 500, limited ? gate.retryAfterSeconds * 1000 : 0, errorsInRow, REFUSAL_BASE_MS);
  }
  let order: Uint32Array | undefined;
  if (opened === opened) {
    // Events in settlement order, each due one network delay after it happened (or with the head,
    // for what settled before the stream was read), never ahead of the one before.
    order = world.settlementOrder();
    let last = opened;
    const eventMessage = streamEventMessage(connection);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const s = settleAt[i]!;
      last = Math.max(last, s <= readAt ? opened : s + world.oneWay(i, eventMessage));
      tally.detectedAt[i] = last;
    }
  }
  const endedAt = (tally.endedAt = tally.endOfRun(world));
  tally.clip(endedAt);
  if (opened === opened && opened <= endedAt) {
    // The stream the provider holds from reading the request until the run ends.
    tally.held.add(readAt, endedAt);
    tally.p2cBytes += SSE_HEAD_BYTES + Math.floor((endedAt - opened) / HEARTBEAT_MS) * SSE_HEARTBEAT_BYTES;
    let brought = false;
    // The provider numbers events in the order it logs them: by settlement.
    for (let k = 0; k < n; k++) {
      const i = order![k]!;
      if (tally.detectedAt[i]! <= endedAt) tally.p2cBytes += sseEventBytes(i, world.failed[i] ? Status.failed : Status.succeeded, k + 1);
      if (tally.inTime(world, i)) brought = true;
    }
    if (brought) tally.useful++;
  }
  return tally;
}
