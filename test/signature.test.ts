import { afterEach, describe, expect, it } from "vitest";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";
import { request } from "undici";
import { startProvider, type Provider } from "../src/provider/server.js";
import { generateSecret, signStandard, signStripe, standardKey } from "../src/webhooks/signature.js";
import type { SignatureFormat } from "../src/scenario/types.js";
import { WebhookReceiver, type Delivery } from "../src/strategies/receiver.js";
import { monotonicClock } from "../src/measure/clock.js";
import { json, recordingServer, until } from "./helpers/http.js";
import { fastScenario, run } from "./helpers/run.js";
import { providerOptions } from "./helpers/provider.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function deliverOne(signature: SignatureFormat) {
  const receiver = await recordingServer();
  cleanups.push(receiver.close);
  const base = providerOptions("fixed(20ms)", {}, 3);
  const provider: Provider = await startProvider({ ...base, webhook: { ...base.webhook, signature } });
  cleanups.push(() => provider.close());
  const endpoint = await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
  await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
  await until(() => receiver.deliveries.length === 1);
  return { secret: endpoint.body.secret as string, ...receiver.deliveries[0]! };
}

describe("deliveries verify with the independent libraries", () => {
  it("stripe format: stripe.webhooks.constructEvent accepts the delivery and refuses a tampered body", async () => {
    const { secret, headers, body } = await deliverOne("stripe");
    const header = headers["stripe-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // Only what Stripe sends: its signature and the content type, no Standard Webhooks headers.
    expect(Object.keys(headers).filter((h) => h.startsWith("webhook-") || h.startsWith("apiwh"))).toEqual([]);
    const stripe = new Stripe("sk_test_apiwh");
    const event = stripe.webhooks.constructEvent(body, header, secret) as unknown as { id: string; type: string; data: { id: string; status: string } };
    // The event names itself in the body, first, as Stripe's do: what a receiver dedupes on.
    expect(event.id).toMatch(/^evt_\d+$/);
    expect(body.startsWith(`{"id":"${event.id}",`)).toBe(true);
    expect(event.type).toBe("payment.succeeded");
    expect(event.data).toMatchObject({ id: "pay_1", status: "succeeded" });
    expect(() => stripe.webhooks.constructEvent(body.replace("succeeded", "failed"), header, secret)).toThrow();
  });

  it("standard-webhooks format: the reference library verifies it", async () => {
    const { secret, headers, body } = await deliverOne("standard-webhooks");
    expect((new Webhook(secret).verify(body, headers as Record<string, string>) as { type: string }).type).toBe("payment.succeeded");
    expect(headers["webhook-id"]).toMatch(/^evt_\d+$/);
    expect(headers["stripe-signature"]).toBeUndefined();
    expect(JSON.parse(body)).not.toHaveProperty("id");
  });
});

describe("the receiver refuses what does not verify, counts it, and keeps going", () => {
  const event = { type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: "pay_1", status: "succeeded" } };
  const body = JSON.stringify(event);
  // A Stripe event carries its id in the body, and sends no id header.
  const stripeBody = (id: string) => JSON.stringify({ id, ...event });

  async function receiver(signature: SignatureFormat) {
    const deliveries: Delivery[] = [];
    const r = new WebhookReceiver({ host: "127.0.0.1", port: 0, path: "/webhook", signature, clock: monotonicClock, onDelivery: (d) => deliveries.push(d) });
    const url = await r.start();
    cleanups.push(() => r.stop());
    const secret = generateSecret();
    r.setSecret(secret);
    const post = async (headers: Record<string, string>, payload = body) => {
      const res = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });
      await res.body.dump();
      return res.statusCode;
    };
    return { r, secret, post, deliveries };
  }

  it.each(["standard-webhooks", "stripe"] as const)("%s: tampered body and stale timestamp → 401, counted by reason; a valid delivery still passes", async (format) => {
    const { r, secret, post, deliveries } = await receiver(format);
    const now = Math.floor(Date.now() / 1000);
    const payload = format === "stripe" ? stripeBody("evt_1") : body;
    const headersFor = (ts: number, id = "evt_1"): Record<string, string> =>
      format === "stripe" ? { "stripe-signature": signStripe(secret, ts, payload) } : { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signStandard(standardKey(secret), id, ts, payload) };
    expect(await post(headersFor(now), payload.replace("succeeded", "failed"))).toBe(401);
    expect(await post(headersFor(now - 3600), payload)).toBe(401);
    expect(r.rejected).toEqual({ "bad-signature": 1, "stale-timestamp": 1 });
    expect(deliveries).toHaveLength(0);
    expect(await post(headersFor(now), payload)).toBe(204);
    expect(await post(headersFor(now), payload)).toBe(204);
    expect(deliveries.map((d) => d.duplicate)).toEqual([false, true]);
    expect(r.duplicates).toBe(1);
    expect(deliveries.map((d) => d.webhookId)).toEqual(["evt_1", "evt_1"]);
  });

  it("stripe: dedupes on the event id in the body, ignores any webhook-id header, and refuses an event without an id", async () => {
    const { r, secret, post, deliveries } = await receiver("stripe");
    const now = Math.floor(Date.now() / 1000);
    const send = (payload: string, extra: Record<string, string> = {}) => post({ "stripe-signature": signStripe(secret, now, payload), ...extra }, payload);
    expect(await send(stripeBody("evt_1"), { "webhook-id": "evt_A" })).toBe(204);
    // Same payment and type, another event: not a duplicate; a header naming the first one changes nothing.
    expect(await send(stripeBody("evt_2"), { "webhook-id": "evt_A" })).toBe(204);
    expect(await send(stripeBody("evt_1"))).toBe(204);
    expect(deliveries.map((d) => [d.webhookId, d.duplicate])).toEqual([
      ["evt_1", false],
      ["evt_2", false],
      ["evt_1", true],
    ]);
    expect(await send(body)).toBe(400);
    expect(r.rejected).toEqual({ malformed: 1 });
  });

  it("never lets an older event regress what is known", async () => {
    const { r, secret, post, deliveries } = await receiver("standard-webhooks");
    const now = Math.floor(Date.now() / 1000);
    const send = (id: string, status: string, at: Date) => {
      const payload = JSON.stringify({ type: `payment.${status}`, timestamp: at.toISOString(), data: { id: "pay_9", status } });
      return post({ "webhook-id": id, "webhook-timestamp": String(now), "webhook-signature": signStandard(standardKey(secret), id, now, payload) }, payload);
    };
    expect(await send("evt_2", "succeeded", new Date())).toBe(204);
    expect(await send("evt_1", "pending", new Date(Date.now() - 1000))).toBe(204);
    expect(deliveries.map((d) => d.stale)).toEqual([false, true]);
    expect(r.stale).toBe(1);
    expect(r.outOfOrder).toBe(1);
  });
});

describe("a whole run in stripe format", () => {
  it("the webhook strategy verifies every delivery and rejects none", async () => {
    const { result } = await run(fastScenario((s) => (s.webhook.signature = "stripe")), "webhook");
    expect(result.payments.missed).toBe(0);
    expect(result.errors.rejected).toBe(0);
    expect(result.deliveries.succeeded).toBe(10);
  }, 20_000);
});
