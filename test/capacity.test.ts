import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRealClock, peakLoads, REAL_CLOCK_LIMITS } from "../src/run/capacity.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { parseDistribution } from "../src/scenario/distribution.js";
import type { Scenario } from "../src/scenario/types.js";
import { runCli } from "./helpers/cli.js";

// Issue 13, H3: the real clock refuses, unless --force, what one machine cannot run faithfully,
// and points to --clock virtual (limits and their measurements in src/run/capacity.ts).

function scenario(change: (s: Scenario) => void): Scenario {
  const s = defaultScenario();
  change(s);
  return s;
}

const loadOf = (s: Scenario, name: string) => peakLoads(s).find((l) => l.strategy === name)!;

describe("peakLoads: the busiest wall second of each strategy, from the run's own draws", () => {
  it("a burst polled every second: every payment pending at once, polled once a second", () => {
    const s = scenario((s) => ((s.payments.count = 1000), (s.strategies = ["polling", "webhook"])));
    expect(loadOf(s, "polling").perSecond).toBe(1000);
    // 1,000 settling within 0.5–4 s: the busiest second holds a share of them, never more than all.
    const pushed = loadOf(s, "webhook").perSecond;
    expect(pushed).toBeGreaterThan(1000 / 3.5 - 50);
    expect(pushed).toBeLessThan(1000);
  });

  it("scales with --speed and the poll interval; payments arriving at a rate are fewer at once (Little's law)", () => {
    const base = scenario((s) => ((s.payments.count = 1000), (s.strategies = ["polling"])));
    expect(loadOf({ ...base, speed: 4 }, "polling").perSecond).toBe(4000);
    expect(loadOf({ ...base, polling: { intervalMs: 250 } }, "polling").perSecond).toBe(4000);
    const arriving = scenario((s) => {
      s.payments = { count: 1000, arrival: { kind: "rate", perSecond: 10, source: "10/s" } };
      s.settlement.delay = parseDistribution("fixed(2s)");
      s.strategies = ["polling"];
    });
    // 10 a second, each pending 2 s: 20 at once on average; the busiest moment of a Poisson process
    // over 100 s sits a few standard deviations (√20 ≈ 4.5) above that, and far below the burst's 1,000.
    expect(loadOf(arriving, "polling").perSecond).toBeGreaterThanOrEqual(20);
    expect(loadOf(arriving, "polling").perSecond).toBeLessThanOrEqual(40);
  });

  it("every example scenario runs on the real clock without --force", async () => {
    const { readdir } = await import("node:fs/promises");
    const { loadScenarioFile } = await import("../src/scenario/load.js");
    const files = (await readdir("examples")).filter((f) => /\.(json|ya?ml)$/.test(f) && !f.endsWith(".schema.json"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) checkRealClock(await loadScenarioFile(`examples/${f}`), false, f);
  });
});

describe("checkRealClock refuses, naming the limit and the way out", () => {
  it.each<[string, (s: Scenario) => void, RegExp]>([
    ["more payments than the limit", (s) => (s.payments.count = REAL_CLOCK_LIMITS.payments + 1), /has 100,001 payments, more than the 100,000 the real clock runs faithfully on one machine; use --clock virtual to simulate it, or --force/],
    ["polls past the rate", (s) => ((s.payments.count = 30_000), (s.strategies = ["polling"])), /needs about 30,000 requests a second for polling at its peak \(30,000 payments pending, each polled every 1s\), more than the 20,000/],
    ["more long polls than connections", (s) => ((s.payments.count = 300), (s.strategies = ["long-polling"])), /holds 300 long polls at once at its peak, more than the 256 connections the consumer opens/],
  ])("%s", (_what, change, message) => {
    const s = scenario(change);
    expect(() => checkRealClock(s, false)).toThrow(message);
    expect(() => checkRealClock(s, true)).not.toThrow();
  });
});

describe("the CLI", () => {
  it("compare --payments 1000000 is refused before anything runs; the virtual clock takes it", async () => {
    const r = await runCli(["compare", "--payments", "1000000"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: the scenario has 1,000,000 payments, more than the 100,000 .*use --clock virtual to simulate it, or --force to run it on the real clock anyway\n$/);
    const virtual = await runCli(["compare", "--payments", "1000000", "--arrival", "12/s", "--clock", "virtual", "--format", "json"]);
    expect(virtual.code, virtual.stderr).toBe(0);
    expect(JSON.parse(virtual.stdout).strategies[0].payments.total).toBe(1_000_000);
  }, 60_000);

  it("past a million payments the real clock refuses even with --force; sweep, which has no virtual clock, offers none", async () => {
    const r = await runCli(["compare", "--payments", "1000001", "--force"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: the scenario has 1,000,001 payments; the real clock runs at most 1,000,000, even with --force; use --clock virtual to simulate it\n");
    const sweep = await runCli(["sweep", "-n", "1000001", "--force"]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toMatch(/^error: .*1,000,001 payments; the real clock runs at most 1,000,000, even with --force\n$/);
  });

  it("sweep checks its shortest interval; check reports a scenario past the limit as an error and runs the rest", async () => {
    const sweep = await runCli(["sweep", "-n", "6000", "--intervals", "250ms,1s"]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toMatch(/needs about 24,000 requests a second for polling .*each polled every 250ms\), .*; use --force to run it anyway, or slow it down/);
    const dir = mkdtempSync(join(tmpdir(), "apiwh-capacity-"));
    try {
      writeFileSync(join(dir, "big.json"), JSON.stringify({ name: "big", payments: { count: 200_000 } }));
      writeFileSync(join(dir, "small.json"), JSON.stringify({ name: "small", payments: { count: 2 }, settlement: { delay: "fixed(50ms)" }, speed: 10, strategies: ["webhook"] }));
      const check = await runCli(["check", dir, "--format", "json"]);
      expect(check.code).toBe(2);
      const json = JSON.parse(check.stdout) as { scenarios: Array<{ name: string; status: string; error?: string }> };
      // A scenario that cannot run is named by its file.
      expect(json.scenarios.map((s) => [s.name.replace(/^.*\//, ""), s.status])).toEqual([
        ["big.json", "error"],
        ["small", "passed"],
      ]);
      expect(json.scenarios[0]!.error).toMatch(/big\.json has 200,000 payments, more than the 100,000 .*--force/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("check --jobs refuses in the scenario's own thread and --force reaches it there; sweep --target checks the interval its search chose", async () => {
    const dir = mkdtempSync(join(tmpdir(), "apiwh-capacity-"));
    try {
      // 300 long polls held at once, past the consumer's 256 connections, yet a run of a fraction of a second.
      writeFileSync(join(dir, "held.json"), JSON.stringify({ name: "held", payments: { count: 300 }, settlement: { delay: "fixed(50ms)" }, speed: 10, strategies: ["long-polling"] }));
      writeFileSync(join(dir, "small.json"), JSON.stringify({ name: "small", payments: { count: 2 }, settlement: { delay: "fixed(50ms)" }, speed: 10, strategies: ["webhook"] }));
      const statuses = (stdout: string) => (JSON.parse(stdout) as { scenarios: Array<{ name: string; status: string; error?: string }> }).scenarios.map((s) => [s.name.replace(/^.*\//, ""), s.status, s.error]);
      const refused = await runCli(["check", dir, "--jobs", "2", "--format", "json"]);
      expect(refused.code).toBe(2);
      expect(statuses(refused.stdout)).toEqual([
        ["held.json", "error", expect.stringMatching(/holds 300 long polls at once at its peak, more than the 256 connections .*--force/)],
        ["small", "passed", undefined],
      ]);
      const forced = await runCli(["check", dir, "--jobs", "2", "--force", "--format", "json"]);
      expect(statuses(forced.stdout)).toEqual([
        ["held", "passed", undefined],
        ["small", "passed", undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The search (virtual clock) settles on 100 ms: 6,000 payments pending, 60,000 polls a second. Refused before that real run.
    const target = await runCli(["sweep", "-n", "6000", "--target", "p95 < 100ms", "--format", "json"]);
    expect(target.code).toBe(2);
    expect(target.stdout).toBe("");
    expect(target.stderr).toMatch(/^error: the scenario polled every 100ms \(the interval --target chose\) needs about 60,000 requests a second for polling .*; use --force to run it anyway/m);
    // No real run started: the search's simulations print only their outcome, a real run its start.
    expect(target.stderr).toMatch(/polling every 100 ms \(virtual clock\): .* meets the target/);
    expect(target.stderr).not.toMatch(/: running/);
  }, 60_000);
});
