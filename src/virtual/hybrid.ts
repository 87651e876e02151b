import { OVERLAP_WALL_MS, PAGE_LIMIT } from "../api/reconcile.js";
import { ApiRule, GateVerdict } from "../policy/gate.js";
import { SharedKey } from "../policy/draws.js";
import { inTime } from "../policy/outcome.js";
import { Tally } from "./tally.js";
import { countRegistration, WebhookWalker } from "./webhook.js";
import { API_ERROR_BYTES, Status, listRequestBytes, listResponseBytes, paymentViewBytes, rateLimitedBytes } from "./wire.js";
import { MinHeap } from "../util/heap.js";
import type { World } from "./world.js";


/** What the provider answered a list page. */
export const PageAnswer = { ok: 0, rateLimited: 1, serverError: 2 } as const;

/** One `GET /payments?status=succeeded,failed&updated_since=…` page of a reconciliation pass. */
export interface ListPage {
  /** Scenario ms when the request reaches the provider (it is counted from then) and when its answer reaches the shop. */
  arriveAt: number;
  answerAt: number;
  answer: number;
  /** Payments listed (0 unless ok), and whether the page first listed an outcome the webhook had not brought by answerAt. */
  listed: number;
  useful: boolean;
  c2pBytes: number;
  p2cBytes: number;
}

/**
 * The reconciliation passes of `hybrid` up to `horizon`, as src/strategies/hybrid.ts runs them:
 * the first pass `reconcileEvery` after the start, each next one `reconcileEvery` after the
 * previous pass's last answer (the real client re-arms its timer when a pass ends). A pass lists
 * the payments in a terminal status updated since the previous complete pass started, less the
 * one-second wall-time overlap (`speed` seconds of scenario time), page after page in creation
 * order while `has_more`. Each page is evaluated when it reaches the provider, so a payment
 * settling mid-pass shows up in a later page if its id is past the cursor. A refused page (429,
 * injected 500) ends the round; the next round resumes the pass from the same cursor and window,
 * as the real client does.
 *
 * `hooked[i]` is when the webhook first brought payment i (NaN: never); `listedAt[i]` is filled
 * with the answer time of the first page listing it. Pages go one at a time, so the k-th page is
 * the k-th read request the provider sees, and draws the k-th API fault, as in the real run.
 *
 * Settled payments are kept sorted by settlement time; a pass holds the window it lists in a
 * min-heap of ids, so a page costs O(limit · log window), not a scan of every payment.
 */
export function reconcile(world: World, hooked: Float64Array, horizon: number, listedAt: Float64Array): ListPage[] {
  const { n, scenario, settleAt } = world;
  const every = scenario.hybrid.reconcileEveryMs;
  const overlap = OVERLAP_WALL_MS * scenario.speed;
  const σ = world.serviceMs;
  // The provider's own rule (src/policy/gate.ts), run on scenario time (speed 1) with the shop as its one client.
  const gate = new ApiRule(scenario.seed, scenario.provider.rateLimitPerSecond, scenario.faults.api, 1, () => 0);

  const order = world.settlementOrder();
  // The pass's window, keyed by payment index: pages list in creation order.
  const heap = new MinHeap(Math.min(n, 1024));
  const pages: ListPage[] = [];
  /** settleAt[order[k]] < lo for k < low; order[high..] have not settled by the current page's read. */
  let low = 0;
  let high = 0;
  let since = 0;
  let leave = every;
  // A pass a refused page cut short resumes from its cursor next round, as the real client does.
  let cursor = -1;
  let passStart: number | null = null;
  for (;;) {
    if (leave > horizon) break;
    const lo = since - overlap;
    while (low < n && settleAt[order[low]!]! < lo) low++;
    // The pass's window so far: everything settled since `lo`, up to the last read.
    heap.clear();
    if (high < low) high = low;
    for (let k = low; k < high; k++) if (order[k]! > cursor) heap.push(order[k]!);
    let complete = true;
    passStart ??= leave;
    let t = leave;
    for (;;) {
      const p = pages.length;
      // A list page is its own subject on the network (src/policy/draws.ts), as the provider keys it.
      const arrive = t + world.oneWay(SharedKey.listPage + p, 0);
      if (arrive > horizon) return pages;
      const back = world.oneWay(SharedKey.listPage + p, 1);
      const page: ListPage = { arriveAt: arrive, answerAt: arrive, answer: PageAnswer.ok, listed: 0, useful: false, c2pBytes: listRequestBytes(cursor), p2cBytes: 0 };
      pages.push(page);
      const verdict = gate.decide("shop", arrive, SharedKey.listPage + p, 0);
      let read = arrive + gate.extraMs;
      if (verdict !== GateVerdict.pass) {
        // A refused page: its answer travels back like any other.
        const limited = verdict === GateVerdict.rateLimited;
        page.answer = limited ? PageAnswer.rateLimited : PageAnswer.serverError;
        page.answerAt = (limited ? arrive : read) + back;
        page.p2cBytes = limited ? rateLimitedBytes(gate.retryAfterSeconds) : API_ERROR_BYTES;
        t = page.answerAt;
        complete = false;
        break;
      }
      read += σ;
      while (high < n && settleAt[order[high]!]! <= read) {
        const i = order[high++]!;
        if (i > cursor) heap.push(i);
      }
      const answerAt = read + back;
      let views = 0;
      let last = cursor;
      for (; views < PAGE_LIMIT && heap.size > 0; views++) {
        heap.pop();
        const i = heap.key;
        page.p2cBytes += paymentViewBytes(i, world.failed[i] ? Status.failed : Status.succeeded);
        if (listedAt[i] !== listedAt[i]) {
          listedAt[i] = answerAt;
          // Useful when it brought an outcome the webhook had not, in time.
          if (!(hooked[i]! <= answerAt) && inTime(answerAt, world.createdAt[i]!, scenario.deadlineMs)) page.useful = true;
        }
        last = i;
      }
      const hasMore = heap.size > 0;
      page.p2cBytes = listResponseBytes(page.p2cBytes, views, hasMore);
      page.listed = views;
      page.answerAt = answerAt;
      t = answerAt;
      if (!hasMore || views === 0) break;
      cursor = last;
    }
    if (complete) {
      since = passStart;
      passStart = null;
      cursor = -1;
    }
    leave = t + every;
  }
  return pages;
}

/**
 * Hybrid: the webhook as `simulateWebhook` plays it, plus the reconciliation passes. A payment is
 * known at the earlier of its first delivery and the answer of the first page listing it; a
 * payment missed still carries its webhook fate (retries exhausted, say), as the real run's
 * provider-side fates do. The passes do not depend on what the webhook brought (only the pages'
 * usefulness does), so one pass to the cutoff fixes when the run ends, and the counts are taken
 * up to then.
 */
export function simulateHybrid(world: World): Tally {
  const { n } = world;
  let tally = Tally.of(world);
  tally.fates = new Uint8Array(n);
  const hooked = new Float64Array(n);
  const listedAt = new Float64Array(n).fill(NaN);
  const walker = new WebhookWalker(world);
  // The deliveries walked and counted to the cutoff; again up to the end only if the run ends
  // before an attempt they saw (as simulateWebhook does).
  for (let i = 0; i < n; i++) hooked[i] = walker.walk(i, world.cutoff, tally);
  const pages = reconcile(world, hooked, world.cutoff, listedAt);
  for (let i = 0; i < n; i++) tally.detectedAt[i] = earlier(hooked[i]!, listedAt[i]!);
  const endedAt = tally.endOfRun(world);
  const again = walker.latest > endedAt;
  if (again) {
    tally = Tally.of(world);
    tally.fates = new Uint8Array(n);
  }
  tally.endedAt = endedAt;

  countRegistration(tally);
  for (let i = 0; i < n; i++) {
    const hook = again ? walker.walk(i, endedAt, tally) : hooked[i]!;
    const listed = listedAt[i]! <= endedAt ? listedAt[i]! : NaN;
    // A delivery is its own useful exchange when it came first, in time (the real receiver ignores a later one).
    if (hook === hook && !(listed < hook) && inTime(hook, world.createdAt[i]!, world.scenario.deadlineMs)) tally.useful++;
    tally.detectedAt[i] = earlier(hook, listed);
  }
  for (const page of pages) {
    if (page.arriveAt > endedAt) break;
    tally.c2pRequests++;
    tally.unattributed++;
    tally.histogram.add(page.arriveAt);
    tally.c2pBytes += page.c2pBytes;
    tally.p2cBytes += page.p2cBytes;
    if (page.answer === PageAnswer.rateLimited) tally.errors.rateLimited++;
    else if (page.answer === PageAnswer.serverError) tally.errors.server++;
    else if (page.useful && page.answerAt <= endedAt) tally.useful++;
  }
  return tally;
}

/** The earlier of two times, NaN standing for never; a tie goes to the first (the webhook). */
function earlier(a: number, b: number): number {
  if (b !== b) return a;
  if (a !== a) return b;
  return b < a ? b : a;
}

