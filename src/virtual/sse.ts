import { HEARTBEAT_MS } from "../api/limits.js";
import { Tally } from "./tally.js";
import { SSE_HEAD_BYTES, SSE_HEARTBEAT_BYTES, SSE_REQUEST_BYTES, Status, sseEventBytes } from "./wire.js";
import { FIRST_MESSAGE, type World } from "./world.js";

/**
 * Server-Sent Events on a clean API: one stream, opened before the first payment, carries every
 * settlement one network delay after it happens. (The real provider writes stream frames without
 * its simulated delay, so with `latency` set the real run reports about d less than this; with
 * the default latency of 0 they agree.) One request, useful when it brought any outcome.
 */
export function simulateSse(world: World): Tally {
  const tally = new Tally(world.n);
  for (let i = 0; i < world.n; i++) tally.detectedAt[i] = world.settleAt[i]! + world.oneWay(i, FIRST_MESSAGE);
  const endedAt = (tally.endedAt = tally.endOfRun(world));
  tally.clip(endedAt);
  // One stream, opened before the first payment and held until the run ends.
  tally.c2pRequests = 1;
  tally.histogram.add(0);
  tally.held.add(0, endedAt);
  tally.c2pBytes = SSE_REQUEST_BYTES;
  tally.p2cBytes = SSE_HEAD_BYTES + Math.floor(endedAt / HEARTBEAT_MS) * SSE_HEARTBEAT_BYTES;
  let brought = false;
  for (let i = 0; i < world.n; i++) {
    if (world.settleAt[i]! <= endedAt) tally.p2cBytes += sseEventBytes(i, world.failed[i] ? Status.failed : Status.succeeded);
    if (tally.detectedAt[i]! === tally.detectedAt[i]!) brought = true;
  }
  tally.useful = brought ? 1 : 0;
  return tally;
}
