/**
 * Property and fuzz tests with a fixed seed: parsers only ever throw their own clear error, and
 * both servers answer whatever arrives on the socket with something below 500, in time, and keep
 * serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { ParseError, UsageError } from "../src/errors.js";
import { evaluate, parseExpectation } from "../src/expect/index.js";
import { monotonicClock } from "../src/measure/clock.js";
import { startProvider, type Provider } from "../src/provider/server.js";
import { generateSecret, signStandard, standardKey } from "../src/webhooks/signature.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { parseDuration } from "../src/scenario/duration.js";
import { parseScenarioText } from "../src/scenario/load.js";
import { parseRate } from "../src/scenario/rate.js";
import { validateScenario } from "../src/scenario/validate.js";
import { WebhookReceiver } from "../src/strategies/receiver.js";
import { rawExchange } from "./helpers/raw.js";
import { seven, two } from "./render-fixtures.js";
import { providerOptions } from "./helpers/provider.js";

const RUNS = { seed: 42, numRuns: 300 } as const;

/** Runs `f` and reports how it ended: a value, or the class of what it threw. */
function outcome(f: () => unknown): "value" | string {
  try {
    f();
    return "value";
  } catch (err) {
    return err instanceof ParseError ? "ParseError" : err instanceof UsageError ? "UsageError" : `unexpected ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`;
  }
}

/** Strings built from the grammar's own pieces reach far deeper than uniformly random ones. */
function tokens(pieces: string[]): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 14 }).map((parts) => parts.join(""));
}

const durationish = tokens(["0", "1", "2.5", ".5", "1e3", "99999999999999999999999", "-", " ", "ms", "s", "m", "min", "h", "d", "us", "µs", "NaN", "Infinity"]);
const distributionish = tokens(["fixed", "uniform", "exponential", "lognormal", "(", ")", ",", " ", "=", "mean", "median", "p95", "2s", "500ms", "0", "-1s", "1e400s", "9999999999h", "()"]);
const rateish = tokens(["50", "0", "1.5", ".5", "/", "s", "m", "min", "h", " ", "-", "1e999", "99999999999999999999999999"]);
const expectationish = tokens([
  "webhook",
  "polling",
  "*",
  ".",
  "latencyMs",
  "p95",
  "requests",
  "total",
  "payments",
  "missed",
  "errors",
  "<",
  "<=",
  "==",
  "!=",
  ">",
  "+",
  "-",
  "*",
  "/",
  "(",
  ")",
  " ",
  "50",
  "0",
  "1e308",
  "ms",
  "s",
  "%",
  "min",
  "h",
  "\"",
  "((((((((",
]);

describe("parsers never throw anything but their own error", () => {
  it("parseDuration: a number of milliseconds or a ParseError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), durationish), (text) => {
        const result = outcome(() => {
          const ms = parseDuration(text);
          if (!Number.isFinite(ms) || ms < 0) throw new Error(`returned ${ms}`);
        });
        expect(["value", "ParseError"]).toContain(result);
      }),
      RUNS,
    );
  });

  it("parseDistribution: a distribution or a ParseError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), distributionish), (text) => {
        expect(["value", "ParseError"]).toContain(outcome(() => parseDistribution(text)));
      }),
      RUNS,
    );
  });

  it("parseRate: a positive finite rate or a ParseError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), rateish), (text) => {
        const result = outcome(() => {
          const perSecond = parseRate(text);
          if (!(perSecond > 0 && Number.isFinite(perSecond))) throw new Error(`returned ${perSecond}`);
        });
        expect(["value", "ParseError"]).toContain(result);
      }),
      RUNS,
    );
  });

  it("parseExpectation: an Expectation or a ParseError; evaluate never throws", () => {
    const results = fc.oneof(
      fc.constantFrom(two, seven),
      fc.record({ strategies: fc.array(fc.record({ name: fc.constantFrom("webhook", "polling", "sse", "x") }, { noNullPrototype: true }).chain((s) => fc.jsonValue().map((extra) => ({ ...(typeof extra === "object" && extra !== null && !Array.isArray(extra) ? extra : {}), ...s }))), { maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 1200 }), expectationish), results, (text, result) => {
        let expectation: ReturnType<typeof parseExpectation> | undefined;
        const parsed = outcome(() => (expectation = parseExpectation(text)));
        expect(["value", "ParseError"]).toContain(parsed);
        if (expectation) expect(outcome(() => evaluate(expectation!, result as typeof two))).toBe("value");
      }),
      RUNS,
    );
  });

  const TOP = ["name", "description", "seed", "payments", "settlement", "polling", "webhook", "network", "deadline", "speed", "strategies", "expect", "polling-backoff", "long-polling", "hybrid", "provider", "faults", "paymnts"];
  const scenarioish = fc.dictionary(
    fc.constantFrom(...TOP),
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      durationish,
      distributionish,
      rateish,
      fc.dictionary(fc.constantFrom("count", "arrival", "delay", "failureRate", "interval", "retries", "signature", "latency", "jitter", "rate", "errorRate", "downtime", "x"), fc.oneof(fc.jsonValue({ maxDepth: 2 }), durationish, distributionish, rateish)),
    ),
  );

  it("validateScenario: arbitrary JSON values give a Scenario or a UsageError, nothing else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), scenarioish), (raw) => {
        expect(["value", "UsageError"]).toContain(outcome(() => validateScenario(raw, "fuzz.json")));
      }),
      RUNS,
    );
  });

  it("scenario text, JSON or YAML: a Scenario or a UsageError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), scenarioish.map((o) => JSON.stringify(o))), fc.constantFrom("json" as const, "yaml" as const), async (text, format) => {
        let result = "value";
        try {
          await parseScenarioText(text, `fuzz.${format}`, format);
        } catch (err) {
          result = err instanceof UsageError ? "UsageError" : `unexpected ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`;
        }
        expect(["value", "UsageError"]).toContain(result);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

// -------------------------------------------------------------------------------------------------
// Servers

interface Shot {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: string;
  /** How the body is framed: honestly, truncated (declares more, then FIN), oversized (declares > 1 MiB), or chunked. */
  framing: "exact" | "truncated" | "oversized" | "chunked" | "none";
}

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n\0]/g, "")),
  fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "", "*", "0", "-1", "99999999999999", "v1,AAAA", "v1,", "t=1,v1=00", "W/\"1.0\"", "\"1.1\""),
);
const headerName = fc.constantFrom("content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "stripe-signature", "authorization", "last-event-id", "if-none-match", "accept", "x-apiwh-fault", "x-random");

function shots(paths: string[]): fc.Arbitrary<Shot> {
  const path = fc.oneof(
    fc.constantFrom(...paths),
    fc.tuple(fc.constantFrom(...paths), fc.constantFrom("?", "?wait=", "?wait=1ms", "?limit=", "?status=", "?x=1&x=2", "/", "/..", "%", "%E0%A4%A", "%00", "?wait=1ms&wait=2ms")).map(([p, s]) => p + s),
    fc.tuple(fc.constantFrom(...paths), fc.constantFrom("?", "?wait=", "?wait=1ms", "?limit=", "?status=", "?x=1&x=2", "/", "/..", "%", "%E0%A4%A", "%00", "?wait=1ms&wait=2ms")).map(([p, s]) => p + s),
    fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
  );
  const body = fc.oneof(fc.constant(""), fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"), fc.constantFrom('{"amount":100,"currency":"usd"}', '{"url":"http://127.0.0.1:9/hook"}', '{"type":"payment.succeeded","data":{"id":"pay_1"}}'));
  return fc.record({
    method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("GET", "POST") }, fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO")),
    path: path.map((p) => p.replace(/[\s\0]/g, "")),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
    body,
    framing: fc.constantFrom("exact", "exact", "truncated", "oversized", "chunked", "none"),
  });
}

function wire(shot: Shot): { chunks: string[]; endAfter: boolean } {
  const head = `${shot.method} ${shot.path || "/"} HTTP/1.1\r\nhost: fuzz\r\n${shot.headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}`;
  const bytes = Buffer.byteLength(shot.body);
  switch (shot.framing) {
    case "none":
      return { chunks: [`${head}\r\n`], endAfter: false };
    case "exact":
      return { chunks: [`${head}content-length: ${bytes}\r\n\r\n${shot.body}`], endAfter: false };
    case "truncated":
      return { chunks: [`${head}content-length: ${bytes + 50}\r\n\r\n${shot.body}`], endAfter: true };
    case "oversized":
      return { chunks: [`${head}content-length: ${2 * 1024 * 1024}\r\n\r\n${shot.body}`], endAfter: false };
    case "chunked":
      return { chunks: [`${head}transfer-encoding: chunked\r\n\r\n${bytes.toString(16)}\r\n${shot.body}\r\n0\r\n\r\n`], endAfter: false };
  }
}

/** One shot, then the verdict: an answer under 500 in time, or (a truncated body only) a clean close. */
async function fire(port: number, shot: Shot): Promise<void> {
  const { chunks, endAfter } = wire(shot);
  const answer = await rawExchange(port, chunks, { endAfter, timeoutMs: 2000, headOnly: shot.method === "HEAD" });
  expect(answer.timedOut, `no answer in 2 s to ${JSON.stringify(shot)}`).toBe(false);
  if (answer.status === null) {
    // A body that never arrives cannot be answered; the server may only hang up.
    expect(shot.framing, `closed without an answer: ${JSON.stringify(shot)}`).toBe("truncated");
    return;
  }
  expect(answer.status, `${answer.status} for ${JSON.stringify(shot)}\n${answer.body}`).toBeLessThan(500);
}

describe("servers answer every generated request under 500 and stay healthy", () => {
  let provider: Provider;
  let receiver: WebhookReceiver;
  let secret: string;
  let providerPort: number;
  let receiverPort: number;
  let sequence = 0;

  beforeAll(async () => {
    const base = providerOptions("fixed(20ms)");
    provider = await startProvider({
      ...base,
      settlement: { ...base.settlement, failureRate: 0.3 },
      // At 1000× a long poll of 60 s is held 60 ms: generated `?wait=` never stalls the test.
      speed: 1000,
      webhook: { ...base.webhook, timeoutMs: 200 },
      limits: { webhookEndpoints: 10_000 },
    });
    providerPort = Number(new URL(provider.url).port);
    receiver = new WebhookReceiver({ host: "127.0.0.1", port: 0, path: "/webhook", signature: "standard-webhooks", clock: monotonicClock, onDelivery: () => undefined });
    receiverPort = Number(new URL(await receiver.start()).port);
    secret = generateSecret();
    receiver.setSecret(secret);
  });
  afterAll(async () => {
    await provider.close();
    await receiver.stop();
  });

  async function providerHealthy(): Promise<void> {
    const body = '{"amount":100,"currency":"usd"}';
    const created = await rawExchange(providerPort, [`POST /payments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`]);
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    expect((await rawExchange(providerPort, [`GET /payments/${id} HTTP/1.1\r\nhost: x\r\n\r\n`])).status).toBe(200);
  }

  async function receiverHealthy(): Promise<void> {
    const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: `pay_${++sequence}`, status: "succeeded" } });
    const id = `evt_${sequence}`;
    const ts = Math.floor(Date.now() / 1000);
    const head = `POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nwebhook-id: ${id}\r\nwebhook-timestamp: ${ts}\r\nwebhook-signature: ${signStandard(standardKey(secret), id, ts, body)}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    expect((await rawExchange(receiverPort, [head + body])).status).toBe(204);
  }

  it("the provider API", async () => {
    await providerHealthy();
    await fc.assert(
      fc.asyncProperty(shots(["/payments", "/payments/pay_1", "/payments/pay_2", "/events", "/webhook-endpoints", "/"]), async (shot) => {
        await fire(providerPort, shot);
        await providerHealthy();
      }),
      RUNS,
    );
  }, 30_000);

  it("the webhook receiver, with signed deliveries mutated at random", async () => {
    await receiverHealthy();
    // Half the shots start from a correctly signed delivery, then lose or garble something.
    const signedShot = fc.record({ cut: fc.integer({ min: 0, max: 4 }), skew: fc.constantFrom(0, 0, 299, -299, 301, -301, 1e6), garble: fc.boolean(), framing: fc.constantFrom<Shot["framing"]>("exact", "truncated", "oversized", "chunked") }).map(({ cut, skew, garble, framing }): Shot => {
      const body = JSON.stringify({ type: "payment.failed", timestamp: new Date().toISOString(), data: { id: `pay_${++sequence}`, status: "failed" } });
      const ts = Math.floor(Date.now() / 1000) + skew;
      const id = `evt_f${sequence}`;
      const headers: Array<[string, string]> = [
        ["content-type", "application/json"],
        ["webhook-id", id],
        ["webhook-timestamp", String(ts)],
        ["webhook-signature", signStandard(standardKey(secret), id, ts, body)],
      ];
      headers.splice(cut, 1);
      return { method: "POST", path: "/webhook", headers, body: garble ? body.slice(0, -3) : body, framing };
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(shots(["/webhook", "/webhook?x=1", "/"]), signedShot), async (shot) => {
        await fire(receiverPort, shot);
        await receiverHealthy();
      }),
      RUNS,
    );
    expect(receiver.rejectedTotal).toBeGreaterThan(0);
  }, 30_000);
});
