import { OVERLAP_WALL_MS, PAGE_LIMIT } from "../api/reconcile.js";
import type { Cancel } from "../measure/clock.js";
import { ErrorTally, isTerminal } from "./api-client.js";
import type { ConsumerContext, Strategy } from "./types.js";
import { webhookEndpoint } from "./webhook.js";


/**
 * Webhooks for speed, plus a slow reconciliation poll for certainty: every `reconcileEvery`, list
 * the payments settled since the last reconciliation (`GET /payments?status=succeeded,failed&
 * updated_since=…`, following `starting_after` while `has_more`) and take any outcome the webhooks
 * have not brought — lost to an outage, exhausted retries or a disabled endpoint.
 */
export function createHybrid(ctx: ConsumerContext): Strategy {
  const endpoint = webhookEndpoint(ctx, "hybrid");
  const tally = new ErrorTally();
  const everyWall = ctx.scenario.hybrid.reconcileEveryMs / ctx.scenario.speed;
  let cancel: Cancel | undefined;
  let stopped = false;
  let since = ctx.clock.epochMs();
  let pages = 0;

  /** Where a pass that a refused page cut short stopped, and when that pass began. */
  let resumeAfter: string | undefined;
  let passStartedWall: number | undefined;

  async function reconcile(): Promise<void> {
    passStartedWall ??= ctx.clock.epochMs();
    let after = resumeAfter;
    for (;;) {
      const query = new URLSearchParams({ status: "succeeded,failed", updated_since: new Date(since - OVERLAP_WALL_MS).toISOString(), limit: String(PAGE_LIMIT) });
      if (after) query.set("starting_after", after);
      const request = `list:${++pages}`;
      let page: { data: Array<{ id: string; status: string }>; has_more: boolean } | undefined;
      let http = 0;
      const started = ctx.clock.now();
      try {
        const res = await ctx.api.request({ method: "GET", path: `/payments?${query}` });
        http = res.statusCode;
        tally.note(res.statusCode);
        if (res.statusCode === 200) page = (await res.body.json()) as typeof page;
        else await res.body.dump();
      } catch {
        page = undefined;
      }
      if (stopped) return;
      const answered = ctx.clock.now();
      ctx.emit?.({ kind: "list", strategy: "hybrid", at: answered, status: http, durationMs: answered - started, page: pages, found: page?.data.length ?? 0 });
      if (!page) {
        // A refused page: the next round resumes the same pass from this cursor, so a tight rate
        // limit slows reconciliation down instead of pinning it to the first page for ever.
        resumeAfter = after;
        return;
      }
      const at = ctx.clock.now();
      for (const p of page.data) if (isTerminal(p.status) && !ctx.isDetected(p.id)) ctx.detect(p.id, p.status, at, request);
      if (!page.has_more || page.data.length === 0) break;
      after = page.data[page.data.length - 1]!.id;
    }
    // A complete pass moves the window: the next one lists what changed since this pass began.
    since = passStartedWall;
    passStartedWall = undefined;
    resumeAfter = undefined;
  }

  /** The next pass starts `reconcileEvery` after the previous one ended (the virtual clock does the same). */
  function tick(): void {
    cancel = ctx.clock.at(ctx.clock.now() + everyWall, async () => {
      if (stopped) return;
      await reconcile();
      if (!stopped) tick();
    });
  }

  return {
    name: "hybrid",
    async prepare() {
      await endpoint.register();
      since = ctx.clock.epochMs();
      tick();
    },
    track() {},
    async stop() {
      stopped = true;
      cancel?.();
      await endpoint.receiver.stop();
    },
    stats: () => ({ ...endpoint.stats(), rateLimited: tally.rateLimited, serverErrors: tally.server }),
  };
}
