import { WebhookReceiver } from "./receiver.js";
import { UsageError } from "../errors.js";
import { emptyCount } from "../measure/meter.js";
import type { StrategyName } from "../scenario/types.js";
import type { TerminalStatus } from "../contract/events.js";
import type { ConsumerContext, Strategy } from "./types.js";

/** A registered receiver, shared by `webhook` and `hybrid`. */
export function webhookEndpoint(ctx: ConsumerContext, name: StrategyName) {
  const receiver = new WebhookReceiver({
    host: ctx.listen.host,
    port: ctx.listen.port,
    path: "/webhook",
    signature: ctx.scenario.webhook.signature,
    profile: ctx.scenario.profile,
    clock: ctx.clock,
    script: ctx.deliveryScript,
    // Refused and failed deliveries are requests too (the receiver counts them): views count them as the result does.
    onReject: (reason, status) => ctx.emit?.({ kind: "refused", strategy: name, at: ctx.clock.now(), status, reason }),
    onOutage: (status) => ctx.emit?.({ kind: "refused", strategy: name, at: ctx.clock.now(), status, reason: "outage" }),
    stampArrivals: true,
    onDelivery({ event, at, duplicate, stale }) {
      const id = event.data.id;
      ctx.emit?.({ kind: "delivery", strategy: name, id, at, status: 204, type: event.type, duplicate, durationMs: 0 });
      const status = event.data.status;
      // Never let a repeated or older event regress what is already known.
      if (!duplicate && !stale && (status === "succeeded" || status === "failed") && !ctx.isDetected(id)) ctx.detect(id, status as TerminalStatus, at);
    },
  });
  return {
    receiver,
    async register(): Promise<void> {
      const url = await receiver.start();
      const started = ctx.clock.now();
      const res = await ctx.api.request({
        method: "POST",
        path: "/webhook-endpoints",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      const body = (await res.body.json()) as { secret?: string };
      const at = ctx.clock.now();
      ctx.emit?.({ kind: "register", strategy: name, at, status: res.statusCode, durationMs: at - started });
      if (res.statusCode !== 201 || !body.secret) throw new Error(`registering the webhook endpoint failed with HTTP ${res.statusCode}`);
      receiver.setSecret(body.secret);
    },
    stats: () => ({
      received: { ...receiver.received },
      arrivals: receiver.meter.arrivals(),
      duplicates: receiver.duplicates,
      rejected: receiver.rejectedTotal,
      rejectedByReason: { ...receiver.rejected },
      outOfOrder: receiver.outOfOrder,
      stale: receiver.stale,
      receivedByPayment: new Map(receiver.byPayment),
    }),
  };
}

/**
 * Being told: a local receiver registered with the provider. The provider POSTs a signed event
 * the moment a payment settles; the receiver verifies it and answers 204 at once.
 */
export function createWebhook(ctx: ConsumerContext): Strategy {
  if (ctx.external) return externalWebhook(ctx, ctx.external.url);
  const endpoint = webhookEndpoint(ctx, "webhook");
  return {
    name: "webhook",
    prepare: () => endpoint.register(),
    track() {},
    stop: () => endpoint.receiver.stop(),
    stats: endpoint.stats,
  };
}

/**
 * `compare --webhook-url`: the user's receiver, registered with the provider, which signs with the
 * user's secret. Nothing listens here: the run learns an outcome when the provider's delivery of
 * it is acknowledged with a 2xx (src/run/strategy-run.ts), and counts the deliveries as the
 * provider sent them.
 */
function externalWebhook(ctx: ConsumerContext, url: string): Strategy {
  return {
    name: "webhook",
    async prepare() {
      const started = ctx.clock.now();
      const res = await ctx.api.request({ method: "POST", path: "/webhook-endpoints", headers: { "content-type": "application/json" }, body: JSON.stringify({ url }) });
      const body = (await res.body.json().catch(() => ({}))) as { error?: { message?: string } };
      const at = ctx.clock.now();
      ctx.emit?.({ kind: "register", strategy: "webhook", at, status: res.statusCode, durationMs: at - started });
      // The answer carries the secret: never printed, not even in this error.
      if (res.statusCode !== 201) throw new UsageError(`--webhook-url refused by the provider (HTTP ${res.statusCode}): ${String(body.error?.message ?? "").slice(0, 200)}`);
    },
    track() {},
    async stop() {},
    stats: () => ({ received: emptyCount(), duplicates: 0, rejected: 0 }),
  };
}
