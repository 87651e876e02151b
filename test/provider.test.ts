import { afterEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { ProviderEvent } from "../src/contract/events.js";
import { startProvider, type Provider, type ProviderOptions } from "../src/provider/server.js";
import { DeliveryFate } from "../src/contract/miss.js";
import { providerOptions } from "./helpers/provider.js";
import { json, recordingServer, until } from "./helpers/http.js";

function options(overrides: Partial<ProviderOptions> = {}): ProviderOptions {
  return providerOptions("fixed(30ms)", { webhook: { retriesMs: [0, 20, 20], timeoutMs: 2000, signature: "standard-webhooks" }, ...overrides }, 1);
}

let provider: Provider | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe("provider API", () => {
  it("creates a payment, shows it pending, then settled", async () => {
    provider = await startProvider(options());
    const created = await json(`${provider.url}/payments`, { method: "POST", body: { amount: 1200, currency: "usd" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: "pay_1", object: "payment", amount: 1200, currency: "usd", status: "pending" });
    expect(Date.parse(created.body.created_at)).not.toBeNaN();
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await until(() => provider!.snapshot().settledAt.some((t) => !Number.isNaN(t)));
    const polled = await json(`${provider.url}/payments/pay_1`);
    expect(polled.status).toBe(200);
    expect(polled.body.status).toBe("succeeded");
    expect(Date.parse(polled.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(polled.body.created_at));
  });

  it.each([
    ["GET", "/payments/pay_99", undefined, 404, "not_found"],
    ["GET", "/payments/nope", undefined, 404, "not_found"],
    ["POST", "/payments", { amount: -5, currency: "usd" }, 400, "invalid_request"],
    ["POST", "/payments", { amount: 1.5, currency: "usd" }, 400, "invalid_request"],
    ["POST", "/payments", { amount: 100, currency: "US Dollar" }, 400, "invalid_request"],
    ["POST", "/payments", "{not json", 400, "invalid_json"],
    ["DELETE", "/payments/pay_1", undefined, 405, "method_not_allowed"],
    ["GET", "/nowhere", undefined, 404, "not_found"],
    ["POST", "/webhook-endpoints", { url: "ftp://x" }, 400, "invalid_request"],
  ])("%s %s → %i with a JSON error", async (method, path, body, status, type) => {
    provider = await startProvider(options());
    const res = await json(`${provider.url}${path}`, { method, body });
    expect(res.status).toBe(status);
    expect(res.body.error.type).toBe(type);
    expect(typeof res.body.error.message).toBe("string");
  });

  it("refuses a non-JSON content type with 415", async () => {
    provider = await startProvider(options());
    const res = await json(`${provider.url}/payments`, { method: "POST", body: "amount=5", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
  });

  it("counts polls and registrations where they arrive, not payment creation", async () => {
    provider = await startProvider(options());
    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    for (let i = 0; i < 3; i++) await json(`${provider.url}/payments/pay_1`);
    const { exchanges } = provider.snapshot();
    expect(exchanges.poll!.requests).toBe(3);
    expect(exchanges.poll!.bytesIn).toBeGreaterThan(3 * "GET /payments/pay_1 HTTP/1.1\r\n".length);
    // Each response carries the payment JSON (> 150 bytes) plus headers.
    expect(exchanges.poll!.bytesOut).toBeGreaterThan(3 * 150);
    expect(exchanges.register).toBeUndefined();
  });
});

describe("webhook delivery", () => {
  it("registers an endpoint with a whsec_ secret of 24–64 bytes and delivers a Standard Webhooks event that the reference library verifies", async () => {
    const receiver = await recordingServer();
    cleanups.push(receiver.close);
    const events: ProviderEvent[] = [];
    provider = await startProvider(options(), (e) => events.push(e));
    const endpoint = await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body.id).toMatch(/^we_/);
    expect(endpoint.body.url).toBe(receiver.url);
    expect(endpoint.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const keyBytes = Buffer.from(endpoint.body.secret.slice(6), "base64").length;
    expect(keyBytes).toBeGreaterThanOrEqual(24);
    expect(keyBytes).toBeLessThanOrEqual(64);

    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => receiver.deliveries.length === 1);
    const { headers, body } = receiver.deliveries[0]!;
    expect(headers["webhook-id"]).toMatch(/^evt_/);
    expect(String(headers["webhook-signature"])).toMatch(/^v1,/);
    expect(Math.abs(Number(headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
    const verified = new Webhook(endpoint.body.secret).verify(body, headers as Record<string, string>) as any;
    expect(verified.type).toBe("payment.succeeded");
    expect(verified.data).toMatchObject({ id: "pay_1", object: "payment", status: "succeeded" });
    expect(Date.parse(verified.timestamp)).not.toBeNaN();

    // A tampered body fails the same verification.
    expect(() => new Webhook(endpoint.body.secret).verify(body.replace("succeeded", "failed"), headers as Record<string, string>)).toThrow();
    const settled = events.find((e) => e.kind === "settled");
    expect(settled).toBeDefined();
  });

  it("retries a failed delivery with the same webhook-id and counts attempts; 3xx is a failure", async () => {
    const receiver = await recordingServer([500, 302]);
    cleanups.push(receiver.close);
    provider = await startProvider(options());
    await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => receiver.deliveries.length === 3);
    const ids = new Set(receiver.deliveries.map((d) => d.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    await until(() => provider!.snapshot().deliveries.succeeded === 1);
    expect(provider.snapshot().deliveries).toEqual({ attempted: 3, succeeded: 1, retried: 2, exhausted: 0, dropped: 0 });
  });

  it("gives up when the schedule runs out", async () => {
    const receiver = await recordingServer([500, 500, 500, 500]);
    cleanups.push(receiver.close);
    provider = await startProvider(options());
    await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => provider!.snapshot().deliveries.exhausted === 1);
    expect(receiver.deliveries).toHaveLength(3);
    expect(provider.snapshot().deliveries).toMatchObject({ attempted: 3, succeeded: 0, retried: 2 });
  });

  it("stops delivering to an endpoint that answers 410", async () => {
    const receiver = await recordingServer([410]);
    cleanups.push(receiver.close);
    provider = await startProvider(options());
    await json(`${provider.url}/webhook-endpoints`, { method: "POST", body: { url: receiver.url } });
    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    // The provider records what became of each payment's webhook: wait for that, not for a while.
    await until(() => provider!.snapshot().fates[0] === DeliveryFate.disabled);
    await json(`${provider.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => provider!.snapshot().fates[1] === DeliveryFate.disabled);
    // The 410 disabled the endpoint: no retry of the first event, no delivery of the second.
    expect(receiver.deliveries).toHaveLength(1);
    expect(provider.snapshot().deliveries).toMatchObject({ attempted: 1, retried: 0 });
  });
});
