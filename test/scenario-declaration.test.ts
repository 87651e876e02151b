import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import * as flag from "../src/cli/flags.js";
import { scenarioSchemaText } from "../src/scenario/json-schema.js";
import { validateScenario } from "../src/scenario/validate.js";
import { PROBES } from "./scenario-probes.js";

const require = createRequire(import.meta.url);
const Ajv = require("ajv") as typeof import("ajv").default;

const committed = readFileSync(new URL("../examples/scenario.schema.json", import.meta.url), "utf8");
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(committed));

function validatorSays(doc: unknown): { ok: true } | { ok: false; message: string } {
  try {
    validateScenario(doc, "probe.json");
    return { ok: true };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { ok: false, message: err.message };
  }
}

describe("examples/scenario.schema.json", () => {
  it("is what the declaration generates (run `npm run schema` after changing a field)", () => {
    expect(committed).toBe(scenarioSchemaText());
  });
});

describe("the validator and the generated schema agree", () => {
  it("has probes of every verdict", () => {
    const count = (v: string) => PROBES.filter((p) => p.verdict === v).length;
    expect([count("valid"), count("invalid"), count("beyond-schema")].every((n) => n >= 10)).toBe(true);
  });

  it.each(PROBES.map((p) => [p.what, p] as const))("%s", (_what, probe) => {
    const tool = validatorSays(probe.doc);
    const editor = validate(probe.doc);
    if (probe.verdict === "valid") {
      expect(tool, JSON.stringify(tool)).toEqual({ ok: true });
      expect(editor, JSON.stringify(validate.errors)).toBe(true);
      return;
    }
    expect(tool.ok).toBe(false);
    const message = (tool as { message: string }).message;
    expect(message).toMatch(/^probe\.json: /);
    expect(message).not.toContain("\n");
    // zod's own wording never reaches the user.
    expect(message).not.toMatch(/Invalid input|expected string, received|Unrecognized key/);
    if (probe.reason) expect(message).toContain(probe.reason);
    // Where JSON Schema can state the rule, the schema refuses too; where it cannot, it accepts.
    expect(editor).toBe(probe.verdict === "beyond-schema");
  });
});

describe("flags read the same fields as files", () => {
  // Each flag against the file field it sets: the same text is accepted by both or by neither.
  const pairs: Array<[string, (text: string) => unknown, (text: string) => unknown, string[]]> = [
    ["--deadline", flag.deadline, (t) => ({ deadline: t }), ["30s", "7d", "168h", "8d", "25d", "0s", "5 sec", " 2s ", "1e3ms"]],
    ["--interval", flag.interval, (t) => ({ polling: { interval: t } }), ["1s", "7d", "25d", "0", "-1s"]],
    ["--latency", flag.latency, (t) => ({ network: { latency: t } }), ["0", "0ms", "1m", "61s", "2ms"]],
    ["--delay", flag.delay, (t) => ({ settlement: { delay: t } }), ["2s", "uniform(4s, 1s)", "uniform(1s, 8d)", "exponential(mean=2s)", "gaussian(2s)"]],
    ["--rate-limit", flag.rateLimit, (t) => ({ provider: { rateLimit: t } }), ["25/s", "0/s", "0.5/h", "1/h", "2000000/s", "50"]],
    ["--retries", flag.retriesSchedule, (t) => ({ webhook: { retries: t === "standard" || t === "none" ? t : t.split(",") } }), ["standard", "none", "0s,5s,5m", "5s,1s", "0s,8d"]],
    ["--strategies", flag.strategyList, (t) => ({ strategies: t.split(",") }), ["polling,webhook", "polling,polling", "polling,webhok"]],
    ["--seed", flag.seed, (t) => ({ seed: Number(t) }), ["0", "42", "4294967295", "4294967296", "-1"]],
    ["--payments", flag.payments, (t) => ({ payments: { count: Number(t) } }), ["1", "10000000", "10000001", "0"]],
    ["--speed", flag.speedFactor, (t) => ({ speed: Number(t) }), ["1", "60", "10000", "0.5", "10001"]],
    ["--failure-rate", flag.failureRate, (t) => ({ settlement: { failureRate: Number(t) } }), ["0", "0.05", "1", "1.5"]],
  ];
  it.each(pairs)("%s", (_name, parse, asFile, texts) => {
    for (const text of texts) {
      let cli = true;
      try {
        parse(text);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        cli = false;
      }
      expect(cli, text).toBe(validatorSays(asFile(text)).ok);
    }
  });

  it("refuses numbers a JSON file could not write", () => {
    for (const text of ["0x1", "1e3", "0b1", "Infinity", "NaN", " ", "1.", "+5"]) {
      expect(() => flag.seed(text), text).toThrow(/--seed .* is not a seed; expected a whole number from 0 to 4,294,967,295/);
      expect(() => flag.payments(text), text).toThrow(UsageError);
    }
    expect(flag.payments("1_000")).toBe(1000);
  });

  it("echoes a bad value at most 40 characters long", () => {
    const long = "9".repeat(100_000);
    for (const parse of [flag.seed, flag.deadline, flag.rateLimit, flag.delay, flag.strategyList]) {
      let message = "";
      try {
        parse(long);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`"${"9".repeat(40)}…"`);
      expect(message.length).toBeLessThan(200);
    }
  });
});
