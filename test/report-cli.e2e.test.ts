import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SweepResult } from "../src/contract/result.js";
import { runCli } from "./helpers/cli.js";

const quick = ["--payments", "4", "--delay", "uniform(50ms, 200ms)", "--interval", "50ms"];

describe("reports and sweep from the real CLI", () => {
  it("compare --report writes one self-contained HTML file with charts and the verdict; stdout is unchanged", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "apiwh-report-")), "report.html");
    const run = await runCli(["compare", ...quick, "--report", file, "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    const html = readFileSync(file, "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect((html.match(/<svg\b/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/requests per payment/);
    expect(html).not.toMatch(/<script\b|<link\b|src="https?:/i);
  }, 30_000);

  it("check --report writes every scenario with its charts", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "apiwh-report-")), "check.html");
    const run = await runCli(["check", "examples/lazy-poller.json", "--report", file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html).toMatch(/lazy-poller/);
    expect(html).toMatch(/aria-label="Cumulative requests over time/);
    expect(html).toMatch(/aria-label="Cumulative distribution of detection latency/);
  }, 60_000);

  it("sweep --format json: fewer requests and later p50 as the interval grows; the webhook as reference", async () => {
    const run = await runCli(["sweep", "--payments", "6", "--delay", "uniform(200ms, 1s)", "--intervals", "50ms,500ms", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const sweep = JSON.parse(run.stdout) as SweepResult;
    const [fast, slow] = sweep.points;
    expect(fast!.requests.total).toBeGreaterThan(slow!.requests.total);
    // A poller learns about T/2 after settlement on average: ~25 ms against ~250 ms, far beyond timer noise.
    expect(fast!.latencyMs!.p50).toBeLessThan(slow!.latencyMs!.p50);
    expect(sweep.webhook!.requests.total).toBe(7);
  }, 60_000);

  it("a report path that cannot be written exits 2 naming the flag", async () => {
    const run = await runCli(["compare", ...quick, "--report", "/nonexistent/dir/report.html"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--report \/nonexistent\/dir\/report\.html: cannot write/);
  }, 30_000);
});
