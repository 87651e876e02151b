import { afterEach, describe, expect, it } from "vitest";
import type { DeliveryAttempt } from "../src/contract/events.js";
import { monotonicClock } from "../src/measure/clock.js";
import { startProvider, type Provider } from "../src/provider/server.js";
import { faultScript } from "../src/run/fault-script.js";
import { settlementFor, settlementRule } from "../src/scenario/plan.js";
import { WebhookReceiver, type Delivery } from "../src/strategies/receiver.js";
import { eventBody } from "../src/webhooks/event.js";
import { arrivingOutcomes } from "../src/webhooks/fault-plan.js";
import { planDeliveries } from "../src/policy/delivery.js";
import { generateSecret, signStandard, standardKey } from "../src/webhooks/signature.js";
import { json, recordingServer, until } from "./helpers/http.js";
import { providerOptions } from "./helpers/provider.js";
import { rawExchange } from "./helpers/raw.js";
import { fastScenario } from "./helpers/run.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const now = () => Math.floor(Date.now() / 1000);

function request(method: string, target: string, headers: Record<string, string>, body = ""): string {
  const lines = Object.entries({ host: "x", "content-length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

async function receiverWith(script?: (id: string) => 500 | 503 | undefined) {
  const deliveries: Delivery[] = [];
  const asked: string[] = [];
  const receiver = new WebhookReceiver({
    host: "127.0.0.1",
    port: 0,
    path: "/webhook",
    signature: "standard-webhooks",
    clock: monotonicClock,
    onDelivery: (d) => deliveries.push(d),
    script: script && ((_event, webhookId) => (asked.push(webhookId), script(webhookId))),
  });
  const port = Number(new URL(await receiver.start()).port);
  cleanups.push(() => receiver.stop());
  const secret = generateSecret();
  receiver.setSecret(secret);
  const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: "pay_1", status: "succeeded" } });
  const signed = (id: string, extra: Record<string, string> = {}) => {
    const ts = now();
    return request("POST", "/webhook", { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signStandard(standardKey(secret), id, ts, body), ...extra }, body);
  };
  return { receiver, port, deliveries, asked, signed, body };
}

describe("nothing on the wire changes the receiver before its signature verifies", () => {
  it("the old fault header is an ordinary unknown header: ignored when signed, refused 401 when not", async () => {
    const { receiver, port, deliveries, signed, body } = await receiverWith();
    expect((await rawExchange(port, [signed("evt_1", { "apiwh-fault": "503" })])).status).toBe(204);
    expect(deliveries).toHaveLength(1);
    const unsigned = request("POST", "/webhook", { "content-type": "application/json", "webhook-id": "evt_2", "apiwh-fault": "503" }, body);
    expect((await rawExchange(port, [unsigned])).status).toBe(401);
    expect(receiver.rejected).toEqual({ "missing-headers": 1 });
    expect(receiver.outages).toBe(0);
  });

  it("OPTIONS on its own path answers Allow: POST and counts nothing; elsewhere it is a 404 like any other", async () => {
    const { receiver, port, deliveries } = await receiverWith();
    const own = await rawExchange(port, [request("OPTIONS", "/webhook", {})]);
    expect(own.status).toBe(204);
    expect(own.head.toLowerCase()).toContain("allow: post");
    expect(receiver.received.requests).toBe(0);
    expect(receiver.rejectedTotal).toBe(0);
    // A marker header once made any path answer 204: now it means nothing.
    const elsewhere = await rawExchange(port, [request("OPTIONS", "/elsewhere", { "apiwh-warm-up": "1" })]);
    expect(elsewhere.status).toBe(404);
    expect(receiver.rejected).toEqual({ "not-found": 1 });
    expect(deliveries).toHaveLength(0);
  });

  it("the runner's script is asked only about deliveries that verified, and its 503 processes nothing", async () => {
    const { receiver, port, deliveries, asked, signed, body } = await receiverWith((id) => (id === "evt_1" ? 503 : undefined));
    const forged = request("POST", "/webhook", { "content-type": "application/json", "webhook-id": "evt_1", "webhook-timestamp": String(now()), "webhook-signature": "v1,AAAA" }, body);
    expect((await rawExchange(port, [forged])).status).toBe(401);
    expect(asked).toEqual([]);
    expect((await rawExchange(port, [signed("evt_1")])).status).toBe(503);
    expect(deliveries).toHaveLength(0);
    expect((await rawExchange(port, [signed("evt_2")])).status).toBe(204);
    expect(asked).toEqual(["evt_1", "evt_2"]);
    expect(receiver.outages).toBe(1);
    expect(receiver.rejected).toEqual({ "bad-signature": 1 });
    // The retried event, once the script lets it through, is processed once, not as a duplicate.
    expect(deliveries.map((d) => [d.webhookId, d.duplicate])).toEqual([["evt_2", false]]);
  });
});

describe("the runner's fault script follows the plan, arrival by arrival", () => {
  it("answers payment i's k-th arrival with the outcome of its plan's k-th arriving attempt", () => {
    const s = fastScenario((s) => {
      s.webhook.retriesMs = [0, 100, 200, 400];
      s.faults.webhook.failureRate = 0.5;
      s.faults.webhook.duplicateRate = 0.3;
      s.faults.webhook.downtime = [{ fromMs: 0, toMs: 1500, mode: "503" }];
    });
    const script = faultScript(s)!;
    const rule = settlementRule(s);
    const seen = new Set<string>();
    for (let i = 0; i < s.payments.count; i++) {
      const plan = arrivingOutcomes(planDeliveries(s.seed, s.faults.webhook, s.webhook.retriesMs, i, settlementFor(rule, i).delayMs));
      const event = JSON.parse(eventBody("standard-webhooks", `evt_${i + 1}`, { id: `pay_${i + 1}`, object: "payment", amount: 1, currency: "usd", status: "succeeded", created_at: "", updated_at: "" }));
      const answers = plan.map(() => script(event));
      expect(answers).toEqual(plan.map((o) => (o === "delivered" ? undefined : Number(o))));
      // Past the plan (a late retry, a stray re-send) the endpoint simply works.
      expect(script(event)).toBeUndefined();
      for (const o of plan) seen.add(o);
    }
    // The seed exercises all three answers.
    expect([...seen].sort()).toEqual(["500", "503", "delivered"]);
    expect(faultScript(fastScenario())).toBeUndefined();
  });
});

describe("apiwh provider plays 500 and 503 at the sender", () => {
  let provider: Provider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  it("against a receiver it does not control: scripted attempts send nothing, fail with the plan's status and are retried; the rest arrive clean", async () => {
    const receiver = await recordingServer();
    cleanups.push(receiver.close);
    const retriesMs = [0, 20, 20, 20];
    const faults = { webhook: { downtime: [], failureRate: 0.5, duplicateRate: 0, reorder: false, delay: null }, api: { errorRate: 0, latency: null } };
    const attempts: DeliveryAttempt[] = [];
    const base = providerOptions("fixed(10ms)", { faults }, 7);
    provider = await startProvider({ ...base, webhook: { ...base.webhook, retriesMs } }, (e) => {
      if (e.kind === "delivery") attempts.push(e.attempt);
    });
    await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
    const payments = 8;
    for (let i = 0; i < payments; i++) await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    // Failures are drawn per (payment, attempt), whatever the timing: the plan says exactly what happens.
    const plans = Array.from({ length: payments }, (_, i) => planDeliveries(7, faults.webhook, retriesMs, i, 0));
    const all = plans.flat();
    expect(all.filter((a) => a.outcome === "500").length).toBeGreaterThan(0);
    await until(() => attempts.length === all.length);
    const delivered = all.filter((a) => a.outcome === "delivered").length;
    await until(() => receiver.deliveries.length === delivered);
    expect(attempts.filter((a) => a.scripted).map((a) => a.status)).toEqual(Array(all.length - delivered).fill(500));
    expect(attempts.filter((a) => !a.scripted).every((a) => a.status === 200)).toBe(true);
    expect(provider.snapshot().deliveryFaults.scripted).toBe(all.length - delivered);
    expect(provider.snapshot().deliveries).toMatchObject({ attempted: all.length, succeeded: delivered, retried: all.filter((a) => a.attempt > 0).length });
    // What did arrive carries no instruction: only the format's own headers.
    for (const d of receiver.deliveries) expect(Object.keys(d.headers).filter((h) => h.startsWith("apiwh"))).toEqual([]);
  });
});
