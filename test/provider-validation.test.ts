import { afterEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { startProvider, type Provider, type ProviderOptions } from "../src/provider/server.js";
import { providerOptions } from "./helpers/provider.js";
import { json } from "./helpers/http.js";
import { rawExchange } from "./helpers/raw.js";

const MiB = 1024 * 1024;

function options(overrides: Partial<ProviderOptions> = {}): ProviderOptions {
  // Payments stay pending for the whole test, so long polls are held.
  return providerOptions("fixed(60s)", { ...overrides }, 1);
}

let provider: Provider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function started(overrides: Partial<ProviderOptions> = {}): Promise<Provider> {
  provider = await startProvider(options(overrides));
  return provider;
}

const port = () => Number(new URL(provider!.url).port);
const pay = () => json(`${provider!.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });

/** Every refusal has the same shape: a JSON error with a type, a message and, for 400, the field. */
function expectError(res: { status: number; body: any }, status: number, field?: string): void {
  expect(res.status).toBe(status);
  expect(typeof res.body.error.type).toBe("string");
  expect(typeof res.body.error.message).toBe("string");
  if (field !== undefined) expect(res.body.error.field).toBe(field);
}

describe("provider API: 400 names the field", () => {
  it.each([
    ["an id (ids are assigned, never taken)", { amount: 100, currency: "usd", id: "pay_999" }, "id"],
    ["an unknown field", { amount: 100, currency: "usd", status: "succeeded" }, "status"],
    ["an amount over eight digits", { amount: 100_000_000, currency: "usd" }, "amount"],
    ["an amount as a string", { amount: "100", currency: "usd" }, "amount"],
    ["a missing currency", { amount: 100 }, "currency"],
    ["an array body", [1, 2], "body"],
    ["a null body", null, "body"],
  ])("POST /payments with %s", async (_what, body, field) => {
    await started();
    expectError(await json(`${provider!.url}/payments`, { method: "POST", body: JSON.stringify(body) }), 400, field);
  });

  it("POST /payments with malformed JSON names the body", async () => {
    await started();
    expectError(await json(`${provider!.url}/payments`, { method: "POST", body: '{"amount": 1' }), 400, "body");
  });

  it("a client-supplied id is never used: ids stay the provider's sequence", async () => {
    await started();
    await json(`${provider!.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd", id: "pay_7" } });
    expect((await pay()).body.id).toBe("pay_1");
    expect(provider!.snapshot().payments).toBe(1);
  });

  it.each([
    ["/payments/pay_1?wiat=30s", "wiat"],
    ["/payments/pay_1?wait=30s&wait=1s", "wait"],
    ["/payments/pay_1?wait=soon", "wait"],
    ["/payments?limit=0", "limit"],
    ["/payments?limit=101", "limit"],
    ["/payments?status=paid", "status"],
    ["/payments?updated_since=yesterday", "updated_since"],
    ["/payments?starting_after=pay_42", "starting_after"],
    ["/payments?colour=red", "colour"],
    ["/events?since=1", "since"],
  ])("GET %s → 400 naming %s", async (path, field) => {
    await started();
    await pay();
    expectError(await json(`${provider!.url}${path}`), 400, field);
  });

  it("POST with a query string it does not take → 400", async () => {
    await started();
    expectError(await json(`${provider!.url}/payments?id=pay_5`, { method: "POST", body: { amount: 1, currency: "usd" } }), 400, "id");
  });

  it("GET /events with a Last-Event-ID that is not an event id → 400 naming the header", async () => {
    await started();
    expectError(await json(`${provider!.url}/events`, { headers: { "last-event-id": "abc" } }), 400, "Last-Event-ID");
  });

  it.each([
    [{ url: "http://user:pw@127.0.0.1:1/hook" }, "url"],
    [{ url: `http://127.0.0.1/${"a".repeat(2100)}` }, "url"],
    [{ url: "http://127.0.0.1:1/hook", secret: "whsec_mine" }, "secret"],
    [{ url: 42 }, "url"],
  ])("POST /webhook-endpoints %j → 400", async (body, field) => {
    await started();
    expectError(await json(`${provider!.url}/webhook-endpoints`, { method: "POST", body }), 400, field);
  });
});

describe("provider API: 404, 405, 413, 415", () => {
  it.each(["/payments/pay_0", "/payments/pay_01", "/payments/pay_99999999999", "/payments/pay_1/refunds", "/payments/%E0%A4%A", "/payments/%ZZ", "/payments/", "/admin"])(
    "GET %s → 404, never 500",
    async (path) => {
      await started();
      await pay();
      const answer = await rawExchange(port(), [`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`]);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body).error.type).toBe("not_found");
    },
  );

  it.each([
    ["PUT", "/payments", "GET, POST"],
    ["DELETE", "/payments/pay_1", "GET"],
    ["POST", "/events", "GET"],
    ["GET", "/webhook-endpoints", "POST"],
  ])("%s %s → 405 with Allow: %s", async (method, path, allow) => {
    await started();
    const res = await json(`${provider!.url}${path}`, { method });
    expectError(res, 405);
    expect(res.headers.allow).toBe(allow);
  });

  it("413 for a declared body over 1 MiB, closing instead of reading it", async () => {
    await started();
    const answer = await rawExchange(port(), [`POST /payments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${5 * MiB}\r\n\r\n`]);
    expect(answer.status).toBe(413);
    expect(answer.head.toLowerCase()).toContain("connection: close");
    expect(JSON.parse(answer.body).error.type).toBe("payload_too_large");
  });

  it("413 for a chunked body that passes 1 MiB, and the socket closes without the rest being read", async () => {
    await started();
    const chunk = Buffer.alloc(64 * 1024, " ");
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    const head = "POST /webhook-endpoints HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    const answer = await rawExchange(port(), [head, ...Array.from({ length: 80 }, () => frame)], { stopOnAnswer: false, timeoutMs: 4000 });
    expect(answer.timedOut).toBe(false);
    expect(answer.closedByServer).toBe(true);
    expect(answer.status).toBe(413);
    expect((await pay()).status).toBe(201);
  });

  it.each(["/payments", "/webhook-endpoints"])("POST %s with a non-JSON content type → 415 naming content-type", async (path) => {
    await started();
    expectError(await json(`${provider!.url}${path}`, { method: "POST", body: "amount=1", headers: { "content-type": "text/plain" } }), 415, "content-type");
    expectError(await json(`${provider!.url}${path}`, { method: "POST", body: "{}", headers: { "content-type": "" } }), 415, "content-type");
  });
});

describe("provider API: caps", () => {
  it("refuses payments past the cap with 503 and a JSON error", async () => {
    await started({ limits: { payments: 3 } });
    for (let i = 0; i < 3; i++) expect((await pay()).status).toBe(201);
    const res = await pay();
    expectError(res, 503);
    expect(res.body.error.type).toBe("payment_limit_reached");
    expect(provider!.snapshot().payments).toBe(3);
  });

  it("refuses webhook endpoints past the cap with 503", async () => {
    await started({ limits: { webhookEndpoints: 2 } });
    const register = () => json(`${provider!.url}/webhook-endpoints`, { method: "POST", body: { url: "http://127.0.0.1:9/hook" } });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    expectError(await register(), 503);
  });

  it("refuses a long poll past the per-client cap with 429, and frees the slot when one ends", async () => {
    await started({ limits: { longPollsPerClient: 2 } });
    await pay();
    // A 1 ms long poll takes a slot only for a moment, so it probes the cap without holding it:
    // 429 once both held requests have reached the provider (a fixed sleep could ask too soon).
    const probe = () => json(`${provider!.url}/payments/pay_1?wait=1ms`);
    async function probeUntil(status: number) {
      for (let tries = 0; ; tries++) {
        const res = await probe();
        if (res.status === status || tries === 200) return res;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const holds = [0, 1].map(() => new AbortController());
    const held = holds.map((c) => request(`${provider!.url}/payments/pay_1?wait=30s`, { signal: c.signal }).catch(() => undefined));
    const refused = await probeUntil(429);
    expectError(refused, 429);
    expect(refused.body.error.type).toBe("too_many_open_requests");
    expect(refused.headers["retry-after"]).toBe("1");
    expect((await json(`${provider!.url}/payments/pay_1?wait=30s`)).status).toBe(429);
    // Plain polls are not long polls and are not capped.
    expect((await json(`${provider!.url}/payments/pay_1`)).status).toBe(200);
    holds[0]!.abort();
    await held[0];
    // The slot comes back once the aborted request's response closes…
    expect((await probeUntil(200)).status).toBe(200);
    // …and a new long poll takes it, filling the cap again.
    const again = new AbortController();
    const third = request(`${provider!.url}/payments/pay_1?wait=30s`, { signal: again.signal }).catch(() => undefined);
    expect((await probeUntil(429)).status).toBe(429);
    again.abort();
    holds[1]!.abort();
    await Promise.all([third, ...held]);
  });

  it("refuses an event stream past the per-client cap with 429", async () => {
    await started({ limits: { streamsPerClient: 1 } });
    const open = new AbortController();
    const first = await request(`${provider!.url}/events`, { signal: open.signal });
    expect(first.statusCode).toBe(200);
    const refused = await json(`${provider!.url}/events`);
    expectError(refused, 429);
    open.abort();
    await first.body.text().catch(() => undefined);
  });

  it("rate-limits by address: a new Authorization header does not buy a new bucket", async () => {
    await started({ rateLimitPerSecond: 1 });
    await pay();
    expect((await json(`${provider!.url}/payments/pay_1`, { headers: { authorization: "Bearer a" } })).status).toBe(200);
    expect((await json(`${provider!.url}/payments/pay_1`, { headers: { authorization: "Bearer b" } })).status).toBe(429);
  });
});
