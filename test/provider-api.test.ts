import { afterEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { startProvider, type Provider, type ProviderOptions } from "../src/provider/server.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { Stream } from "../src/scenario/random.js";
import { FIRST_MESSAGE, KeyedDraws } from "../src/policy/draws.js";
import { providerOptions } from "./helpers/provider.js";
import { json, until } from "./helpers/http.js";

function options(overrides: Partial<ProviderOptions> = {}): ProviderOptions {
  return providerOptions("fixed(60ms)", { ...overrides }, 7);
}

let provider: Provider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function create(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await json(`${provider!.url}/payments`, { method: "POST", body: { amount: 100 + i, currency: "usd" } });
}

describe("conditional reads", () => {
  it("sends an ETag and answers a matching If-None-Match with 304 and no body, then 200 once settled", async () => {
    // Both reads must come before settlement: on loopback they take a few ms, and more than the
    // usual 60 ms was seen with the load average near 8 on two cores, so this payment takes 1 s.
    provider = await startProvider(options({ settlement: { seed: 7, delay: parseDistribution("fixed(1s)"), failureRate: 0 } }));
    await create();
    const first = await request(`${provider.url}/payments/pay_1`);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(((await first.body.json()) as { status: string }).status).toBe("pending");
    const again = await request(`${provider.url}/payments/pay_1`, { headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect(await again.body.text()).toBe("");
    await until(() => provider!.snapshot().settledAt.every((t) => !Number.isNaN(t)));
    const changed = await request(`${provider.url}/payments/pay_1`, { headers: { "if-none-match": etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(((await changed.body.json()) as { status: string }).status).toBe("succeeded");
    const { exchanges } = provider.snapshot();
    expect(exchanges.poll!.requests).toBe(3);
  });
});

describe("long polling", () => {
  it("holds a pending payment until it settles and answers once", async () => {
    provider = await startProvider(options());
    await create();
    const res = await json(`${provider.url}/payments/pay_1?wait=5s`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("succeeded");
    expect(provider.snapshot().exchanges.poll!.requests).toBe(1);
  });

  it("answers pending when the wait ends first", async () => {
    provider = await startProvider(options({ settlement: { seed: 7, delay: parseDistribution("fixed(10s)"), failureRate: 0 } }));
    await create();
    const res = await json(`${provider.url}/payments/pay_1?wait=20ms`);
    expect(res.body.status).toBe("pending");
  });

  it.each(["soon", "-1s", "5 parsecs"])("refuses wait=%s with a 400 naming the parameter", async (wait) => {
    provider = await startProvider(options());
    await create();
    const res = await json(`${provider.url}/payments/pay_1?wait=${encodeURIComponent(wait)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("wait");
  });
});

describe("listing for reconciliation", () => {
  it("filters by status and updated_since and pages with starting_after", async () => {
    provider = await startProvider(options());
    const since = new Date(Date.now() - 1).toISOString();
    await create(5);
    await until(() => provider!.snapshot().settledAt.every((t) => !Number.isNaN(t)));
    const pending = await json(`${provider.url}/payments?status=pending`);
    expect(pending.body).toMatchObject({ object: "list", data: [], has_more: false });
    const page1 = await json(`${provider.url}/payments?status=succeeded,failed&updated_since=${since}&limit=2`);
    expect(page1.body.data.map((p: { id: string }) => p.id)).toEqual(["pay_1", "pay_2"]);
    expect(page1.body.has_more).toBe(true);
    const page3 = await json(`${provider.url}/payments?status=succeeded&limit=2&starting_after=pay_4`);
    expect(page3.body.data.map((p: { id: string }) => p.id)).toEqual(["pay_5"]);
    expect(page3.body.has_more).toBe(false);
    const later = await json(`${provider.url}/payments?updated_since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(later.body.data).toEqual([]);
    expect(provider.snapshot().exchanges.list!.requests).toBe(4);
  });

  it.each([
    ["status=done", "status"],
    ["updated_since=yesterday", "updated_since"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["starting_after=pay_99", "starting_after"],
  ])("?%s → 400 naming %s", async (query, field) => {
    provider = await startProvider(options());
    const res = await json(`${provider.url}/payments?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
  });
});

describe("event stream", () => {
  async function readEvents(url: string, headers: Record<string, string>, until: (text: string) => boolean): Promise<string> {
    const controller = new AbortController();
    const res = await request(`${url}/events`, { headers, signal: controller.signal });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/event-stream");
    let text = "";
    try {
      for await (const chunk of res.body) {
        text += chunk;
        if (until(text)) break;
      }
    } finally {
      controller.abort();
    }
    return text;
  }

  it("sends an id per event, heartbeats, and replays from Last-Event-ID", async () => {
    // speed 1000: the 15 s heartbeat comes every 15 ms of wall time.
    provider = await startProvider(options({ speed: 1000, settlement: { seed: 7, delay: parseDistribution("fixed(60ms)"), failureRate: 0 } }));
    await create(3);
    await until(() => provider!.snapshot().settledAt.every((t) => !Number.isNaN(t)));
    const all = await readEvents(provider.url, {}, (t) => (t.match(/^id: /gm) ?? []).length === 3 && t.includes(": heartbeat"));
    expect(all.match(/^id: (\d+)$/gm)).toEqual(["id: 1", "id: 2", "id: 3"]);
    expect(all).toMatch(/event: payment\.succeeded\ndata: \{"id":"pay_1"/);
    const rest = await readEvents(provider.url, { "last-event-id": "2" }, (t) => t.includes("id: 3"));
    expect(rest.match(/^id: (\d+)$/gm)).toEqual(["id: 3"]);
    await until(() => provider!.snapshot().exchanges.events!.requests === 2);
    expect(provider.snapshot().exchanges.events!.bytesOut).toBeGreaterThan(all.length + rest.length);
  });

  it("refuses a malformed Last-Event-ID with 400", async () => {
    provider = await startProvider(options());
    const res = await json(`${provider.url}/events`, { headers: { "last-event-id": "abc" } });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("Last-Event-ID");
  });
});

describe("rate limit and API faults", () => {
  it("answers 429 with Retry-After once a client's bucket is empty, and counts them", async () => {
    provider = await startProvider(options({ rateLimitPerSecond: 5 }));
    await create();
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const res = await request(`${provider.url}/payments/pay_1`);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = res.headers["retry-after"] as string;
      await res.body.dump();
    }
    const elapsedMs = performance.now() - started;
    // The bucket starts with one second's worth (5) and gains a token every 200 ms, so however
    // slow the machine, the first 5 pass and at most 5 + ⌊elapsed / 200 ms⌋ of the 20 do. The 20
    // take a few ms on loopback; only past 3 s could every one of them be granted.
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const granted = statuses.filter((s) => s === 200).length;
    expect(granted).toBeLessThanOrEqual(5 + Math.floor(elapsedMs / 200));
    expect(granted + statuses.filter((s) => s === 429).length).toBe(20);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(provider.snapshot().apiErrors.rateLimited).toBe(20 - granted);
  });

  it("fails exactly the reads the seed prescribes", async () => {
    const errorRate = 0.3;
    provider = await startProvider(options({ faults: { webhook: { downtime: [], failureRate: 0, duplicateRate: 0, reorder: false, delay: null }, api: { errorRate, latency: parseDistribution("uniform(0ms, 2ms)") } } }));
    await create();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await request(`${provider.url}/payments/pay_1`);
      statuses.push(res.statusCode);
      await res.body.dump();
    }
    // The k-th poll of pay_1 (payment 0) is its message 2 + 2k (src/policy/draws.ts); its fault is drawn from that key.
    const draws = new KeyedDraws(7, Stream.apiFault);
    const prescribed = statuses.map((_, k) => (draws.rng(0, FIRST_MESSAGE + 2 * k).next() < errorRate ? 500 : 200));
    expect(statuses).toEqual(prescribed);
    expect(provider.snapshot().apiErrors.server).toBe(prescribed.filter((s) => s === 500).length);
  });
});
