import { describe, expect, it } from "vitest";
import { ParseError } from "../src/errors.js";
import {
  evaluate,
  MAX_EXPECTATION_LENGTH,
  MAX_NESTING_DEPTH,
  parseExpectation,
  validatePaths,
  type Expectation,
} from "../src/expect/index.js";

/** A CompareResult-shaped fixture: only what the expectations read. */
function fixture() {
  return {
    strategies: [
      {
        name: "polling",
        requests: { total: 62, consumerToProvider: 62, providerToConsumer: 0, wasted: 40, perPayment: 3.1, unattributed: 0, free: 0 },
        bytes: { total: 10_000, consumerToProvider: 4000, providerToConsumer: 6000 },
        latencyMs: { min: 10, mean: 900, p50: 1200, p90: 1800, p95: 2000, p99: 2400, max: 2500 },
        payments: { total: 20, detected: 20, missed: 0, duplicates: 0, succeeded: 18, failed: 2 },
        deliveries: { attempted: 0, succeeded: 0, retried: 0 },
        durationMs: 30_000,
      },
      {
        name: "webhook",
        requests: { total: 21, consumerToProvider: 1, providerToConsumer: 20, wasted: 1, perPayment: 1.05, unattributed: 1, free: 0 },
        bytes: { total: 4000, consumerToProvider: 200, providerToConsumer: 3800 },
        latencyMs: { min: 0.5, mean: 0.7, p50: 0.8, p90: 0.8, p95: 0.8, p99: 0.9, max: 1 },
        payments: { total: 20, detected: 19, missed: 1, duplicates: 0, succeeded: 18, failed: 2 },
        deliveries: { attempted: 20, succeeded: 20, retried: 0 },
        durationMs: 25_000,
      },
    ] as Array<{ name: string } & Record<string, unknown>>,
  };
}

/** Runs `fn`, expecting a ParseError; returns its message. */
function parseErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    const message = (err as ParseError).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a ParseError, got none");
}

const check = (text: string, result = fixture()) => evaluate(parseExpectation(text), result);

describe("parseExpectation: accepted forms", () => {
  it.each([
    "webhook.latencyMs.p95 < 50ms",
    "polling.requests.total >= 3 * webhook.requests.total",
    "*.payments.missed == 0",
    "polling.requests.wasted / polling.requests.total > 50%",
    "webhook.bytes.total < 0.5 * polling.bytes.total",
    "(polling.latencyMs.p50 - webhook.latencyMs.p50) > 100ms",
    "long-polling.requests.total <= polling-backoff.requests.total",
    "1 + 2 * 3 == 7",
    "-1 < 0",
    "- - 1 == 1",
    "1e3 == 1s",
    "1.5e-2 != .5",
    "2min == 120s",
    "polling.requests.total-1 > 0", // one (bad) path: the hyphen continues it; validatePaths catches it
    "  webhook.durationMs\t<\n1h  ",
    "*.requests.total * *.requests.total >= 0",
  ])("%s", (text) => {
    const e = parseExpectation(text);
    expect(e.text).toBe(text);
  });

  it("keeps the comparison operator and the two sides", () => {
    const e = parseExpectation("webhook.latencyMs.p95 <= 50ms");
    expect(e.op).toBe("<=");
    expect(e.left).toMatchObject({ kind: "path", strategy: "webhook", fields: ["latencyMs", "p95"] });
    expect(e.right).toMatchObject({ kind: "number", value: 50, unit: "ms" });
  });

  it("reads a hyphenated strategy name as one path, and spaced minus as subtraction", () => {
    expect(parseExpectation("long-polling.requests.total > 0").left).toMatchObject({ kind: "path", strategy: "long-polling" });
    const e = parseExpectation("polling.requests.total - 1 > 0");
    expect(e.left).toMatchObject({ kind: "binary", op: "-" });
    expect(parseExpectation("polling.requests.total -1 > 0").left).toMatchObject({ kind: "binary", op: "-" });
  });

  it("treats * as multiplication after an operand and as a wildcard where an operand is expected", () => {
    const e = parseExpectation("2 * *.requests.total > 0");
    expect(e.left).toMatchObject({ kind: "binary", op: "*", right: { kind: "path", strategy: "*" } });
    expect(parseExpectation("2*.5 == 1").left).toMatchObject({ kind: "binary", op: "*", right: { kind: "number", value: 0.5 } });
  });
});

describe("parseExpectation: units", () => {
  it.each([
    ["12", 12],
    ["0.5", 0.5],
    ["1e3", 1000],
    ["50ms", 50],
    ["2s", 2000],
    ["1.5m", 90_000],
    ["2min", 120_000],
    ["1h", 3_600_000],
    ["50%", 0.5],
    ["250us", 0.25],
  ])("%s is %d", (literal, value) => {
    const e = parseExpectation(`${literal} == 0`);
    expect(e.left).toMatchObject({ kind: "number" });
    expect((e.left as { value: number }).value).toBeCloseTo(value, 9);
  });
});

describe("parseExpectation: rejected forms", () => {
  it.each<[string, RegExp]>([
    ["webhook.latencyMs.p95 50ms", /expected a comparison operator \(<, <=, >, >=, ==, !=\) at column 23 of "webhook\.latencyMs\.p95 50ms"/],
    ["", /expected a number.* at column 1 of ""/],
    ["   ", /at column 4/],
    ["webhook.latencyMs.p95 <", /expected a number, a path .* at column 24/],
    ["webhook.latencyMs.p95 < 50 ms", /column 28.*"ms".*right after the number/],
    ["1 < 2 < 3", /column 7.*exactly one comparison/],
    ["(1 < 2", /expected "\)" at column 4.*column 1 is not closed/],
    ["1 < 2)", /column 6.*"\)"/],
    ["1 = 2", /unexpected "=" at column 3.*"=="/],
    ["1 ! 2", /unexpected "!" at column 3/],
    ["1 <> 2", /column 4.*">"/],
    ["5x < 1", /unit .* at column 2.*"x"/],
    ["5mss < 1", /"mss"/],
    ["1_000 < 2", /"_000"/],
    ["1.2.3 < 4", /column 4/],
    ["polling. < 1", /expected a field name after "\." at column 9/],
    ["polling..total < 1", /field name.*column 9/],
    ["*. < 1", /field name.*column 3/],
    ["polling < 1", /column 1.*"polling".*polling\.requests\.total/],
    ["webhook.latencyMs.p95 < 50 # ms", /unexpected character "#" at column 28/],
    ["a.b < 1 && c.d > 2", /column 9/],
    ["* 2 < 1", /column 1.*"\*"/],
    ["1e999 < 1", /"1e999" is too large/],
    ["poll_ing.requests.total < 1", /strategy name.*"poll_ing"/],
    ["1 < 2\u0000", /column 6/],
    ["1 +", /column 4.*end of the expression/],
    ["()", /column 2.*"\)"/],
  ])("%j", (text, pattern) => {
    expect(parseErrorOf(() => parseExpectation(text))).toMatch(pattern);
  });

  it("rejects a non-string with a ParseError", () => {
    expect(parseErrorOf(() => parseExpectation(undefined as unknown as string))).toMatch(/string/);
    expect(parseErrorOf(() => parseExpectation(42 as unknown as string))).toMatch(/string/);
  });

  it("limits the length", () => {
    const text = `1 < ${"1".repeat(MAX_EXPECTATION_LENGTH)}`;
    expect(parseErrorOf(() => parseExpectation(text))).toMatch(/too long.*limit is 1000/);
  });

  it("limits nesting depth without blowing the stack", () => {
    const deep = (n: number) => `${"(".repeat(n)}1${")".repeat(n)} == 1`;
    expect(parseExpectation(deep(MAX_NESTING_DEPTH)).op).toBe("==");
    expect(parseErrorOf(() => parseExpectation(deep(MAX_NESTING_DEPTH + 1)))).toMatch(/nesting is deeper than 64 levels at column 65/);
    expect(parseErrorOf(() => parseExpectation(`${"(".repeat(400)}1 == 1`))).toMatch(/nesting/);
    expect(parseErrorOf(() => parseExpectation(`${"-".repeat(400)}1 == 1`))).toMatch(/nesting/);
    expect(parseErrorOf(() => parseExpectation(`${"(".repeat(100_000)}1`))).toMatch(/too long/);
  });

  it("evaluates a long flat chain (iterative, not nested)", () => {
    const text = `1${" + 1".repeat(200)} == 201`;
    expect(check(text).ok).toBe(true);
  });

  it("shortens a long expectation in the message to one line around the column", () => {
    const text = `${"1 + ".repeat(100)}# == 1`;
    const message = parseErrorOf(() => parseExpectation(text));
    expect(message).toMatch(/unexpected character "#" at column 401 of "….*#/);
    expect(message.length).toBeLessThan(250);
  });
});

describe("precedence and arithmetic", () => {
  it.each([
    ["1 + 2 * 3 == 7", true],
    ["(1 + 2) * 3 == 9", true],
    ["10 - 4 - 3 == 3", true],
    ["12 / 2 / 3 == 2", true],
    ["-2 * -3 == 6", true],
    ["-(1 + 2) == -3", true],
    ["2 - -1 == 3", true],
    ["0.1 + 0.2 == 0.3", true],
    ["0.1 + 0.2 <= 0.3", true],
    ["0.1 + 0.2 < 0.3", false],
    ["1 != 1", false],
    ["1 != 2", true],
    ["1s == 1000ms", true],
    ["1h > 59min", true],
    ["50% == 0.5", true],
  ])("%s → %s", (text, ok) => {
    expect(check(text).ok).toBe(ok);
  });
});

describe("evaluate", () => {
  it("checks the examples against a result, with readable details", () => {
    const latency = check("webhook.latencyMs.p95 < 50ms");
    expect(latency.ok).toBe(true);
    expect(latency.checks).toEqual([{ ok: true, left: 0.8, right: 50, bindings: {}, detail: "got 0.8 ms, expected < 50 ms" }]);

    const requests = check("polling.requests.total >= 3 * webhook.requests.total");
    expect(requests.ok).toBe(false);
    expect(requests.checks[0]!.detail).toBe("got 62, expected >= 63 (3 × webhook.requests.total = 3 × 21)");

    const wasted = check("polling.requests.wasted / polling.requests.total > 50%");
    expect(wasted.ok).toBe(true);
    expect(wasted.checks[0]!.detail).toBe("got 0.645 (polling.requests.wasted / polling.requests.total = 40 / 62), expected > 50%");

    const bytes = check("webhook.bytes.total < 0.5 * polling.bytes.total");
    expect(bytes.ok).toBe(true);
    expect(bytes.checks[0]!.detail).toBe("got 4000, expected < 5000 (0.5 × polling.bytes.total = 0.5 × 10000)");

    const gap = check("(polling.latencyMs.p50 - webhook.latencyMs.p50) > 100ms");
    expect(gap.ok).toBe(true);
    expect(gap.checks[0]!.detail).toBe("got 1.199 s ((polling.latencyMs.p50 - webhook.latencyMs.p50) = (1.2 s - 0.8 ms)), expected > 100 ms");
    expect(gap.checks[0]!.left).toBeCloseTo(1199.2, 9);

    expect(check("polling.durationMs > 20s").checks[0]!.detail).toBe("got 30 s, expected > 20 s");
    // The issue's own example: a failure never reads as a true sentence (it once read `polling.requests.total = 62 < 5`).
    const failed = check("polling.requests.total < 5");
    expect(failed.ok).toBe(false);
    expect(failed.checks[0]!.detail).toBe("got 62, expected < 5");
    // A path on the right only: what was got is still said first, the comparison turned round.
    expect(check("5 > polling.requests.total").checks[0]!.detail).toBe("got 62, expected < 5");
    expect(check("100 < polling.requests.total - webhook.requests.total").checks[0]!.detail).toBe("got 41 (polling.requests.total - webhook.requests.total = 62 - 21), expected > 100");
  });

  it("expands * to every strategy and flags the one that fails", () => {
    const outcome = check("*.payments.missed == 0");
    expect(outcome.ok).toBe(false);
    expect(outcome.checks).toHaveLength(2);
    expect(outcome.checks[0]).toMatchObject({ ok: true, bindings: { "*": "polling" }, detail: "polling: got 0, expected == 0" });
    expect(outcome.checks[1]).toMatchObject({ ok: false, bindings: { "*": "webhook" }, left: 1, right: 0, detail: "webhook: got 1, expected == 0" });
  });

  it("binds every * in one expectation to the same strategy", () => {
    const outcome = check("*.requests.wasted < *.requests.total");
    expect(outcome.ok).toBe(true);
    expect(outcome.checks.map((c) => [c.bindings["*"], c.left, c.right])).toEqual([
      ["polling", 40, 62],
      ["webhook", 1, 21],
    ]);
  });

  it("fails * when the result has no strategies", () => {
    const outcome = check("*.payments.missed == 0", { strategies: [] });
    expect(outcome.ok).toBe(false);
    expect(outcome.checks[0]!.detail).toMatch(/no strategies/);
  });

  it("fails a check whose value is missing, never passing on NaN", () => {
    const result = fixture();
    result.strategies[1]!.latencyMs = null;
    const outcome = check("webhook.latencyMs.p95 < 50ms", result);
    expect(outcome.ok).toBe(false);
    expect(outcome.checks[0]!.ok).toBe(false);
    expect(Number.isNaN(outcome.checks[0]!.left)).toBe(true);
    expect(outcome.checks[0]!.detail).toMatch(/webhook\.latencyMs\.p95 is missing \(webhook\.latencyMs is null\)/);

    // `!=` would hold for NaN in plain JavaScript: here it must fail.
    expect(check("webhook.latencyMs.p95 != 50ms", result).ok).toBe(false);
    expect(check("*.latencyMs.p95 < 1h", result).checks.map((c) => c.ok)).toEqual([true, false]);
  });

  it.each([
    ["webhook.health.status == 1", /webhook\.health\.status is missing \(not in the result\)/],
    ["webhook.requests > 1", /webhook\.requests is missing \(an object, not a number\)/],
    ["sse.requests.total > 1", /sse\.requests\.total is missing \(the result has no strategy "sse"; it has polling, webhook\)/],
  ])("fails %s with a missing-value detail", (text, pattern) => {
    const outcome = check(text);
    expect(outcome.ok).toBe(false);
    expect(outcome.checks[0]!.detail).toMatch(pattern);
  });

  it("fails a non-number value", () => {
    const result = fixture();
    (result.strategies[0]!.requests as Record<string, unknown>).total = "62";
    const outcome = check("polling.requests.total > 1", result);
    expect(outcome.ok).toBe(false);
    expect(outcome.checks[0]!.detail).toMatch(/missing \(a string, not a number\)/);
  });

  it("fails on division by zero with a detail that says so", () => {
    const result = fixture();
    (result.strategies[1]!.requests as Record<string, unknown>).total = 0;
    const outcome = check("webhook.requests.wasted / webhook.requests.total < 50%", result);
    expect(outcome.ok).toBe(false);
    expect(outcome.checks[0]!.detail).toBe("division by zero: webhook.requests.total is 0 in webhook.requests.wasted / webhook.requests.total");
    expect(check("1 / 0 > 0").ok).toBe(false);
    expect(check("1 / (1 - 1) != 0").ok).toBe(false);
  });

  it("does not read inherited properties", () => {
    expect(check("polling.requests.constructor > 0").ok).toBe(false);
    expect(check("polling.__proto__.x > 0").ok).toBe(false);
  });

  it("formats numbers with at most 3 decimals", () => {
    expect(check("1 / 3 < 1").checks[0]!.detail).toBe("got 0.333 (1 / 3), expected < 1");
  });
});

describe("validatePaths", () => {
  const strategies = ["polling", "webhook"];
  const validate = (text: string) => validatePaths(parseExpectation(text), strategies);

  it.each([
    "webhook.latencyMs.p95 < 50ms",
    "*.payments.missed == 0",
    "polling.model.requests.total > 0",
    "webhook.model.latencyMs.mean > 0",
    "webhook.errors.timeouts == 0",
    "webhook.payments.missedByReason.deadline == 0",
    "webhook.health.signatureFailures == 0",
  ])("accepts %s", (text) => {
    expect(() => validate(text)).not.toThrow();
  });

  it("names an unknown strategy and the known ones", () => {
    const message = parseErrorOf(() => validate("webhok.latencyMs.p95 < 50ms"));
    expect(message).toMatch(/^"webhok" is not a strategy in this scenario; expected one of polling, webhook/);
    expect(message).toMatch(/column 1/);
  });

  it.each([
    ["webhook.latencyMs.p59 < 50ms", "latencyMs.p95"],
    ["webhook.latency.p95 < 50ms", "latencyMs.p95"],
    ["polling.requests.totl > 1", "requests.total"],
    ["polling.Requests.Total > 1", "requests.total"],
    ["polling.payment.missed == 0", "payments.missed"],
    ["*.latencyMs > 1", "latencyMs."],
    ["polling.errors > 1", ""],
  ])("rejects the unknown field in %s", (text, suggestion) => {
    const message = parseErrorOf(() => validate(text));
    expect(message).toMatch(/is not a field of a strategy result/);
    expect(message).toMatch(/did you mean /);
    if (suggestion) expect(message).toContain(`did you mean ${suggestion}`);
  });

  it("explains a subtraction written without spaces", () => {
    const message = parseErrorOf(() => validate("polling.requests.total-webhook.requests.total > 0"));
    expect(message).toContain("did you mean requests.total?");
    expect(message).toContain('put spaces around "-"');
  });

  it("checks paths on both sides, left first", () => {
    expect(parseErrorOf(() => validate("polling.requests.total > sse.requests.total"))).toMatch(/"sse"/);
    expect(parseErrorOf(() => validate("nope.a.b > sse.requests.total"))).toMatch(/"nope"/);
  });
});

describe("fuzz: garbage never throws anything but ParseError", () => {
  /** mulberry32: a small seeded PRNG, so failures reproduce. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const pieces = [
    "polling", "webhook", "long-polling", "*", ".", "requests", "total", "latencyMs", "p95", "(", ")", "-", "+", "/",
    "<", "<=", ">", ">=", "==", "!=", "=", "!", "ms", "s", "m", "min", "h", "%", "0", "1", "2.5", "1e3", "e", "E-", " ", "  ",
    "\t", "\n", "_", "µ", "é", "💥", "\u2028", "\u0000", "#", "[", "]", "'", "\"", "\\", "__proto__", "constructor", ".5", "..",
  ];

  function garbage(rand: () => number): string {
    const mode = rand();
    let out = "";
    if (mode < 0.3) {
      // raw characters, including non-ASCII and lone surrogates
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) out += String.fromCharCode(Math.floor(rand() * (rand() < 0.8 ? 128 : 0xffff)));
    } else if (mode < 0.8) {
      // grammar-ish soup
      const n = Math.floor(rand() * 30);
      for (let i = 0; i < n; i++) out += pieces[Math.floor(rand() * pieces.length)];
    } else {
      // a valid expectation with a few characters mutated
      const seeds = [
        "webhook.latencyMs.p95 < 50ms",
        "polling.requests.total >= 3 * webhook.requests.total",
        "*.payments.missed == 0",
        "(polling.latencyMs.p50 - webhook.latencyMs.p50) > 100ms",
      ];
      const chars = [...seeds[Math.floor(rand() * seeds.length)]!];
      const edits = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < edits; i++) {
        const at = Math.floor(rand() * (chars.length + 1));
        const piece = pieces[Math.floor(rand() * pieces.length)]!;
        if (rand() < 0.5) chars.splice(at, 1);
        else chars.splice(at, 0, piece);
      }
      out = chars.join("");
    }
    return out;
  }

  it("survives 600 generated strings", () => {
    const rand = prng(20240611);
    let parsed = 0;
    for (let i = 0; i < 600; i++) {
      const text = garbage(rand);
      let e: Expectation | undefined;
      try {
        e = parseExpectation(text);
      } catch (err) {
        if (!(err instanceof ParseError)) throw new Error(`non-ParseError for ${JSON.stringify(text)}: ${String(err)}`);
        expect(err.message, JSON.stringify(text)).not.toMatch(/[\n\r\u2028\u2029]/);
        continue;
      }
      parsed++;
      try {
        validatePaths(e, ["polling", "webhook"]);
      } catch (err) {
        if (!(err instanceof ParseError)) throw new Error(`validatePaths threw a non-ParseError for ${JSON.stringify(text)}: ${String(err)}`);
      }
      const outcome = evaluate(e, fixture());
      for (const c of outcome.checks) {
        if (Number.isNaN(c.left) || Number.isNaN(c.right)) expect(c.ok).toBe(false);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it("survives deep and odd nesting", () => {
    for (const text of [
      "(".repeat(999),
      ")".repeat(999),
      "-".repeat(999),
      "()".repeat(499),
      `${"(-".repeat(300)}1`,
      `${"1*".repeat(499)}1`,
      `${"*.".repeat(499)}`,
    ]) {
      expect(() => parseExpectation(text)).toThrow(ParseError);
    }
  });
});
