import { afterEach, describe, expect, it } from "vitest";
import type { Pool } from "undici";
import { monotonicClock } from "../src/measure/clock.js";
import { generateSecret, signStandard, standardKey } from "../src/webhooks/signature.js";
import { sections } from "../src/render/rows.js";
import { REJECT_REASONS, type CompareResult, type RejectReason, type StrategyResult } from "../src/contract/result.js";
import { aggregate } from "../src/run/strategy-run.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { WebhookReceiver } from "../src/strategies/receiver.js";
import type { ConsumerContext, ConsumerStats } from "../src/strategies/types.js";
import { webhookEndpoint } from "../src/strategies/webhook.js";
import { rawExchange } from "./helpers/raw.js";
import { polling, webhook } from "./render-fixtures.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const now = () => Math.floor(Date.now() / 1000);

function post(headers: Record<string, string>, body: string, target = "/webhook", method = "POST"): string {
  const lines = Object.entries({ host: "x", "content-length": String(Buffer.byteLength(body)), ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** One request per rejection rule (bad signature twice), then a valid delivery: returns the raw requests in that order. */
function refusedThenValid(secret: string): Array<{ request: string; reason: RejectReason | null; status: number; webhookId?: string }> {
  const key = standardKey(secret);
  const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: "pay_1", status: "succeeded" } });
  const signed = (id: string, payload = body, timestamp = now()) => ({ "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signStandard(key, id, timestamp, payload) });
  const wrongKey = standardKey(generateSecret());
  return [
    { request: post({ ...signed("evt_1"), "webhook-signature": signStandard(wrongKey, "evt_1", now(), body) }, body), reason: "bad-signature", status: 401, webhookId: "evt_1" },
    { request: post({ ...signed("evt_2"), "webhook-signature": "v1,AAAA" }, body), reason: "bad-signature", status: 401, webhookId: "evt_2" },
    { request: post({ "content-type": "application/json" }, body), reason: "missing-headers", status: 401 },
    { request: post(signed("evt_3", body, now() - 3600), body), reason: "stale-timestamp", status: 401, webhookId: "evt_3" },
    { request: post(signed("evt_4", "{not json"), "{not json"), reason: "malformed", status: 400, webhookId: "evt_4" },
    { request: post({ "content-type": "application/json", "content-length": String(2 * 1024 * 1024) }, "").replace(/content-length: 0\r\n/, ""), reason: "too-large", status: 413 },
    { request: post({ ...signed("evt_5"), "content-type": "text/plain" }, body), reason: "wrong-type", status: 415, webhookId: "evt_5" },
    { request: post(signed("evt_6"), body, "/elsewhere"), reason: "not-found", status: 404, webhookId: "evt_6" },
    { request: post(signed("evt_7"), body, "/webhook", "PUT"), reason: "bad-method", status: 405, webhookId: "evt_7" },
    { request: post(signed("evt_8"), body), reason: null, status: 204, webhookId: "evt_8" },
  ];
}

describe("rejections by reason", () => {
  it("the receiver calls onReject once per refused request with its reason, status and webhook-id, and counts it; a valid delivery still passes", async () => {
    const calls: Array<[RejectReason, number, string | undefined]> = [];
    const outages: Array<[number, string | undefined]> = [];
    let delivered = 0;
    const receiver = new WebhookReceiver({
      host: "127.0.0.1",
      port: 0,
      path: "/webhook",
      signature: "standard-webhooks",
      clock: monotonicClock,
      onDelivery: () => delivered++,
      onReject: (...args) => calls.push(args),
      // Plays the fault plan's outage for one event, as the runner's script would.
      script: (_event, webhookId) => (webhookId === "evt_9" ? 503 : undefined),
      onOutage: (...args) => outages.push(args),
    });
    const port = Number(new URL(await receiver.start()).port);
    stops.push(() => receiver.stop());
    const secret = generateSecret();
    receiver.setSecret(secret);
    const cases = refusedThenValid(secret);
    for (const c of cases) expect((await rawExchange(port, [c.request])).status, c.request.slice(0, 60)).toBe(c.status);
    // A delivery the fault plan scripts as an outage is not a rejection: it verified, and is answered 503 unprocessed.
    const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: "pay_2", status: "succeeded" } });
    const ts = now();
    const signed = { "content-type": "application/json", "webhook-id": "evt_9", "webhook-timestamp": String(ts), "webhook-signature": signStandard(standardKey(secret), "evt_9", ts, body) };
    expect((await rawExchange(port, [post(signed, body)])).status).toBe(503);

    const refused = cases.filter((c) => c.reason !== null);
    expect(calls).toEqual(refused.map((c) => [c.reason, c.status, c.webhookId]));
    expect(outages).toEqual([[503, "evt_9"]]);
    expect(delivered).toBe(1);
    expect(receiver.rejected).toEqual({ "bad-signature": 2, "missing-headers": 1, "stale-timestamp": 1, malformed: 1, "too-large": 1, "wrong-type": 1, "not-found": 1, "bad-method": 1 });
    expect(receiver.rejectedTotal).toBe(9);
  });

  it("the webhook strategy's stats carry them, and aggregate() lists every reason, 0 for those not seen, in errors.rejectedByReason", async () => {
    const scenario = defaultScenario();
    const ctx = { scenario, clock: monotonicClock, listen: { host: "127.0.0.1", port: 0 }, api: undefined as unknown as Pool, providerUrl: "", detect() {}, isDetected: () => false } satisfies ConsumerContext;
    const endpoint = webhookEndpoint(ctx, "webhook");
    const port = Number(new URL(await endpoint.receiver.start()).port);
    stops.push(() => endpoint.receiver.stop());
    const secret = generateSecret();
    endpoint.receiver.setSecret(secret);
    const [badSignature, , missing, stale] = refusedThenValid(secret);
    for (const c of [badSignature!, missing!, stale!, badSignature!]) await rawExchange(port, [c.request]);

    const stats: ConsumerStats = endpoint.stats();
    expect(stats.rejected).toBe(4);
    expect(stats.rejectedByReason).toEqual({ "bad-signature": 2, "missing-headers": 1, "stale-timestamp": 1 });
    const result = aggregate(scenario, "webhook", { t0: 0, endedAt: 1, stats, detectedAt: new Map(), detectedStatus: new Map(), details: false });
    expect(result.errors.rejected).toBe(4);
    expect(result.errors.rejectedByReason).toEqual({ "bad-signature": 2, "missing-headers": 1, "stale-timestamp": 1, malformed: 0, "too-large": 0, "wrong-type": 0, "not-found": 0, "bad-method": 0 });
  });

  it("aggregate() leaves rejectedByReason out when nothing was rejected, with or without a receiver", () => {
    const gathered = { t0: 0, endedAt: 1, detectedAt: new Map(), detectedStatus: new Map(), details: false };
    const polling = aggregate(defaultScenario(), "polling", gathered);
    const clean = aggregate(defaultScenario(), "webhook", { ...gathered, stats: { received: { requests: 3, bytesIn: 1, bytesOut: 1 }, duplicates: 0, rejected: 0, rejectedByReason: {} } });
    for (const result of [polling, clean]) {
      expect(result.errors).toStrictEqual({ rateLimited: 0, server: 0, rejected: 0 });
      expect(JSON.stringify(result.errors)).not.toContain("rejectedByReason");
    }
    const one = aggregate(defaultScenario(), "hybrid", { ...gathered, stats: { received: { requests: 3, bytesIn: 1, bytesOut: 1 }, duplicates: 0, rejected: 1, rejectedByReason: { "too-large": 1 } } });
    expect(one.errors.rejectedByReason).toEqual({ ...Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])), "too-large": 1 });
  });

  it("the table's Errors section shows a row per reason only for the reasons some strategy met", () => {
    const byReason = (seen: Partial<Record<RejectReason, number>>) => ({ ...Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])), ...seen }) as Record<RejectReason, number>;
    const refusedWebhook: StrategyResult = { ...webhook, errors: { rateLimited: 0, server: 0, rejected: 3, rejectedByReason: byReason({ "bad-signature": 2, "stale-timestamp": 1 }) } };
    const quietPolling: StrategyResult = { ...polling, errors: { rateLimited: 0, server: 0, rejected: 0, rejectedByReason: byReason({}) } };
    const errorsOf = (strategies: StrategyResult[]) => sections({ strategies } as CompareResult).find((s) => s.title === "Errors");
    const errors = errorsOf([quietPolling, refusedWebhook])!;
    expect(errors.rows.map((r) => r.label)).toEqual(["rate limited (429)", "server (5xx)", "rejected deliveries", "  bad signature (401)", "  stale timestamp (401)"]);
    const plain = { bad: String, good: String, warn: String, dim: String, bold: String } as never;
    expect(errors.rows.slice(3).map((r) => [r.cell(quietPolling, plain), r.cell(refusedWebhook, plain)])).toEqual([
      ["0", "2"],
      ["0", "1"],
    ]);
    // Nothing rejected and nothing else refused: no Errors section at all, as before.
    expect(errorsOf([quietPolling])).toBeUndefined();
    // Results without the field (the virtual clock's) render as before.
    expect(errorsOf([{ ...webhook, errors: { rateLimited: 0, server: 0, rejected: 2 } }])!.rows).toHaveLength(3);
  });
});
