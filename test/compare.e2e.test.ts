import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDistribution } from "../src/scenario/distribution.js";
import { settlementFor } from "../src/scenario/plan.js";
import type { CompareDocument, CompareResult, StrategyResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";

const byName = (r: CompareResult, name: string): StrategyResult => r.strategies.find((s) => s.name === name)!;

/**
 * How late the provider's settlement timers may fire in this strategy's run, in scenario ms. Node
 * timers fire up to 1 ms early against hrtime (the −2 where this is used) and late when the loop or
 * the thread is held up; the run measures exactly that on the provider's loop (health: the worst
 * lateness of a timer sampled every 5 ms), so a settlement is late by at most that worst lateness
 * plus one sampling period, plus 1 ms for the settlement wheel's rounding up to whole ms. On an
 * idle machine this is about 10 ms; with the load average near 7 on two cores, over 100 ms was seen.
 */
function lateness(r: CompareResult, s: StrategyResult): number {
  expect(s.health?.provider, `${s.name}: the provider's loop health`).toBeTruthy();
  return (s.health!.provider!.eventLoopDelayMs.max + 5 + 1) * r.scenario.speed;
}

describe("apiwh compare (built-in scenario, real CLI over loopback)", () => {
  let result: CompareDocument;
  let stderr: string;

  beforeAll(async () => {
    const run = await runCli(["compare", "--format", "json", "--details"]);
    stderr = run.stderr;
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout) as CompareDocument;
  }, 60_000);

  it("prints only the JSON contract on stdout", () => {
    expect(result.schemaVersion).toBe(1);
    expect(result.tool.name).toBe("apiwh");
    expect(result.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.scenario).toMatchObject({ name: "checkout", payments: 20, seed: 42, pollIntervalMs: 1000 });
    expect(result.strategies.map((s) => s.name)).toEqual(["polling", "webhook"]);
    for (const s of result.strategies) {
      expect(Object.keys(s.requests).sort()).toEqual(["consumerToProvider", "free", "perPayment", "providerToConsumer", "total", "unattributed", "wasted"]);
      expect(Object.keys(s.bytes).sort()).toEqual(["consumerToProvider", "providerToConsumer", "total"]);
      expect(Object.keys(s.latencyMs!).sort()).toEqual(["max", "mean", "min", "p50", "p90", "p95", "p99"]);
      expect(s.payments).toMatchObject({ total: 20 });
      // The run lasts until its last detection, on the clock that stamped the detections.
      expect(s.durationMs).toBeGreaterThanOrEqual(Math.max(...s.details!.map((d) => d.detectedAtMs!)));
      expect(s.requests.total).toBe(s.requests.consumerToProvider + s.requests.providerToConsumer);
      expect(s.bytes.total).toBe(s.bytes.consumerToProvider + s.bytes.providerToConsumer);
    }
    expect(stderr).toBe("");
  });

  it("webhook: one delivery per payment, nothing missed, the registration the only other request", () => {
    const w = byName(result, "webhook");
    expect(w.requests.providerToConsumer).toBe(20);
    expect(w.requests.consumerToProvider).toBe(1);
    expect(w.requests.wasted).toBe(1);
    expect(w.payments.missed).toBe(0);
    expect(w.payments.detected).toBe(20);
    expect(w.payments.duplicates).toBe(0);
    expect(w.deliveries).toEqual({ attempted: 20, succeeded: 20, retried: 0 });
  });

  it("polling: at least one poll per payment, close to Σ(⌈D/T⌉ + 1) for the drawn delays", () => {
    const p = byName(result, "polling");
    const rule = { seed: 42, delay: parseDistribution("uniform(500ms, 4s)"), failureRate: 0.05 };
    let predicted = 0;
    for (let i = 0; i < 20; i++) predicted += Math.ceil(settlementFor(rule, i).delayMs / 1000) + 1;
    expect(p.requests.total).toBeGreaterThanOrEqual(20);
    expect(p.requests.providerToConsumer).toBe(0);
    // A payment settling within a timer's lateness of a poll slot is seen one poll earlier or later.
    // Seed 42's settlements sit 16, 99, 108, 108… ms from the nearest slot: lateness under 99 ms can
    // move only the first, by one poll; 2 leaves room for one more.
    expect(Math.abs(p.requests.total - predicted)).toBeLessThanOrEqual(2);
    expect(p.requests.wasted).toBe(p.requests.total - 20);
    expect(p.payments.missed).toBe(0);
    expect(p.bytes.providerToConsumer).toBeGreaterThan(p.requests.total * 150);
  });

  it("webhook learns sooner: p50 below polling's", () => {
    expect(byName(result, "webhook").latencyMs!.p50).toBeLessThan(byName(result, "polling").latencyMs!.p50);
    expect(result.verdict).toMatch(/webhook/);
  });

  it("is fair: both strategies saw the seeded settlement delay for every payment", () => {
    const rule = { seed: 42, delay: parseDistribution("uniform(500ms, 4s)"), failureRate: 0.05 };
    for (const s of result.strategies) {
      expect(s.details).toHaveLength(20);
      for (const d of s.details!) {
        const index = Number(d.id.slice(4)) - 1;
        const planned = settlementFor(rule, index);
        expect(d.settlementDelayMs!).toBeGreaterThanOrEqual(planned.delayMs - 2);
        expect(d.settlementDelayMs!).toBeLessThanOrEqual(planned.delayMs + lateness(result, s));
        expect(d.status).toBe(planned.outcome);
        // One monotonic clock on both sides: no outcome is known before the provider settled it
        // (latencyMs itself is clamped at 0, so only the raw stamps can show a skew).
        expect(d.detectedAtMs!).toBeGreaterThanOrEqual(d.settledAtMs!);
        expect(d.latencyMs!).toBeCloseTo(d.detectedAtMs! - d.settledAtMs!, 2);
      }
    }
  });
});

describe("apiwh compare: repeatable and quick variants", () => {
  const fast = ["compare", "--format", "json", "--details", "--payments", "6", "--delay", "uniform(50ms, 300ms)", "--interval", "100ms"];

  it("the same seed reproduces the same settlement delays and outcomes; another seed does not", async () => {
    // Half the payments fail, so outcomes (exact, whatever the timers) tell the seeds apart too.
    const args = [...fast, "--failure-rate", "0.5"];
    const rule = (seed: number) => ({ seed, delay: parseDistribution("uniform(50ms, 300ms)"), failureRate: 0.5 });
    const plan = (seed: number) => Array.from({ length: 6 }, (_, i) => settlementFor(rule(seed), i));
    // The two seeds must differ where a run can show it: an outcome, or a delay by more than the bound below.
    expect(plan(7).some((p, i) => p.outcome !== plan(8)[i]!.outcome || Math.abs(p.delayMs - plan(8)[i]!.delayMs) > 100)).toBe(true);
    // One after another: three runs at once would only add to each other's timer lateness.
    for (const seed of [7, 7, 8]) {
      const run = await runCli([...args, "--seed", String(seed)]);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as CompareResult;
      expect(result.strategies.flatMap((s) => s.details!)).toHaveLength(12);
      for (const s of result.strategies) {
        for (const d of s.details!) {
          const planned = plan(seed)[Number(d.id.slice(4)) - 1]!;
          expect(d.status, `seed ${seed} ${d.id}`).toBe(planned.outcome);
          expect(d.settlementDelayMs!, `seed ${seed} ${d.id}`).toBeGreaterThanOrEqual(planned.delayMs - 2);
          expect(d.settlementDelayMs!, `seed ${seed} ${d.id}`).toBeLessThanOrEqual(planned.delayMs + lateness(result, s));
        }
      }
    }
  }, 60_000);

  it("prints a side-by-side table with a verdict, without colour when stdout is not a TTY", async () => {
    const run = await runCli(fast.filter((f) => f !== "--format" && f !== "json" && f !== "--details"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/polling/);
    expect(run.stdout).toMatch(/webhook/);
    // The verdict names a percentile and an absolute gap, then the recommendation follows.
    expect(run.stdout).toMatch(/p95 [\d.]+ (ms|s) (sooner|later)|about the same/);
    expect(run.stdout).toMatch(/^→ (use webhooks|poll every)/m);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    for (const line of run.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  }, 60_000);
});

describe("apiwh compare: bad input exits 2 with one line and no stack", () => {
  it.each([
    [["--payments", "0"], /--payments.*"0".*whole number/],
    [["--payments", "abc"], /--payments.*"abc"/],
    [["--interval", "5 sec"], /--interval.*"5 sec".*250ms/],
    [["--seed", "-1"], /--seed/],
    [["--format", "xml"], /--format.*xml.*table, json/],
    [["--bogus"], /unknown option '--bogus'; expected apiwh compare \[options\] \[scenario\] \(apiwh compare --help lists the options\)$/m],
    [["--seed"], /argument missing; expected apiwh compare \[options\] \[scenario\]/],
    [["--webhook-port", "70000"], /--webhook-port.*65535/],
    [["--delay", "uniform(4s, 1s)"], /--delay.*impossible/],
    [["--strategies", "polling,smoke-signals"], /smoke-signals.*not a strategy/],
  ])("%j", async (args, message) => {
    const run = await runCli(["compare", ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("commander's own errors name the form expected: a missing argument, an unknown command", async () => {
    const probe = await runCli(["probe"]);
    expect(probe.code).toBe(2);
    expect(probe.stderr).toBe("error: missing required argument 'url'; expected apiwh probe [options] <url> (apiwh probe --help lists the options)\n");
    const typo = await runCli(["comp"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error: unknown command 'comp' \(Did you mean compare\?\); expected apiwh <command>, one of compare, check, sweep, provider, listen, pay, poll, probe \(apiwh --help\)\n$/);
  });

  it("a webhook port in use", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = await runCli(["compare", "--payments", "2", "--strategies", "webhook", "--webhook-port", String(port)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`--webhook-port ${port}.*in use`));
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });
});
