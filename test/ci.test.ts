import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ParseError } from "../src/errors.js";
import { evaluate, parseTarget } from "../src/expect/index.js";
import { githubAnnotations } from "../src/render/annotations.js";
import { fieldPositions } from "../src/scenario/load.js";
import { startCheckProgress } from "../src/views/check-progress.js";
import { startSweepProgress } from "../src/views/sweep-progress.js";
import { TARGET_GRID_MS } from "../src/run/sweep.js";
import { brokenScenario, checkResult, failedMany, failedRatio, heldLatency, polling, scenarioCheck } from "./render-fixtures.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("sweep --target", () => {
  it.each([
    ["p95 < 2s", "polling.latencyMs.p95 < 2s"],
    ["perPayment <= 3", "polling.requests.perPayment <= 3"],
    ["requests.perPayment <= 3 ", "polling.requests.perPayment <= 3 "],
    ["latencyMs.p99 < 5s", "polling.latencyMs.p99 < 5s"],
    ["polling.latencyMs.mean < 1s", "polling.latencyMs.mean < 1s"],
    ["p95 + p50 < 3s", "polling.latencyMs.p95 + polling.latencyMs.p50 < 3s"],
    ["missed == 0", "polling.payments.missed == 0"],
  ])("reads %j as %j", (text, expected) => {
    const target = parseTarget(text, "polling");
    expect(target.text).toBe(text);
    expect(target.expectation.text).toBe(expected);
    // It evaluates against polling's figures like any expectation.
    expect(evaluate(target.expectation, { strategies: [polling] }).checks).toHaveLength(1);
  });

  it.each([
    ["webhook.latencyMs.p95 < 2s", /polling's figures only/],
    ["*.latencyMs.p95 < 2s", /polling's figures only/],
    ["2 < 3", /names no figure/],
    ["p96 < 2s", /expected/],
    ["p95 <", /expected/],
  ])("refuses %j", (text, message) => {
    expect(() => parseTarget(text, "polling")).toThrow(ParseError);
    expect(() => parseTarget(text, "polling")).toThrow(message);
  });

  it("chooses among round intervals a person would configure, increasing, from 10 ms to 7 days", () => {
    expect(TARGET_GRID_MS[0]).toBe(10);
    expect(TARGET_GRID_MS.at(-1)).toBe(7 * 86_400_000);
    for (let i = 1; i < TARGET_GRID_MS.length; i++) expect(TARGET_GRID_MS[i]).toBeGreaterThan(TARGET_GRID_MS[i - 1]!);
    for (const ms of [250, 500, 1000, 1500, 2000, 5000, 30_000, 60_000, 300_000]) expect(TARGET_GRID_MS).toContain(ms);
  });
});

describe("GitHub annotations", () => {
  it("point at each failing expectation's line, and at an invalid file's own line", () => {
    const check = checkResult([scenarioCheck("lazy-poller", [heldLatency, failedRatio, failedMany]), brokenScenario, scenarioCheck("fine", [heldLatency])]);
    const lines = githubAnnotations(check, (file, i) => (file === "examples/lazy-poller.json" ? { line: 10 + i, column: 5 } : undefined));
    expect(lines).toEqual([
      "::error file=examples/lazy-poller.json,line=11,col=5,title=apiwh check%3A lazy-poller::polling.requests.total >= 10 * webhook.requests.total: got 118, expected >= 230 (10 × webhook.requests.total = 10 × 23)",
      "::error file=examples/lazy-poller.json,line=12,col=5,title=apiwh check%3A lazy-poller::*.latencyMs.p99 < 500ms: polling: got 991.7 ms, expected < 500 ms; webhook: got 1.46 ms, expected < 500 ms",
      '::error file=examples/broken.yaml,line=3,col=12,title=apiwh check%3A examples/broken.yaml::settlement.delay: "lognormal(median=2s" is not a distribution; expected fixed(2s), uniform(500ms, 4s), exponential(mean=2s) or lognormal(median=2s, p95=8s)',
    ]);
  });

  it("escape what would end a workflow command: %, newlines, and : or , in properties", () => {
    const odd = scenarioCheck("a,b: c", [{ text: "x > 1", ok: false, details: ["100% wrong\nsecond line"] }], { file: "dir,1/s:x.json" });
    expect(githubAnnotations(checkResult([odd]), () => undefined)).toEqual(["::error file=dir%2C1/s%3Ax.json,title=apiwh check%3A a%2Cb%3A c::x > 1: 100%25 wrong%0Asecond line"]);
  });

  it("name a run cut short without a line, as a warning: an interrupted scenario is not judged (issue 13, D4); one never started says nothing", () => {
    const cut = scenarioCheck("checkout", [heldLatency], { status: "partial" });
    cut.result = { ...cut.result!, partial: true };
    const never = scenarioCheck("later", [], { status: "partial", file: "examples/later.json" });
    delete never.result;
    expect(githubAnnotations(checkResult([cut, never]), () => ({ line: 1, column: 1 }))).toEqual([
      "::warning file=examples/checkout.json,title=apiwh check%3A checkout::interrupted; expectations not judged",
    ]);
  });
});

describe("fieldPositions", () => {
  it("finds each expectation's line and column in JSON and in YAML", async () => {
    const dir = mkdtempSync(join(tmpdir(), "apiwh-positions-"));
    dirs.push(dir);
    writeFileSync(join(dir, "s.json"), '{\n  "name": "x",\n  "expect": [\n    "a.b.c > 1",\n      "d.e.f < 2"\n  ]\n}\n');
    writeFileSync(join(dir, "s.yaml"), "name: x\nexpect:\n  - a.b.c > 1\n  - 'd.e.f < 2'\n");
    expect(await fieldPositions(join(dir, "s.json"), [["expect", 0], ["expect", 1]])).toEqual([
      { line: 4, column: 5 },
      { line: 5, column: 7 },
    ]);
    expect(await fieldPositions(join(dir, "s.yaml"), [["expect", 0], ["expect", 1]])).toEqual([
      { line: 3, column: 5 },
      { line: 4, column: 5 },
    ]);
    // A file that cannot be read gives no positions rather than failing the check's report.
    expect(await fieldPositions(join(dir, "missing.json"), [["expect", 0]])).toEqual([undefined]);
  });
});

/** A stream that records what was written. */
function recorder(columns?: number) {
  const chunks: string[] = [];
  return { chunks, columns, write: (chunk: string) => (chunks.push(chunk), true) };
}

describe("progress on stderr", () => {
  it("check in a log: a line as each scenario starts and ends, with its outcome", () => {
    const stream = recorder();
    let t = 0;
    const progress = startCheckProgress(stream, { tty: false, color: false, now: () => t });
    progress.onStart("checkout", 0, 2, 8_200);
    progress.onStart("lazy-poller", 1, 2, undefined);
    t = 9_400;
    progress.onScenario(scenarioCheck("checkout", [heldLatency]), 0, 2);
    progress.onRerun(scenarioCheck("lazy-poller", [heldLatency]), 1);
    progress.onScenario(scenarioCheck("lazy-poller", [heldLatency, failedRatio]), 1, 2);
    progress.onKept(scenarioCheck("checkout", [heldLatency]), 0, "lazy-poller");
    progress.stop();
    expect(stream.chunks.join("")).toBe(
      [
        "apiwh check [1/2] checkout: running (about 8.2 s)",
        "apiwh check [2/2] lazy-poller: running",
        "apiwh check [1/2] ✓ checkout: 1 of 1 expectation holds (9.4 s)",
        "apiwh check [2/2] lazy-poller: the health check says the scenarios beside it may have distorted its figures; it runs again alone at the end",
        "apiwh check [2/2] ✗ lazy-poller: 1 of 2 expectations failed (9.4 s)",
        "apiwh check [1/2] checkout: keeps its side-by-side figures: lazy-poller, run alone, was distorted too, so the machine is busy either way (fewer --jobs, or a quieter machine)",
        "",
      ].join("\n"),
    );
  });

  it("check: an interrupted scenario is marked – and says so; a name's control characters are escaped (issue 13, D4 and S6)", () => {
    const stream = recorder();
    const progress = startCheckProgress(stream, { tty: false, color: false, now: () => 0 });
    progress.onStart("evil\u001b[2J", 0, 1, undefined);
    progress.onScenario(scenarioCheck("evil\u001b[2J", [heldLatency], { status: "partial", durationMs: 1_200 }), 0, 1);
    progress.stop();
    expect(stream.chunks.join("")).toBe(["apiwh check [1/1] evil\\u001b[2J: running", "apiwh check [1/1] – evil\\u001b[2J: interrupted (1.2 s)", ""].join("\n"));
  });

  it("check on a terminal: finished lines stay, the running line redraws and is erased at the end", () => {
    const stream = recorder(60);
    const progress = startCheckProgress(stream, { tty: true, color: false, now: () => 0 });
    progress.onStart("checkout", 0, 1, 8_200);
    progress.onScenario(scenarioCheck("checkout", [heldLatency]), 0, 1);
    progress.stop();
    const text = stream.chunks.join("");
    expect(text).toContain("  running checkout 0 s · 0 of 1 done");
    expect(text).toContain("\r\x1b[2K  [1/1] ✓ checkout: 1 of 1 expectation holds (9.4 s)\n");
    expect(text.endsWith("\n")).toBe(true);
    for (const chunk of stream.chunks) for (const line of chunk.split("\n")) expect([...line.replace(/\r\x1b\[2K/g, "")].length).toBeLessThanOrEqual(60);
  });

  it("sweep on a terminal: one line saying which run is going, redrawn, erased at the end", () => {
    const stream = recorder(40);
    const progress = startSweepProgress(stream, { tty: true, color: false });
    progress.onStep({ phase: "start", clock: "real", strategy: "polling", intervalMs: 250, index: 0, total: 6 });
    progress.onStep({ phase: "start", clock: "real", strategy: "polling", intervalMs: 1_500, index: 1, total: 6 });
    progress.stop();
    expect(stream.chunks).toEqual(["  sweep [1/6] polling every 250 ms…", "\r\x1b[2K", "  sweep [2/6] polling every 1.5 s…", "\r\x1b[2K"]);
  });

  it("sweep in a log: each real run as it starts, each run's figures as it ends", () => {
    const stream = recorder();
    let t = 0;
    const progress = startSweepProgress(stream, { tty: false, color: false, now: () => t });
    const point = { intervalMs: 2000, requests: { total: 47, wasted: 27, perPayment: 2.35 }, latencyMs: { mean: 1000, p50: 1160, p95: 1480 }, payments: { total: 20, detected: 20, missed: 0 }, durationMs: 4000, bytes: { total: 1 }, load: { requestsPerSecond: 1, peakRequestsPerSecond: 1, connectionsHeld: 0 } };
    progress.onStep({ phase: "start", clock: "virtual", strategy: "polling", intervalMs: 2000, index: 0, total: undefined });
    progress.onStep({ phase: "done", clock: "virtual", strategy: "polling", intervalMs: 2000, index: 0, total: undefined, point: { ...point, meets: true } });
    progress.onStep({ phase: "start", clock: "real", strategy: "webhook", intervalMs: null, index: 1, total: 2 });
    t = 4_200;
    progress.onStep({ phase: "done", clock: "real", strategy: "webhook", intervalMs: null, index: 1, total: 2, point });
    expect(stream.chunks.join("")).toBe(
      [
        "apiwh sweep [1] polling every 2 s (virtual clock): 47 requests, p95 1.48 s, 0 missed, meets the target",
        "apiwh sweep [2/2] webhook: running",
        "apiwh sweep [2/2] webhook: 47 requests, p95 1.48 s, 0 missed (4.2 s)",
        "",
      ].join("\n"),
    );
  });
});
