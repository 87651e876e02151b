import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CheckDocument, CompareDocument, SweepResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dirWith(files: Record<string, object | string>): string {
  const dir = mkdtempSync(join(tmpdir(), "apiwh-decision-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return dir;
}

/** A scenario that finishes in well under a second of wall time. */
const quick = (overrides: Record<string, unknown> = {}) => ({
  name: "quick",
  seed: 5,
  payments: { count: 6, arrival: "burst" },
  settlement: { delay: "uniform(100ms, 400ms)", failureRate: 0 },
  polling: { interval: "100ms" },
  deadline: "5s",
  strategies: ["polling", "webhook"],
  ...overrides,
});

describe("the verdict and the recommendation from the CLI", () => {
  it("flaky-endpoint leads with the payments webhooks missed and recommends hybrid", async () => {
    const run = await runCli(["compare", "examples/flaky-endpoint.json", "--clock", "virtual", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as CompareDocument;
    const webhook = doc.strategies.find((s) => s.name === "webhook")!;
    // The seed makes webhooks miss payments (the example's own expectation); the verdict starts there.
    expect(webhook.payments.missed).toBeGreaterThan(0);
    expect(doc.verdict.startsWith(`webhook missed ${webhook.payments.missed} of 20 payments (retries ran out); hybrid missed none.`)).toBe(true);
    expect(doc.recommendation).toMatch(new RegExp(`^use webhooks and reconcile every 5 s \\(hybrid\\): webhooks alone missed ${webhook.payments.missed} of 20`));
    expect(doc.ranking.map((e) => [e.rank, e.name, e.decidedBy])).toEqual([
      [1, "hybrid", null],
      [2, "webhook", "correctness"],
    ]);
    expect(Object.keys(doc).slice(Object.keys(doc).indexOf("strategies"))).toEqual(["strategies", "verdict", "recommendation", "ranking", "projection", "expectations"]);
  });

  it("--clock virtual always projects; --per-day and --price add a day, a month and their cost", async () => {
    const plain = JSON.parse((await runCli(["compare", "--clock", "virtual", "--format", "json"])).stdout) as CompareDocument;
    expect(plain.projection).toMatchObject({ paymentsPerDay: 10_000, basis: "assumed", price: null });
    const run = await runCli(["compare", "--clock", "virtual", "--format", "json", "--per-day", "50000", "--price", "3.50/M requests, 0.09/GB"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as CompareDocument;
    expect(doc.projection).toMatchObject({ paymentsPerDay: 50_000, basis: "per-day", daysPerMonth: 30, price: { spec: "3.50/M requests, 0.09/GB" } });
    for (const s of doc.strategies) {
      expect(s.projection!.requestsPerDay).toBeCloseTo(s.requests.perPayment * 50_000, 0);
      expect(s.projection!.requestsPerMonth).toBeCloseTo(s.projection!.requestsPerDay * 30, 0);
      // $3.50 per million requests plus $0.09 per GB, per day.
      expect(s.cost!.perDay).toBeCloseTo((3.5 * s.projection!.requestsPerDay) / 1e6 + (0.09 * s.projection!.bytesPerDay) / 1e9, 2);
    }
    // A real run shows no projection unless asked.
    expect((JSON.parse((await runCli(["compare", join(dirWith({ "q.json": quick() }), "q.json"), "--format", "json"])).stdout) as CompareDocument).projection).toBeUndefined();
  }, 60_000);

  it("an expectation over the cost is checked like any other", async () => {
    const run = await runCli(["compare", "--clock", "virtual", "--price", "api-gateway-rest", "--expect", "polling.cost.perMonth < 0.01", "--expect", "webhook.cost.perMonth < polling.cost.perMonth"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ polling\.cost\.perMonth < 0\.01 — got [\d.]+, expected < 0\.01/);
    expect(run.stdout).toMatch(/✓ webhook\.cost\.perMonth < polling\.cost\.perMonth/);
  });

  it("a bad --price or --per-day is one line naming the form, exit 2", async () => {
    for (const args of [["--price", "cheap"], ["--price", "3.50/M bytes"], ["--per-day", "0"], ["--per-day", "lots"]]) {
      const run = await runCli(["compare", "--clock", "virtual", ...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^error: ${args[0]} .*expected`));
    }
  });
});

describe("expectations when --strategies overrides the file", () => {
  const file = () =>
    join(
      dirWith({ "s.json": quick({ strategies: ["polling", "webhook", "sse"], expect: ["*.payments.missed == 0", "sse.requests.total == 1", "polling.requests.total > 1000"] }) }),
      "s.json",
    );

  it("skips those naming a strategy that no longer runs, with a warning on stderr", async () => {
    const run = await runCli(["compare", file(), "--strategies", "polling,webhook", "--clock", "virtual", "--format", "json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^warning: .*s\.json: expect\[1\] "sse\.requests\.total == 1" skipped: sse is not among --strategies polling,webhook$/m);
    const doc = JSON.parse(run.stdout) as CompareDocument;
    expect(doc.expectations!.map((e) => e.text)).toEqual(["*.payments.missed == 0", "polling.requests.total > 1000"]);
  });

  it("--expect naming an absent strategy is still a mistake (exit 2): the user typed it", async () => {
    const run = await runCli(["compare", file(), "--strategies", "polling,webhook", "--clock", "virtual", "--expect", "sse.requests.total == 1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--expect: "sse" is not a strategy in this scenario/);
  });

  it("--no-expect ignores the file's expectations; --expect still counts", async () => {
    const run = await runCli(["compare", file(), "--clock", "virtual", "--no-expect", "--expect", "webhook.payments.missed == 0", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as CompareDocument).expectations!.map((e) => e.text)).toEqual(["webhook.payments.missed == 0"]);
  });
});

describe("load on the real clock", () => {
  it("counts every request in the second it arrived; long polls and the event stream are held open at the provider", async () => {
    // Every payment settles a second after it is created: all six are pending together, each with its long poll open.
    const dir = dirWith({ "s.json": quick({ strategies: ["polling", "long-polling", "sse", "webhook"], settlement: { delay: "fixed(1s)", failureRate: 0 } }) });
    const run = await runCli(["compare", join(dir, "s.json"), "--format", "json", "--details"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as CompareDocument;
    for (const s of doc.strategies) {
      // Each request was stamped where it arrived: the seconds add up to the total.
      expect(s.load.perSecond!.reduce((a, b) => a + b, 0), s.name).toBe(s.requests.total);
      expect(s.load.peakRequestsPerSecond, s.name).toBe(Math.max(...s.load.perSecond!));
      expect(s.load.requestsPerSecond, s.name).toBeCloseTo(s.requests.total / Math.max(1, s.durationMs / 1000), 1);
    }
    const by = Object.fromEntries(doc.strategies.map((s) => [s.name, s.load]));
    expect(by["long-polling"]!.connectionsHeld).toBe(6);
    expect(by.sse!.connectionsHeld).toBe(1);
    expect(by.polling!.connectionsHeld).toBe(0);
    expect(by.webhook!.connectionsHeld).toBe(0);
    // The polls of six payments created together arrive together: the busiest second holds at least the first round.
    expect(by.polling!.peakRequestsPerSecond).toBeGreaterThanOrEqual(6);
  }, 60_000);
});

describe("load on the virtual clock", () => {
  it("stamps every request it simulates, for all seven strategies, with and without API faults", async () => {
    for (const extra of [[], ["--rate-limit", "5/s"]]) {
      const strategies = extra.length > 0 ? "polling,polling-backoff,conditional,long-polling,webhook,hybrid" : "polling,polling-backoff,conditional,long-polling,sse,webhook,hybrid";
      const run = await runCli(["compare", "examples/all-strategies.json", "--clock", "virtual", "--details", "--format", "json", "--strategies", strategies, ...extra]);
      expect(run.code, run.stderr).toBeLessThan(2);
      for (const s of (JSON.parse(run.stdout) as CompareDocument).strategies) {
        expect(s.load.perSecond!.reduce((a, b) => a + b, 0), `${s.name} ${extra.join(" ")}`).toBe(s.requests.total);
        // One stream; a long poll per pending payment (ten created at once, fewer held when the rate limit refuses some); nothing held by the others.
        if (s.name !== "long-polling") expect(s.load.connectionsHeld, s.name).toBe(s.name === "sse" ? 1 : 0);
        else if (extra.length === 0) expect(s.load.connectionsHeld).toBe(10);
        else expect(s.load.connectionsHeld).toBeGreaterThan(0);
      }
    }
  });
});

describe("apiwh check in CI", () => {
  const scenarios = () =>
    dirWith({
      "a.json": quick({ name: "alpha", expect: ["*.payments.missed == 0"] }),
      "b.yaml": ["name: beta", "payments: { count: 4 }", "settlement: { delay: 'uniform(100ms, 300ms)' }", "polling: { interval: 100ms }", "expect:", '  - "*.payments.missed == 0"', '  - "polling.requests.total < 5"', ""].join("\n"),
    });

  it("--clock virtual: the fast mode, progress lines on stderr, the recommendation uncut in a log", async () => {
    const dir = scenarios();
    const started = performance.now();
    const run = await runCli(["check", dir, "--clock", "virtual"], { env: { GITHUB_ACTIONS: "" } });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^apiwh check \[1\/2\] alpha: running$/m);
    expect(run.stderr).toMatch(/^apiwh check \[2\/2\] ✗ beta: 1 of 2 expectations failed \(\d+\.\d s\)$/m);
    expect(run.stdout).toMatch(/^ {2}✗ polling\.requests\.total < 5 — got \d+, expected < 5$/m);
    // stdout is a pipe here: nothing is cut, whatever the width.
    expect(run.stdout).not.toContain("…");
    expect(run.stdout).toMatch(/^✓ alpha\s+1\/1\s+\d+\.\d s {2}use webhooks: polling learned outcomes .* later at p95 and needed [\d.]+ more requests per payment$/m);
    expect(run.stdout).toMatch(/· virtual clock$/m);
    expect(run.stderr).not.toContain("::error");
  });

  it("GITHUB_ACTIONS=true: an annotation at the failing expectation's line, the summary appended", async () => {
    const dir = scenarios();
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "earlier step\n");
    const run = await runCli(["check", join(dir, "b.yaml"), "--clock", "virtual", "--format", "json"], { env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary } });
    expect(run.code).toBe(1);
    // JSON on stdout stays parseable: the workflow commands go to stderr.
    expect((JSON.parse(run.stdout) as CheckDocument).summary.failed).toBe(1);
    // Named as check names it: relative to where it ran (a workflow runs in the repository's root).
    const file = relative(process.cwd(), join(dir, "b.yaml")).replace(/:/g, "%3A").replace(/,/g, "%2C");
    const annotation = run.stderr.split("\n").find((line) => line.startsWith("::error"));
    expect(annotation).toMatch(/^::error file=.*,line=7,col=5,title=apiwh check%3A beta::polling\.requests\.total < 5: got \d+, expected < 5$/);
    expect(annotation!.startsWith(`::error file=${file},`)).toBe(true);
    const text = readFileSync(summary, "utf8");
    expect(text.startsWith("earlier step\n## ❌ apiwh check failed")).toBe(true);
    expect(text).toContain("- ❌ `polling.requests.total < 5`");
  });

  it("--jobs 2 runs the real scenarios side by side and reports them in file order, as one at a time would", async () => {
    const dir = scenarios();
    const run = await runCli(["check", dir, "--jobs", "2", "--format", "json"]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as CheckDocument;
    expect(doc.scenarios.map((s) => [s.name, s.status])).toEqual([
      ["alpha", "passed"],
      ["beta", "failed"],
    ]);
    for (const s of doc.scenarios) expect(s.result!.clock).toBe("real");
    // Both started before either ended, or one was run again alone because the health check said so.
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("apiwh check"));
    const rerun = lines.some((l) => l.includes("runs again alone"));
    if (!rerun) expect(lines.slice(0, 2).every((l) => l.endsWith(")") || l.includes("running"))).toBe(true);
    expect(lines.filter((l) => /: running/.test(l)).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("--jobs is bounded, one line, exit 2", async () => {
    const run = await runCli(["check", "--jobs", "0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --jobs "0" is not a number of scenarios at once; expected a whole number from 1 to 16\n$/);
  });
});

describe("apiwh sweep --target", () => {
  it("searches on the virtual clock, confirms with a real run and recommends the largest interval that meets the target", async () => {
    const dir = dirWith({ "s.json": quick({ payments: { count: 20, arrival: "burst" } }) });
    const run = await runCli(["sweep", join(dir, "s.json"), "--target", "p95 < 500ms", "--price", "api-gateway-http", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const sweep = JSON.parse(run.stdout) as SweepResult;
    const target = sweep.target!;
    expect(target).toMatchObject({ text: "p95 < 500ms", expectation: "polling.latencyMs.p95 < 500ms" });
    const chosen = target.recommended!.intervalMs;
    // Every simulated interval up to the choice met the target, the next one searched did not.
    for (const p of target.searched) expect(p.meets, `${p.intervalMs} ms`).toBe(p.intervalMs! <= chosen ? true : p.meets);
    expect(target.searched.some((p) => p.intervalMs! > chosen && !p.meets)).toBe(true);
    expect(target.searched.find((p) => p.intervalMs === chosen)!.latencyMs!.p95).toBeLessThan(500);
    // The real run that confirmed it met it too, and is priced.
    const real = sweep.points.find((p) => p.intervalMs === chosen)!;
    expect(real.meets).toBe(true);
    expect(real.latencyMs!.p95).toBeLessThan(500);
    expect(real.cost!.perMonth).toBeCloseTo((real.requests.perPayment * 10_000 * 30) / 1e6, 3);
    expect(sweep.webhook!.projection!.requestsPerDay).toBeCloseTo(sweep.webhook!.requests.perPayment * 10_000, 0);
    // Progress went to stderr, a line per run in a log.
    expect(run.stderr).toMatch(/^apiwh sweep \[1\] polling every 10 ms \(virtual clock\): [\d,]+ requests, p95 .*, meets the target$/m);
    expect(run.stderr).toMatch(/^apiwh sweep \[\d+\] webhook: running$/m);
  }, 60_000);

  it("prints the recommendation in the table and in Markdown, and warns on stderr when percentiles rest on few payments", async () => {
    const dir = dirWith({ "s.json": quick() });
    const table = await runCli(["sweep", join(dir, "s.json"), "--target", "p95 < 500ms"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^→ poll every [\d.]+ m?s, the largest interval that meets p95 < 500ms/m);
    expect(table.stderr).toMatch(/^warning: percentiles rest on as few as 6 detected payments \(fewer than 20\)/m);
    for (const line of table.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    const markdown = await runCli(["sweep", join(dir, "s.json"), "--intervals", "100ms,200ms", "--format", "markdown"]);
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toMatch(/^\| {2}\| requests \| wasted \| p50 \| p95 \| mean \| missed \|$/m);
    expect(markdown.stdout).toMatch(/^\| polling 100 ms \| /m);
  }, 60_000);

  it("a target over another strategy, or no figure, is one line, exit 2", async () => {
    for (const [target, message] of [
      ["webhook.latencyMs.p95 < 2s", /a target is about polling's figures only/],
      ["1 < 2", /names no figure/],
      ["p95 <", /expected/],
    ] as const) {
      const run = await runCli(["sweep", "--target", target]);
      expect(run.code, target).toBe(2);
      expect(run.stderr, target).toMatch(message);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
