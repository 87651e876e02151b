import { connect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ProviderEvent } from "../src/contract/events.js";
import { DeliveryFate } from "../src/contract/miss.js";
import { MAX_BUCKETS, RateLimiter } from "../src/api/rate-limit.js";
import { startProvider, type Provider, type ProviderOptions } from "../src/provider/server.js";
import { json } from "./helpers/http.js";
import { providerOptions } from "./helpers/provider.js";
import { rawExchange } from "./helpers/raw.js";

// Issue 13, S2: what one client can make the provider hold is bounded per endpoint and per process,
// not only per source address (a loopback client may use any of 127.0.0.0/8's 16 M addresses).

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function provider(overrides: Partial<ProviderOptions>, events: ProviderEvent[] = []): Promise<Provider> {
  const p = await startProvider(providerOptions("fixed(1ms)", overrides), (e) => events.push(e));
  cleanups.push(() => p.close());
  return p;
}

/** A loopback port nothing listens on: bound, read and let go. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("delivery queues to endpoints that do not answer are bounded", () => {
  it("past an endpoint's queue, or the provider's, new events are dropped, counted, and logged once per endpoint", async () => {
    const events: ProviderEvent[] = [];
    // The second attempt is a minute away: every delivery chain stays queued for the whole test.
    const p = await provider({ limits: { pendingDeliveriesPerEndpoint: 5, pendingDeliveries: 8 }, webhook: { retriesMs: [0, 60_000], timeoutMs: 1000, signature: "standard-webhooks" } }, events);
    const dead = await closedPort();
    for (const hook of ["a", "b"]) expect((await json(`${p.url}/webhook-endpoints`, { method: "POST", body: { url: `http://127.0.0.1:${dead}/${hook}` } })).status).toBe(201);
    for (let i = 0; i < 10; i++) await json(`${p.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => p.snapshot().deliveries.attempted + p.snapshot().deliveries.dropped >= 20);
    // Payments 1–4 fill the provider's 8 places (4 per endpoint, in turn); the other 6 payments' 12 events are dropped.
    const snap = p.snapshot();
    expect(snap.deliveries.dropped).toBe(12);
    expect(snap.deliveries.attempted).toBe(8);
    expect([...snap.fates]).toEqual([...Array(4).fill(DeliveryFate.none), ...Array(6).fill(DeliveryFate.exhausted)]);
    const shed = events.filter((e) => e.kind === "shed").map((e) => (e as { reason: string }).reason);
    expect(shed).toHaveLength(2);
    expect(shed[0]).toMatch(/^deliveries to we_1 \(http:\/\/127\.0\.0\.1:\d+\/a\) dropped: 8 deliveries already wait for all endpoints, which is not answering them/);
  });
});

describe("per-process caps", () => {
  it("event streams: a client spreading over loopback addresses meets the provider's cap", async () => {
    const p = await provider({ limits: { streamsPerClient: 32, streams: 3 } });
    const port = Number(new URL(p.url).port);
    const held: Socket[] = [];
    for (const from of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
      const s = connect({ port, host: "127.0.0.1", localAddress: from });
      s.on("error", () => undefined);
      s.write("GET /events HTTP/1.1\r\nhost: x\r\n\r\n");
      held.push(s);
      cleanups.push(() => void s.destroy());
    }
    await until(() => held.every((s) => s.bytesRead > 0));
    const fourth = await rawExchange(port, ["GET /events HTTP/1.1\r\nhost: x\r\n\r\n"]);
    expect(fourth.status).toBe(429);
    expect(fourth.body).toContain("at most 3 open event streams on this provider");
  });

  it("connections: past the cap, a new connection is closed unanswered until one ends", async () => {
    const p = await provider({ limits: { connections: 2 } });
    const port = Number(new URL(p.url).port);
    const open: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const s = connect(port, "127.0.0.1");
      s.on("error", () => undefined);
      await new Promise((r) => s.once("connect", r));
      open.push(s);
      cleanups.push(() => void s.destroy());
    }
    await new Promise((r) => setTimeout(r, 50));
    const third = await rawExchange(port, ["GET /payments HTTP/1.1\r\nhost: x\r\n\r\n"]);
    expect(third.status).toBeNull();
    expect(third.closedByServer).toBe(true);
  });

  it("the rate limiter's table of clients stays bounded: refilled buckets are forgotten, newcomers past the bound share one", () => {
    let now = 0;
    const limiter = new RateLimiter(10, 1, () => now);
    for (let i = 0; i < 3 * MAX_BUCKETS; i++) limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.clients).toBe(MAX_BUCKETS + 1);
    // The newcomers shared one bucket of 10 tokens: most of them were limited.
    expect(limiter.take("192.0.2.1")).toBeGreaterThan(0);
    // A second later every bucket is full again: the next newcomer's sweep forgets them all.
    now += 1000;
    expect(limiter.take("192.0.2.2")).toBe(0);
    expect(limiter.clients).toBeLessThanOrEqual(2);
  });
});
