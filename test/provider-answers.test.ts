import { afterEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { startProvider, type Provider } from "../src/provider/server.js";
import { PaymentStore } from "../src/provider/payments.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { monotonicClock } from "../src/measure/clock.js";
import { providerOptions } from "./helpers/provider.js";

// The provider serialises a payment's answer once per state change (PaymentStore.answer) and sends
// it in one write: what a poll reads must still be the payment as it is, byte for byte.

describe("PaymentStore.answer", () => {
  it("is the view's JSON with its length and ETag, reused until settlement and made anew after", async () => {
    let settled!: (index: number) => void;
    const settlement = new Promise<number>((resolve) => (settled = resolve));
    const store = new PaymentStore({ seed: 1, delay: parseDistribution("fixed(50ms)"), failureRate: 0 }, 1, monotonicClock, (i) => settled(i));
    const index = store.create(1234, "eur");
    const pending = store.answer(index);
    expect(JSON.parse(pending.json)).toEqual(store.view(index));
    expect(JSON.parse(pending.json)).toMatchObject({ id: "pay_1", status: "pending", amount: 1234, currency: "eur" });
    expect(pending.headers).toEqual(["content-type", "application/json", "content-length", String(Buffer.byteLength(pending.json)), "etag", store.etagOf(index)]);
    // The same object until the payment changes: serialised once, not per poll.
    expect(store.answer(index)).toBe(pending);
    expect(await settlement).toBe(index);
    const after = store.answer(index);
    expect(after).not.toBe(pending);
    expect(JSON.parse(after.json)).toEqual(store.view(index));
    expect(JSON.parse(after.json)).toMatchObject({ id: "pay_1", status: "succeeded" });
    expect(after.etag).toBe(store.etagOf(index));
    expect(after.etag).not.toBe(pending.etag);
    store.stop();
  });
});

describe("GET /payments/:id after a change", () => {
  let provider: Provider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  it("shows the new status, length and ETag once the payment settles, and 304 only for the version held", async () => {
    const settledAt = new Promise<void>((resolve) => {
      void startProvider(providerOptions("fixed(300ms)"), (e) => (e.kind === "settled" ? resolve() : undefined)).then((p) => (provider = p));
    });
    while (!provider) await new Promise((r) => setImmediate(r));
    const created = await request(`${provider.url}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' });
    const { id } = (await created.body.json()) as { id: string };
    const read = async (headers: Record<string, string> = {}) => {
      const res = await request(`${provider!.url}/payments/${id}`, { headers });
      const text = await res.body.text();
      return { status: res.statusCode, text, etag: res.headers.etag as string, length: Number(res.headers["content-length"]), type: res.headers["content-type"] };
    };
    const first = await read();
    const again = await read();
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ id, status: "pending" });
    expect(again).toEqual(first);
    expect(first.length).toBe(Buffer.byteLength(first.text));
    expect(first.type).toBe("application/json");
    expect((await read({ "if-none-match": first.etag })).status).toBe(304);

    await settledAt;
    const later = await read();
    expect(JSON.parse(later.text)).toMatchObject({ id, status: "succeeded" });
    expect(later.length).toBe(Buffer.byteLength(later.text));
    expect(later.etag).not.toBe(first.etag);
    // The old version is stale now: the client gets the new one, not 304.
    expect((await read({ "if-none-match": first.etag })).status).toBe(200);
    expect((await read({ "if-none-match": later.etag })).status).toBe(304);
  });
});
