import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AjvModule from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParseError, UsageError } from "../src/errors.js";
import { defaultScenario, STANDARD_RETRIES_MS } from "../src/scenario/defaults.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import { parseDuration } from "../src/scenario/duration.js";
import { jsonErrorOffset, lineColumn } from "../src/scenario/json-text.js";
import { loadScenarioFile, parseScenarioText } from "../src/scenario/load.js";
import { parseRate } from "../src/scenario/rate.js";
import { editDistance, nearest } from "../src/scenario/suggest.js";
import { validateScenario } from "../src/scenario/validate.js";

const SOURCE = "examples/x.json";

/** A document using every field. */
const FULL = {
  $schema: "./scenario.schema.json",
  name: "flaky-receiver",
  description: "A receiver that goes down for three seconds.",
  seed: 7,
  payments: { count: 50, arrival: { rate: "50/s" } },
  settlement: { delay: "lognormal(median=2s, p95=8s)", failureRate: 0.1 },
  polling: { interval: "1.5s" },
  webhook: { retries: ["0s", "5s", "5m"], timeout: "2s", signature: "stripe" },
  network: { latency: "2ms", jitter: "500us" },
  deadline: "2m",
  speed: 60,
  strategies: ["polling", "polling-backoff", "long-polling", "webhook", "hybrid"],
  expect: ["webhook.latencyMs.p95 < 50ms", "*.payments.missed == 0"],
  "polling-backoff": { base: "100ms", cap: "5s" },
  "long-polling": { wait: "20s" },
  hybrid: { reconcileEvery: "10s" },
  provider: { rateLimit: "3000/m" },
  faults: {
    webhook: {
      downtime: [
        { from: "10s", to: "12s", mode: "503" },
        { from: "1s", to: "4s", mode: "refuse" },
      ],
      failureRate: 0.2,
      duplicateRate: 0.1,
      reorder: true,
      delay: "uniform(0ms, 50ms)",
    },
    api: { errorRate: 0.05, latency: "uniform(5ms, 30ms)" },
  },
};

const FULL_YAML = `
$schema: ./scenario.schema.json
name: flaky-receiver
description: A receiver that goes down for three seconds.
seed: 7
payments:
  count: 50
  arrival: { rate: 50/s }
settlement:
  delay: lognormal(median=2s, p95=8s)
  failureRate: 0.1
polling: { interval: 1.5s }
webhook:
  retries: [0s, 5s, 5m]
  timeout: 2s
  signature: stripe
network: { latency: 2ms, jitter: 500us }
deadline: 2m
speed: 60
strategies: [polling, polling-backoff, long-polling, webhook, hybrid]
expect:
  - webhook.latencyMs.p95 < 50ms
  - "*.payments.missed == 0"
polling-backoff: { base: 100ms, cap: 5s }
long-polling: { wait: 20s }
hybrid: { reconcileEvery: 10s }
provider: { rateLimit: 3000/m }
faults:
  webhook:
    downtime:
      - { from: 10s, to: 12s, mode: 503 }
      - { from: 1s, to: 4s, mode: refuse }
    failureRate: 0.2
    duplicateRate: 0.1
    reorder: true
    delay: uniform(0ms, 50ms)
  api:
    errorRate: 0.05
    latency: uniform(5ms, 30ms)
`;

/** Runs `fn`, expecting a UsageError; returns its message. */
function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("expected a UsageError");
}

async function usageMessageAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("expected a UsageError");
}

describe("parseRate", () => {
  it.each([
    ["50/s", 50],
    ["12/s", 12],
    ["25/s", 25],
    ["1.5/s", 1.5],
    ["3000/m", 50],
    ["3000/min", 50],
    ["100/h", 100 / 3600],
    [" 10 / s ", 10],
    [".5/s", 0.5],
  ])("%s is %d per second", (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 12);
  });

  it.each(["50", "50/d", "50 per second", "/s", "-5/s", "5/ms", "abc", "", "0/s", "0.0/m"])("rejects %j with the expected form", (text) => {
    expect(() => parseRate(text)).toThrow(ParseError);
    expect(() => parseRate(text)).toThrow(/expected a count per unit of time, such as 50\/s/);
  });
});

describe("validateScenario: bad input", () => {
  // [field path, the value as the message shows it, a document, optional extra text the message must contain]
  const cases: Array<[string, string, Record<string, unknown>, string?]> = [
    ["settlement.delay", `"uniform(4s, 1s)"`, { settlement: { delay: "uniform(4s, 1s)" } }, "is impossible"],
    ["settlement.delay", `"gaussian(2s)"`, { settlement: { delay: "gaussian(2s)" } }, "unknown distribution"],
    ["settlement.delay", "12", { settlement: { delay: 12 } }, "is not a distribution"],
    ["settlement.failureRate", "1.5", { settlement: { failureRate: 1.5 } }, "from 0 to 1"],
    ["settlement.failureRate", "-0.1", { settlement: { failureRate: -0.1 } }, "from 0 to 1"],
    ["settlement.failureRate", `"5%"`, { settlement: { failureRate: "5%" } }, "from 0 to 1"],
    ["polling.interval", `"5 sec"`, { polling: { interval: "5 sec" } }, "is not a duration; expected a number with a unit, such as 250ms, 2s, 1.5m or 1h"],
    ["polling.interval", "1000", { polling: { interval: 1000 } }, "has no unit"],
    ["polling.interval", `"0s"`, { polling: { interval: "0s" } }, "longer than zero"],
    ["polling", `"1s"`, { polling: "1s" }, "must be an object"],
    ["payments.count", "-3", { payments: { count: -3 } }, "is not a payment count; expected a whole number from 1 to 10,000,000"],
    ["payments.count", "0", { payments: { count: 0 } }, "from 1 to 10,000,000"],
    ["payments.count", "2.5", { payments: { count: 2.5 } }, "a whole number"],
    ["payments.count", `"20"`, { payments: { count: "20" } }, "a whole number"],
    ["payments.count", "10000001", { payments: { count: 10_000_001 } }, "to 10,000,000"],
    ["payments.arrival", `"steady"`, { payments: { arrival: "steady" } }, `expected "burst" or { "rate": "50/s" }`],
    ["payments.arrival.rate", `"50 per second"`, { payments: { arrival: { rate: "50 per second" } } }, "is not a rate"],
    ["payments.arrival.rate", `"0/s"`, { payments: { arrival: { rate: "0/s" } } }, "above zero"],
    ["payments.arrival", "{}", { payments: { arrival: {} } }, `missing "rate"`],
    ["webhook.retries", `"sometimes"`, { webhook: { retries: "sometimes" } }, `expected "standard", "none" or a list`],
    ["webhook.retries", `"standrd"`, { webhook: { retries: "standrd" } }, `did you mean "standard"?`],
    ["webhook.retries[2]", `"1s"`, { webhook: { retries: ["0s", "5s", "1s"] } }, "never decrease"],
    ["webhook.retries[1]", `"soon"`, { webhook: { retries: ["0s", "soon"] } }, "is not a duration"],
    ["webhook.retries", "[]", { webhook: { retries: [] } }, "is empty"],
    ["webhook.timeout", `"0ms"`, { webhook: { timeout: "0ms" } }, "longer than zero"],
    ["webhook.signature", `"svix"`, { webhook: { signature: "svix" } }, `expected one of "standard-webhooks", "stripe"`],
    ["webhook.signature", `"strip"`, { webhook: { signature: "strip" } }, `did you mean "stripe"?`],
    ["network.latency", `"-5ms"`, { network: { latency: "-5ms" } }, "is not a duration"],
    ["network.jitter", `"lots"`, { network: { jitter: "lots" } }, "is not a duration"],
    ["deadline", `"0s"`, { deadline: "0s" }, "longer than zero"],
    ["deadline", `"soon"`, { deadline: "soon" }, "is not a duration"],
    ["speed", "0", { speed: 0 }, "expected a number from 1 to 10000"],
    ["speed", "-2", { speed: -2 }, "expected a number from 1 to 10000"],
    ["speed", "0.5", { speed: 0.5 }, "expected a number from 1 to 10000"],
    ["speed", "20000", { speed: 20_000 }, "from 1 to 10000"],
    ["speed", `"fast"`, { speed: "fast" }, "is not a speed"],
    ["seed", "-1", { seed: -1 }, "is not a seed; expected a whole number from 0 to 4,294,967,295"],
    ["seed", "4294967296", { seed: 4_294_967_296 }, "from 0 to 4,294,967,295"],
    ["seed", "1.5", { seed: 1.5 }, "a whole number"],
    ["seed", `"42"`, { seed: "42" }, "a whole number"],
    ["strategies", "[]", { strategies: [] }, "at least one strategy"],
    ["strategies", `"polling"`, { strategies: "polling" }, "must be a list"],
    ["strategies[1]", `"webhok"`, { strategies: ["polling", "webhok"] }, `did you mean "webhook"?`],
    ["strategies[0]", `"carrier-pigeon"`, { strategies: ["carrier-pigeon"] }, `expected one of "polling", "polling-backoff"`],
    ["strategies[2]", `"polling"`, { strategies: ["polling", "webhook", "polling"] }, "listed twice (also strategies[0])"],
    ["expect", `"webhook.latencyMs.p95 < 50ms"`, { expect: "webhook.latencyMs.p95 < 50ms" }, "must be a list"],
    ["expect[1]", "5", { expect: ["*.payments.missed == 0", 5] }, "must be a string"],
    ["name", `""`, { name: "" }, "must not be empty"],
    ["name", "3", { name: 3 }, "must be a string"],
    ["description", "false", { description: false }, "must be a string"],
    ["polling-backoff.cap", `"10s"`, { polling: { interval: "20s" }, "polling-backoff": { cap: "10s" } }, "below the backoff's base"],
    ["polling-backoff.cap", `"100ms"`, { "polling-backoff": { base: "1s", cap: "100ms" } }, "base above the cap"],
    ["long-polling.wait", `"0s"`, { "long-polling": { wait: "0s" } }, "longer than zero"],
    ["hybrid.reconcileEvery", `"often"`, { hybrid: { reconcileEvery: "often" } }, "is not a duration"],
    ["provider.rateLimit", `"25"`, { provider: { rateLimit: "25" } }, "is not a rate"],
    ["faults.webhook.failureRate", "2", { faults: { webhook: { failureRate: 2 } } }, "from 0 to 1"],
    ["faults.webhook.duplicateRate", "-1", { faults: { webhook: { duplicateRate: -1 } } }, "from 0 to 1"],
    ["faults.api.errorRate", "1.01", { faults: { api: { errorRate: 1.01 } } }, "from 0 to 1"],
    ["faults.webhook.reorder", `"yes"`, { faults: { webhook: { reorder: "yes" } } }, "true or false"],
    ["faults.webhook.delay", `"uniform(50ms, 0ms)"`, { faults: { webhook: { delay: "uniform(50ms, 0ms)" } } }, "is impossible"],
    ["faults.api.latency", `"sometimes"`, { faults: { api: { latency: "sometimes" } } }, "is not a distribution"],
    ["faults.webhook.downtime[0].to", `"1s"`, { faults: { webhook: { downtime: [{ from: "4s", to: "1s" }] } } }, "expected from < to"],
    ["faults.webhook.downtime[0].to", `"1s"`, { faults: { webhook: { downtime: [{ from: "1s", to: "1s" }] } } }, "expected from < to"],
    ["faults.webhook.downtime[0].from", `"later"`, { faults: { webhook: { downtime: [{ from: "later", to: "1s" }] } } }, "is not a duration"],
    ["faults.webhook.downtime[0]", `{"from":"1s"}`, { faults: { webhook: { downtime: [{ from: "1s" }] } } }, `missing "to"`],
    ["faults.webhook.downtime[0].mode", `"down"`, { faults: { webhook: { downtime: [{ from: "1s", to: "2s", mode: "down" }] } } }, `expected one of "refuse", "503"`],
    [
      "faults.webhook.downtime[1]",
      `{"from":"3s","to":"5s"}`,
      { faults: { webhook: { downtime: [{ from: "1s", to: "4s" }, { from: "3s", to: "5s" }] } } },
      `overlaps faults.webhook.downtime[0] {"from":"1s","to":"4s"}`,
    ],
    ["faults.webhook.downtime", `"1s-4s"`, { faults: { webhook: { downtime: "1s-4s" } } }, "must be a list of windows"],
    ["faults", "null", { faults: null }, "must be an object"],
  ];

  it.each(cases)("%s %s", (path, shown, doc, extra) => {
    const message = usageMessage(() => validateScenario(doc, SOURCE));
    expect(message.startsWith(`${SOURCE}: ${path} ${shown}`), message).toBe(true);
    if (extra) expect(message).toContain(extra);
    expect(message).not.toContain("\n");
  });

  it("names both downtime windows that overlap, whatever their order in the file", () => {
    const downtime = [{ from: "10s", to: "20s" }, { from: "0s", to: "1s" }, { from: "1s", to: "2s" }, { from: "15s", to: "16s" }];
    expect(usageMessage(() => validateScenario({ faults: { webhook: { downtime } } }, SOURCE))).toBe(
      `${SOURCE}: faults.webhook.downtime[3] {"from":"15s","to":"16s"} overlaps faults.webhook.downtime[0] {"from":"10s","to":"20s"}; expected windows that do not overlap`,
    );
  });

  it("gives the exact messages the CLI documents", () => {
    expect(usageMessage(() => validateScenario({ polling: { interval: "5 sec" } }, SOURCE))).toBe(
      `${SOURCE}: polling.interval "5 sec" is not a duration; expected a number with a unit, such as 250ms, 2s, 1.5m or 1h`,
    );
    expect(usageMessage(() => validateScenario({ payments: { count: -3 } }, SOURCE))).toBe(`${SOURCE}: payments.count -3 is not a payment count; expected a whole number from 1 to 10,000,000`);
    expect(usageMessage(() => validateScenario({ settlement: { delay: "uniform(4s, 1s)" } }, SOURCE))).toMatch(
      /^examples\/x\.json: settlement\.delay "uniform\(4s, 1s\)" is impossible: /,
    );
  });

  it.each([
    ["a list", [1, 2]],
    ["a string", "seed: 1"],
    ["null", null],
    ["a number", 42],
  ])("rejects a document that is %s", (_what, doc) => {
    expect(usageMessage(() => validateScenario(doc, SOURCE))).toMatch(/^examples\/x\.json: the scenario must be an object/);
  });
});

describe("validateScenario: unknown fields", () => {
  it.each<[Record<string, unknown>, string]>([
    [{ setlement: {} }, `unknown field "setlement"; did you mean "settlement"?`],
    [{ webhook: { retires: "none" } }, `unknown field "webhook.retires"; did you mean "webhook.retries"?`],
    [{ webhook: { signatur: "stripe" } }, `unknown field "webhook.signatur"; did you mean "webhook.signature"?`],
    [{ strategy: ["polling"] }, `unknown field "strategy"; did you mean "strategies"?`],
    [{ pollingBackoff: {} }, `unknown field "pollingBackoff"; did you mean "polling-backoff"?`],
    [{ long_polling: {} }, `unknown field "long_polling"; did you mean "long-polling"?`],
    [{ settlement: { failure_rate: 0.1 } }, `unknown field "settlement.failure_rate"; did you mean "settlement.failureRate"?`],
    [{ payments: { count: 3, arival: "burst" } }, `unknown field "payments.arival"; did you mean "payments.arrival"?`],
    [{ payments: { arrival: { rat: "5/s" } } }, `unknown field "payments.arrival.rat"; did you mean "payments.arrival.rate"?`],
    [{ hybrid: { reconcile: "5s" } }, `unknown field "hybrid.reconcile"; did you mean "hybrid.reconcileEvery"?`],
    [{ faults: { webhooks: {} } }, `unknown field "faults.webhooks"; did you mean "faults.webhook"?`],
    [{ faults: { webhook: { duplicaterate: 0.1 } } }, `unknown field "faults.webhook.duplicaterate"; did you mean "faults.webhook.duplicateRate"?`],
    [
      { faults: { webhook: { downtime: [{ from: "1s", to: "2s" }, { form: "3s", to: "4s" }] } } },
      `unknown field "faults.webhook.downtime[1].form"; did you mean "faults.webhook.downtime[1].from"?`,
    ],
    [{ color: "blue" }, `unknown field "color"; expected one of $schema, name, description, profile, seed, payments`],
    [{ network: { bandwidth: "1mb" } }, `unknown field "network.bandwidth"; expected in network one of latency, jitter`],
  ])("%j", (doc, expected) => {
    const message = usageMessage(() => validateScenario(doc, SOURCE));
    expect(message.startsWith(`${SOURCE}: ${expected}`), message).toBe(true);
  });

  it("checks unknown fields before values, so a typo is not reported as a missing field", () => {
    expect(usageMessage(() => validateScenario({ seed: -1, setlement: {} }, SOURCE))).toContain(`unknown field "setlement"`);
  });

  it("edit distance counts a transposition as one edit", () => {
    expect(editDistance("retires", "retries")).toBe(1);
    expect(editDistance("setlement", "settlement")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(nearest("zzzzzz", ["polling", "webhook"])).toBeUndefined();
    expect(nearest("color", ["name", "seed", "speed", "polling", "network"])).toBeUndefined();
    expect(nearest("seeds", ["seed", "speed"])).toBe("seed");
  });
});

describe("validateScenario: resolution", () => {
  it("fills every missing field from the defaults and names the scenario after the file", () => {
    const resolved = validateScenario({}, "examples/quiet-night.yaml");
    expect(resolved).toEqual({ ...defaultScenario(), name: "quiet-night", description: "" });
    expect(resolved.webhook.retriesMs).toEqual(STANDARD_RETRIES_MS);
    expect(resolved.webhook.retriesMs).not.toBe(STANDARD_RETRIES_MS);
  });

  it("fills missing fields inside a section", () => {
    const resolved = validateScenario({ payments: { count: 3 }, webhook: { signature: "stripe" } }, SOURCE);
    expect(resolved.payments).toEqual({ count: 3, arrival: { kind: "burst" } });
    expect(resolved.webhook).toEqual({ retriesMs: STANDARD_RETRIES_MS, timeoutMs: 15_000, signature: "stripe", given: { retries: false, timeout: false } });
    expect(resolved.name).toBe("x");
  });

  it("resolves a full document to milliseconds", () => {
    const s = validateScenario(FULL, SOURCE);
    expect(s.name).toBe("flaky-receiver");
    expect(s.description).toBe("A receiver that goes down for three seconds.");
    expect(s.seed).toBe(7);
    expect(s.payments).toEqual({ count: 50, arrival: { kind: "rate", perSecond: 50, source: "50/s" } });
    expect(s.settlement).toEqual({ delay: parseDistribution("lognormal(median=2s, p95=8s)"), failureRate: 0.1 });
    expect(s.polling).toEqual({ intervalMs: 1500 });
    expect(s.webhook).toEqual({ retriesMs: [0, 5000, 300_000], timeoutMs: 2000, signature: "stripe", given: { retries: true, timeout: true } });
    expect(s.network).toEqual({ latencyMs: 2, jitterMs: 0.5 });
    expect(s.deadlineMs).toBe(120_000);
    expect(s.speed).toBe(60);
    expect(s.strategies).toEqual(["polling", "polling-backoff", "long-polling", "webhook", "hybrid"]);
    expect(s.expect).toEqual(["webhook.latencyMs.p95 < 50ms", "*.payments.missed == 0"]);
    const { pollingBackoff, longPolling, hybrid, provider, faults } = s;
    expect({ pollingBackoff, longPolling, hybrid, provider, faults }).toEqual({
      pollingBackoff: { baseMs: 100, capMs: 5000 },
      longPolling: { waitMs: 20_000 },
      hybrid: { reconcileEveryMs: 10_000 },
      provider: { rateLimitPerSecond: 50, rateLimitGiven: true },
      faults: {
        webhook: {
          downtime: [
            { fromMs: 1000, toMs: 4000, mode: "refuse" },
            { fromMs: 10_000, toMs: 12_000, mode: "503" },
          ],
          failureRate: 0.2,
          duplicateRate: 0.1,
          reorder: true,
          delay: { kind: "uniform", minMs: 0, maxMs: 50, source: "uniform(0ms, 50ms)" },
        },
        api: { errorRate: 0.05, latency: { kind: "uniform", minMs: 5, maxMs: 30, source: "uniform(5ms, 30ms)" } },
      },
    });
  });

  it.each<[unknown, number[]]>([
    ["standard", STANDARD_RETRIES_MS],
    ["none", [0]],
    [["0s", "5s", "5s", "1m"], [0, 5000, 5000, 60_000]],
    [[0, "1s"], [0, 1000]],
  ])("webhook.retries %j resolves to %j", (retries, ms) => {
    expect(validateScenario({ webhook: { retries } }, SOURCE).webhook.retriesMs).toEqual(ms);
  });

  it("accepts a bare 0 (as YAML writes it) for durations and edge values for rates", () => {
    const s = validateScenario({ network: { latency: 0, jitter: "0" }, settlement: { failureRate: 0 }, faults: { api: { errorRate: 1 } }, speed: 10_000, seed: 0 }, SOURCE);
    expect(s.network).toEqual({ latencyMs: 0, jitterMs: 0 });
    expect(s.settlement.failureRate).toBe(0);
    expect(s.faults.api.errorRate).toBe(1);
  });

  it("lets downtime windows touch", () => {
    const s = validateScenario({ faults: { webhook: { downtime: [{ from: "2s", to: "3s" }, { from: "1s", to: "2s", mode: 503 }] } } }, SOURCE);
    expect(s.faults.webhook.downtime).toEqual([
      { fromMs: 1000, toMs: 2000, mode: "503" },
      { fromMs: 2000, toMs: 3000, mode: "refuse" },
    ]);
  });

  it("does not mutate its input", () => {
    const doc = structuredClone(FULL);
    validateScenario(doc, SOURCE);
    expect(doc).toEqual(FULL);
  });
});

describe("parseScenarioText", () => {
  it("reads JSON and YAML to the same scenario", async () => {
    const fromJson = await parseScenarioText(JSON.stringify(FULL, null, 2), "a.json", "json");
    const fromYaml = await parseScenarioText(FULL_YAML, "a.yaml", "yaml");
    expect(fromYaml).toEqual(fromJson);
    expect(fromJson).toEqual(validateScenario(FULL, "a.json"));
  });

  it("ignores a byte-order mark", async () => {
    expect((await parseScenarioText('\ufeff{"seed": 3}', "a.json", "json")).seed).toBe(3);
    expect((await parseScenarioText("\ufeffseed: 3\n", "a.yaml", "yaml")).seed).toBe(3);
  });

  it.each<[string, string, "json" | "yaml", string]>([
    ["an unexpected token", '{\n  "seed": 1,\n  "speed": }\n', "json", "examples/x.json:3:12: malformed JSON: Unexpected token '}'"],
    ["a trailing comma", '{\n  "seed": 1,\n}', "json", "examples/x.json:3:1: malformed JSON: Expected double-quoted property name"],
    ["a missing colon", '{\n  "polling" {}\n}', "json", "examples/x.json:2:13: malformed JSON: Expected ':' after property name"],
    ["a bad literal", '{\n "webhook": {"retries": stndard}\n}', "json", "examples/x.json:2:25: malformed JSON: Unexpected token 's'"],
    ["a truncated document", '{\n  "seed": 1', "json", "examples/x.json:2:12: malformed JSON: Expected ',' or '}' after property value"],
    ["an unterminated string", '{\n  "name": "abc', "json", "examples/x.json:2:15: malformed JSON: Unterminated string"],
    ["text after the document", '{}\n{}', "json", "examples/x.json:2:1: malformed JSON: Unexpected non-whitespace character after JSON"],
    ["a bad indent", "seed: 1\npolling:\n  interval: 1s\n interval: 2s\n", "yaml", "examples/x.yaml:4:"],
    ["a duplicate key", "seed: 1\nspeed: 2\nseed: 3\n", "yaml", "examples/x.yaml:3:1: malformed YAML: Map keys must be unique"],
    ["an unclosed flow sequence", "strategies: [polling, webhook\nseed: 1\n", "yaml", "examples/x.yaml:"],
    ["a tab indent", "payments:\n\tcount: 3\n", "yaml", "examples/x.yaml:2:"],
  ])("reports %s with line and column", async (_what, text, format, expected) => {
    const source = `examples/x.${format}`;
    const message = await usageMessageAsync(() => parseScenarioText(text, source, format));
    expect(message.startsWith(expected), message).toBe(true);
    expect(message).toMatch(new RegExp(`^examples/x\\.${format}:\\d+:\\d+: malformed ${format.toUpperCase()}: \\S`));
    expect(message).not.toContain("\n");
  });

  it("reports an empty file", async () => {
    expect(await usageMessageAsync(() => parseScenarioText("  \n", "e.yaml", "yaml"))).toMatch(/^e\.yaml: the scenario file is empty/);
    expect(await usageMessageAsync(() => parseScenarioText("", "e.json", "json"))).toMatch(/^e\.json: the scenario file is empty/);
  });

  it("validates after parsing", async () => {
    expect(await usageMessageAsync(() => parseScenarioText("polling:\n  interval: 5 sec\n", "y.yaml", "yaml"))).toBe(
      `y.yaml:2:13: polling.interval "5 sec" is not a duration; expected a number with a unit, such as 250ms, 2s, 1.5m or 1h`,
    );
  });

  it("finds the same error position as V8 wherever V8 reports one", () => {
    const broken = ['{"a": 1,}', '{"a" 1}', '{"a": 1', "[1,2]x", '{"a": "x\ny"}', '{"a": 01}', '{"a": "\\q"}', '{"a": 1}}', '{\n\n   x', "[1,]", '{"a": -}', '{"a": 1.}', '{"a": 1e}', '{"a": 1e+}', '{"a": -x}', '[tr]', '{"a": "\\u12g4"}'];
    for (const text of broken) {
      let v8: number | undefined;
      try {
        JSON.parse(text);
      } catch (err) {
        const m = /at position (\d+)/.exec((err as Error).message);
        if (m) v8 = Number(m[1]);
      }
      const ours = jsonErrorOffset(text);
      expect(ours, text).toBeDefined();
      if (v8 !== undefined) expect(ours, text).toBe(v8);
    }
    for (const ok of ['{"a": [1, 2.5e3, -0, true, false, null, "\\u00e9\\n"]}', "  []  ", '"x"']) expect(jsonErrorOffset(ok)).toBeUndefined();
  });

  it("counts lines and columns from 1", () => {
    expect(lineColumn("abc", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab\r\ncd", 5)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab", 99)).toEqual({ line: 1, column: 3 });
  });
});

describe("loadScenarioFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-scenario-"));
    await writeFile(join(dir, "full.json"), JSON.stringify(FULL, null, 2));
    await writeFile(join(dir, "full.yaml"), FULL_YAML);
    await writeFile(join(dir, "short.yml"), "payments: { count: 3 }\n");
    await writeFile(join(dir, "broken.json"), '{\n  "seed": 1,\n  "speed": }\n');
    await writeFile(join(dir, "notes.txt"), "seed: 1\n");
    await mkdir(join(dir, "folder.json"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads JSON and YAML files", async () => {
    const json = await loadScenarioFile(join(dir, "full.json"));
    expect(json.provider.rateLimitPerSecond).toBe(50);
    expect(await loadScenarioFile(join(dir, "full.yaml"))).toEqual(json);
    const short = await loadScenarioFile(join(dir, "short.yml"));
    expect(short.name).toBe("short");
    expect(short.payments.count).toBe(3);
  });

  it("reports a missing file", async () => {
    expect(await usageMessageAsync(() => loadScenarioFile("no/such/x.json"))).toBe(`scenario file "no/such/x.json" not found`);
  });

  it("reports a directory", async () => {
    expect(await usageMessageAsync(() => loadScenarioFile(join(dir, "folder.json")))).toMatch(/is a directory/);
  });

  it("reports malformed JSON with the path, line and column", async () => {
    const path = join(dir, "broken.json");
    expect(await usageMessageAsync(() => loadScenarioFile(path))).toBe(`${path}:3:12: malformed JSON: Unexpected token '}'`);
  });

  it("rejects an unknown extension", async () => {
    expect(await usageMessageAsync(() => loadScenarioFile(join(dir, "notes.txt")))).toMatch(/must end in \.json, \.yaml or \.yml/);
  });
});

describe("examples/scenario.schema.json", () => {
  const schema = JSON.parse(readFileSync(new URL("../examples/scenario.schema.json", import.meta.url), "utf8")) as Record<string, unknown>;
  // Under NodeNext the default import of this CommonJS package is the module object; the class is its `default`.
  type AjvClass = typeof AjvModule.default;
  const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);

  it("declares itself", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(typeof schema.$id).toBe("string");
    expect(schema.additionalProperties).toBe(false);
  });

  it("accepts a full valid document and the empty one", () => {
    expect(validate(FULL), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({}), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ payments: { arrival: "burst" }, webhook: { retries: "none" }, network: { latency: 0 } }), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ["an unknown top-level field", { ...FULL, setlement: {} }],
    ["an unknown nested field", { webhook: { retires: "none" } }],
    ["an unknown field in a downtime window", { faults: { webhook: { downtime: [{ from: "1s", to: "2s", form: "1s" }] } } }],
    ["a bad duration", { polling: { interval: "5 sec" } }],
    ["a zero interval", { polling: { interval: "0s" } }],
    ["a bad distribution", { settlement: { delay: "gaussian(2s)" } }],
    ["a bad rate", { provider: { rateLimit: "25" } }],
    ["an unknown strategy", { strategies: ["polling", "webhok"] }],
    ["a duplicate strategy", { strategies: ["polling", "polling"] }],
    ["an unknown signature", { webhook: { signature: "svix" } }],
    ["a rate above 1", { settlement: { failureRate: 1.5 } }],
    ["a negative count", { payments: { count: -3 } }],
  ])("rejects %s", (_what, doc) => {
    expect(validate(doc)).toBe(false);
  });

  it("describes every property", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === "object") {
        for (const [key, child] of Object.entries(n.properties as Record<string, unknown>)) {
          if (typeof (child as Record<string, unknown>).description !== "string") missing.push(`${path}.${key}`);
          walk(child, `${path}.${key}`);
        }
      }
      for (const key of ["items", "anyOf", "allOf", "definitions"]) {
        const v = n[key];
        if (Array.isArray(v)) v.forEach((c, i) => walk(c, `${path}.${key}[${i}]`));
        else if (v && typeof v === "object") walk(v, `${path}.${key}`);
      }
    };
    walk(schema, "");
    expect(missing).toEqual([]);
  });

  // The schema's patterns must agree with the parsers the tool uses.
  const propSchema = (doc: Record<string, unknown>) => validate(doc);
  it.each(["0", "250ms", "2s", "1.5m", "1h", "2d", "500us", "500µs", "3min", ".5s", "10 s", "5 sec", "1.s", "-1s", "1 hour", "", "s", "1e3ms"])(
    "duration %j: schema agrees with parseDuration",
    (text) => {
      let parses = true;
      try {
        parseDuration(text);
      } catch {
        parses = false;
      }
      expect(propSchema({ network: { latency: text } })).toBe(parses);
    },
  );

  it.each([
    "uniform(500ms, 4s)",
    "uniform(min=500ms, max=4s)",
    "fixed(2s)",
    "2s",
    "0",
    "exponential(mean=2s)",
    "exponential(2s)",
    "lognormal(median=2s, p95=8s)",
    "lognormal(2s,8s)",
    "uniform (1s, 2s)",
    "gaussian(2s)",
    "uniform(1s)",
    "fixed(2 sec)",
    "exponential(avg=2s)",
    "uniform(1s, 2s",
  ])("distribution %j: schema agrees with parseDistribution on syntax", (text) => {
    let parses = true;
    try {
      parseDistribution(text);
    } catch {
      parses = false;
    }
    expect(propSchema({ settlement: { delay: text } })).toBe(parses);
  });

  it.each(["50/s", "1.5/s", "3000/m", "3000/min", "100/h", "10 / s", "50", "50/d", "/s", "5/ms"])("rate %j: schema agrees with parseRate", (text) => {
    let parses = true;
    try {
      parseRate(text);
    } catch {
      parses = false;
    }
    expect(propSchema({ provider: { rateLimit: text } })).toBe(parses);
  });
});
