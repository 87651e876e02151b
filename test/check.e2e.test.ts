import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckResult, CompareResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";

/** A scenario that finishes in well under a second of wall time. */
function quick(overrides: Record<string, unknown> = {}) {
  return {
    name: "quick",
    description: "a fast scenario for tests",
    seed: 5,
    payments: { count: 4, arrival: "burst" },
    settlement: { delay: "uniform(50ms, 200ms)", failureRate: 0 },
    polling: { interval: "50ms" },
    deadline: "5s",
    strategies: ["polling", "webhook"],
    expect: ["*.payments.missed == 0", "webhook.requests.providerToConsumer == 4"],
    ...overrides,
  };
}

function dirWith(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), "apiwh-check-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return dir;
}

describe("apiwh compare <file>", () => {
  it("runs a scenario file, flags override it, expectations are reported", async () => {
    const dir = dirWith({ "s.json": quick() });
    const run = await runCli(["compare", join(dir, "s.json"), "--payments", "3", "--format", "json", "--expect", "webhook.requests.providerToConsumer == 3"]);
    // One expectation fails, so the exit code is 1 while the JSON still prints in full.
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as CompareResult;
    expect(result.scenario).toMatchObject({ name: "quick", payments: 3, seed: 5, pollIntervalMs: 50 });
    expect(result.expectations).toHaveLength(3);
    // The file's "== 4" no longer holds with --payments 3, the flag's "== 3" does; both are reported.
    expect(result.expectations!.map((e) => e.ok)).toEqual([true, false, true]);
    const polling = result.strategies.find((s) => s.name === "polling")!;
    expect(polling.model).not.toBeNull();
    expect(polling.model!.requests.total).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("a failed expectation exits 1 with a ✗ line and the measured values", async () => {
    const dir = dirWith({ "s.json": quick({ expect: ["webhook.requests.total > 1000"] }) });
    const run = await runCli(["compare", join(dir, "s.json")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ webhook\.requests\.total > 1000/);
    // What was measured, then what was wanted: never a line that reads as if it held.
    expect(run.stdout).toMatch(/✗ webhook\.requests\.total > 1000 — got 5, expected > 1000/);
  }, 30_000);

  it("YAML works too", async () => {
    const dir = dirWith({ "s.yaml": "name: yml\npayments: { count: 2 }\nsettlement: { delay: fixed(50ms) }\npolling: { interval: 50ms }\n" });
    const run = await runCli(["compare", join(dir, "s.yaml"), "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as CompareResult).scenario.name).toBe("yml");
  }, 30_000);

  it("--repeat runs seeds seed…seed+n−1 and reports the spread", async () => {
    const dir = dirWith({ "s.json": quick({ expect: [] }) });
    const run = await runCli(["compare", join(dir, "s.json"), "--repeat", "3", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as CompareResult;
    expect(result.repeat).toMatchObject({ runs: 3, seeds: [5, 6, 7] });
    expect(result.repeat!.stddev.map((s) => s.name)).toEqual(["polling", "webhook"]);
    expect(result.repeat!.stddev[1]!.requests.total).toBe(0);
  }, 30_000);
});

describe("bad scenario input exits 2 with one line naming the file and field, and runs nothing", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["missing file", "", /not found/],
    ["malformed JSON", '{\n  "name": "x",\n  "seed": 42,,\n}', /s\.json:3:\d+/],
    ["unknown field", JSON.stringify({ setlement: {} }), /unknown field "setlement".*did you mean "settlement"/],
    ["wrong unit", JSON.stringify({ polling: { interval: "5 sec" } }), /polling\.interval.*"5 sec"/],
    ["non-positive count", JSON.stringify({ payments: { count: 0 } }), /payments\.count.*0/],
    ["impossible distribution", JSON.stringify({ settlement: { delay: "uniform(4s, 1s)" } }), /settlement\.delay.*impossible/],
    ["expectation that does not parse", JSON.stringify({ expect: ["webhook.latencyMs.p95 50ms"] }), /expect\[0\].*comparison operator/],
    ["expectation with an unknown path", JSON.stringify({ expect: ["webhook.latency.p95 < 5ms"] }), /expect\[0\].*latency\.p95.*did you mean latencyMs\.p95/],
    ["expectation naming an absent strategy", JSON.stringify({ expect: ["webhok.requests.total < 5"] }), /expect\[0\].*"webhok" is not a strategy/],
  ];
  it.each(cases)("%s", async (_, content, message) => {
    const dir = content ? dirWith({ "s.json": content }) : dirWith({});
    const run = await runCli(["compare", join(dir, "s.json")]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("malformed YAML with line and column", async () => {
    const dir = dirWith({ "s.yaml": "name: x\npayments:\n  count: [1, 2\n" });
    const run = await runCli(["compare", join(dir, "s.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/s\.yaml:\d+:\d+/);
  });
});

describe("apiwh check", () => {
  it("exits 0 when every expectation holds, prints a line per scenario and a summary, writes JUnit", async () => {
    const dir = dirWith({ "a.json": quick({ name: "alpha" }), "b.json": quick({ name: "beta", seed: 9 }), "scenario.schema.json": { not: "a scenario" } });
    const junit = join(dir, "results.xml");
    const run = await runCli(["check", dir, "--junit", junit]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/alpha/);
    expect(run.stdout).toMatch(/beta/);
    expect(run.stdout).toMatch(/2 scenarios/);
    const xml = readFileSync(junit, "utf8");
    expect(xml.startsWith("<?xml")).toBe(true);
    expect(xml.match(/<testcase\b/g)).toHaveLength(4);
    expect(xml).not.toMatch(/<failure/);
    expect(xml.match(/<testsuite\b/g)).toHaveLength(2);
  }, 60_000);

  it("exits 1 when an expectation fails; the JUnit file has the failure and JSON says which", async () => {
    const dir = dirWith({ "a.json": quick({ name: "alpha" }), "b.json": quick({ name: "impossible", expect: ["webhook.latencyMs.p50 > polling.latencyMs.max * 1000", "*.payments.missed == 0"] }) });
    const junit = join(dir, "results.xml");
    const run = await runCli(["check", dir, "--junit", junit, "--format", "json"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as CheckResult;
    expect(result.ok).toBe(false);
    expect(result.summary).toMatchObject({ scenarios: 2, passed: 1, failed: 1, errors: 0, expectations: 4, expectationsFailed: 1 });
    const xml = readFileSync(junit, "utf8");
    expect(xml.match(/<testcase\b/g)).toHaveLength(4);
    expect(xml.match(/<failure\b/g)).toHaveLength(1);
    expect(xml).toMatch(/webhook\.latencyMs\.p50 &gt; polling/);
  }, 60_000);

  it("exits 2 when a scenario file is invalid, still running and reporting the others", async () => {
    const dir = dirWith({ "a.json": quick({ name: "alpha" }), "bad.json": { payments: { count: -3 } } });
    const run = await runCli(["check", dir, "--format", "markdown"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/alpha/);
    expect(run.stdout).toMatch(/payments\.count/);
  }, 60_000);

  it("exits 2 for a path that does not exist", async () => {
    const run = await runCli(["check", "/nonexistent/scenarios"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not found/);
  });
});
