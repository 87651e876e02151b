import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDistribution } from "../src/scenario/distribution.js";
import { settlementFor } from "../src/scenario/plan.js";
import type { CompareDocument, CompareResult, StrategyResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";

const byName = (r: CompareResult, name: string): StrategyResult => r.strategies.find((s) => s.name === name)!;

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
      expect(Object.keys(s.requests).sort()).toEqual(["consumerToProvider", "perPayment", "providerToConsumer", "total", "unattributed", "wasted"]);
      expect(Object.keys(s.bytes).sort()).toEqual(["consumerToProvider", "providerToConsumer", "total"]);
      expect(Object.keys(s.latencyMs!).sort()).toEqual(["max", "mean", "min", "p50", "p90", "p95", "p99"]);
      expect(s.payments).toMatchObject({ total: 20 });
      expect(s.durationMs).toBeGreaterThan(0);
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
        // Node timers have millisecond granularity (up to 1 ms early against hrtime) and, on a busy machine, fire a little late.
        expect(d.settlementDelayMs!).toBeGreaterThanOrEqual(planned.delayMs - 2);
        expect(d.settlementDelayMs!).toBeLessThan(planned.delayMs + 100);
        expect(d.status).toBe(planned.outcome);
        expect(d.latencyMs!).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe("apiwh compare: repeatable and quick variants", () => {
  const fast = ["compare", "--format", "json", "--details", "--payments", "6", "--delay", "uniform(50ms, 300ms)", "--interval", "100ms"];

  it("the same seed reproduces the same settlement delays and outcomes; another seed does not", async () => {
    const [a, b, c] = await Promise.all([runCli([...fast, "--seed", "7"]), runCli([...fast, "--seed", "7"]), runCli([...fast, "--seed", "8"])]);
    for (const r of [a, b, c]) expect(r.code, r.stderr).toBe(0);
    const plan = (r: string) =>
      new Map((JSON.parse(r) as CompareResult).strategies.flatMap((s) => s.details!).map((d) => [d.id, { status: d.status, delay: d.settlementDelayMs! }]));
    const pa = plan(a.stdout);
    const pb = plan(b.stdout);
    const pc = plan(c.stdout);
    expect(pa.size).toBe(6);
    let differs = 0;
    for (const [id, x] of pa) {
      expect(pb.get(id)!.status).toBe(x.status);
      // Timers are not exact to the millisecond; the draws are identical.
      expect(Math.abs(pb.get(id)!.delay - x.delay)).toBeLessThan(40);
      if (Math.abs(pc.get(id)!.delay - x.delay) > 5) differs++;
    }
    expect(differs).toBeGreaterThan(0);
  }, 60_000);

  it("prints a side-by-side table with a verdict, without colour when stdout is not a TTY", async () => {
    const run = await runCli(fast.filter((f) => f !== "--format" && f !== "json" && f !== "--details"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/polling/);
    expect(run.stdout).toMatch(/webhook/);
    expect(run.stdout).toMatch(/fewer requests|more requests/);
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
    [["--bogus"], /unknown option '--bogus'/],
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
