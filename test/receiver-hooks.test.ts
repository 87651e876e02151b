import { afterEach, describe, expect, it } from "vitest";
import { monotonicClock } from "../src/measure/clock.js";
import { WebhookReceiver, type Delivery } from "../src/strategies/receiver.js";
import { generateSecret, signStandard, standardKey } from "../src/webhooks/signature.js";
import { rawExchange } from "./helpers/raw.js";

// Issue 13, S5: no request changes what the receiver does before it verifies. A barrage of every
// kind of unverified request (the old fault header, warm-up markers, OPTIONS anywhere, forged and
// unsigned deliveries) must leave it answering a run of genuine deliveries exactly as a fresh
// receiver does.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function request(method: string, target: string, headers: Record<string, string>, body = ""): string {
  const lines = Object.entries({ host: "x", "content-length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

async function receiver(secret: string) {
  const deliveries: Delivery[] = [];
  const r = new WebhookReceiver({ host: "127.0.0.1", port: 0, path: "/webhook", signature: "standard-webhooks", clock: monotonicClock, onDelivery: (d) => deliveries.push(d) });
  const port = Number(new URL(await r.start()).port);
  cleanups.push(() => r.stop());
  r.setSecret(secret);
  return { r, port, deliveries };
}

const event = (id: string, status: string, at: number) => JSON.stringify({ type: `payment.${status}`, timestamp: new Date(at).toISOString(), data: { id, status } });

describe("no request changes the receiver before verification", () => {
  it("after a barrage of unverified requests, genuine deliveries are answered and processed as by a fresh receiver", async () => {
    const secret = generateSecret();
    const key = standardKey(secret);
    const now = Math.floor(Date.now() / 1000);
    const signed = (id: string, body: string, extra: Record<string, string> = {}) =>
      request("POST", "/webhook", { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(now), "webhook-signature": signStandard(key, id, now, body), ...extra }, body);
    const t = Date.now();
    // Genuine deliveries: a new event, its duplicate, an older (stale) event for the same payment, another payment.
    const genuine = [signed("evt_1", event("pay_1", "succeeded", t)), signed("evt_1", event("pay_1", "succeeded", t)), signed("evt_2", event("pay_1", "pending", t - 1000)), signed("evt_3", event("pay_2", "failed", t))];
    const hooks = { "apiwh-fault": "503", "x-apiwh-fault": "500", "apiwh-warm-up": "1", "apiwh-script": "fail" };
    const body = event("pay_1", "failed", t + 5000);
    const barrage = [
      request("OPTIONS", "/webhook", hooks),
      request("OPTIONS", "/anywhere", hooks),
      request("OPTIONS", "*", hooks),
      request("HEAD", "/webhook", hooks),
      request("GET", "/webhook?fault=503", hooks),
      request("POST", "/webhook", { "content-type": "application/json", "webhook-id": "evt_1", ...hooks }, body),
      request("POST", "/webhook", { "content-type": "application/json", "webhook-id": "evt_1", "webhook-timestamp": String(now), "webhook-signature": "v1,AAAA", ...hooks }, body),
      // Signed with another secret, with the id of an event still to come: it must not mark evt_3 seen.
      request("POST", "/webhook", { "content-type": "application/json", "webhook-id": "evt_3", "webhook-timestamp": String(now), "webhook-signature": signStandard(standardKey(generateSecret()), "evt_3", now, body), ...hooks }, body),
      request("POST", "/webhook", { "content-type": "text/plain", ...hooks }, "503"),
    ];

    const fresh = await receiver(secret);
    const freshAnswers = [];
    for (const g of genuine) freshAnswers.push((await rawExchange(fresh.port, [g])).status);

    const probed = await receiver(secret);
    for (const b of barrage) await rawExchange(probed.port, [b], { headOnly: true });
    expect(probed.deliveries).toEqual([]);
    expect(probed.r.outages).toBe(0);
    const answers = [];
    for (const g of genuine) answers.push((await rawExchange(probed.port, [g])).status);

    expect(freshAnswers).toEqual([204, 204, 204, 204]);
    expect(answers).toEqual(freshAnswers);
    const shape = (ds: Delivery[]) => ds.map((d) => [d.webhookId, d.duplicate, d.stale, d.event.data.id, d.event.data.status]);
    expect(shape(probed.deliveries)).toEqual(shape(fresh.deliveries));
    expect([probed.r.duplicates, probed.r.stale, probed.r.outages]).toEqual([fresh.r.duplicates, fresh.r.stale, fresh.r.outages]);
    // Every request of the barrage but the OPTIONS on the receiver's own path was refused and counted.
    expect(probed.r.rejectedTotal).toBe(barrage.length - 1);
  });
});
