import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "./helpers/cli.js";
import { standardReceiver } from "./helpers/receivers.js";

// Issue 13, D1: every output file and port is checked before a run starts, and a write that fails
// after the run loses no results. Each case runs the real CLI.

const SECRET = "whsec_" + Buffer.alloc(32, 0x5a).toString("base64");

let dir: string;
/** Payments that settle after 30 s: any scenario that got to run would take at least that long. */
let slow: string;
/** Two payments settling within 100 ms of scenario time at speed 10: a real run of a moment. */
let quick: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "apiwh-preflight-"));
  slow = join(dir, "slow.json");
  writeFileSync(slow, JSON.stringify({ name: "slow", payments: { count: 2 }, settlement: { delay: "fixed(30s)" }, deadline: "60s", strategies: ["polling", "webhook"], expect: ["webhook.payments.missed == 0"] }));
  quick = join(dir, "quick.json");
  writeFileSync(quick, JSON.stringify({ name: "quick", payments: { count: 2 }, settlement: { delay: "fixed(100ms)", failureRate: 0 }, speed: 10, deadline: "5s", strategies: ["webhook"], expect: ["webhook.payments.missed == 0"] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A usage error before anything ran: exit 2, one line on stderr naming the flag, nothing on stdout. */
function refusedBeforeRunning(r: CliResult, message: RegExp, startedAt: number): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  // The scenario's payments settle after 30 s: a run that had started could not have ended this soon.
  expect(Date.now() - startedAt).toBeLessThan(30_000);
}

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, server };
}

describe("output paths and ports are checked before anything runs (exit 2)", () => {
  it("check --junit in a directory that does not exist", async () => {
    const t0 = Date.now();
    refusedBeforeRunning(await runCli(["check", slow, "--junit", join(dir, "missing-dir", "j.xml")]), /^error: --junit .*missing-dir\/j\.xml: cannot write the file \(ENOENT\); expected a writable path such as results\.xml$/m, t0);
  }, 40_000);

  it("check --report that names a directory", async () => {
    const t0 = Date.now();
    refusedBeforeRunning(await runCli(["check", slow, "--report", dir]), /^error: --report .*: cannot write the file \(EISDIR\)/m, t0);
  }, 40_000);

  it("compare --webhook-port that is in use, polling first in the list: polling never runs", async () => {
    const { port, server } = await busyPort();
    try {
      const t0 = Date.now();
      const report = join(dir, "never.html");
      refusedBeforeRunning(
        await runCli(["compare", slow, "--strategies", "polling,webhook", "--webhook-port", String(port), "--report", report]),
        new RegExp(`^error: --webhook-port ${port}: the port is in use on 127\\.0\\.0\\.1; expected a free port`, "m"),
        t0,
      );
      // The report file was created by the check before the run; the failed command removes it.
      expect(existsSync(report)).toBe(false);
    } finally {
      server.close();
    }
  }, 40_000);

  it("sweep --report in a directory that does not exist", async () => {
    const t0 = Date.now();
    refusedBeforeRunning(await runCli(["sweep", slow, "--report", join(dir, "nope", "s.html")]), /^error: --report .*nope\/s\.html: cannot write the file \(ENOENT\)/m, t0);
  }, 40_000);

  it("two flags naming one file", async () => {
    const t0 = Date.now();
    const same = join(dir, "same.xml");
    refusedBeforeRunning(await runCli(["check", slow, "--junit", same, "--report", same]), /^error: --junit and --report both name .*same\.xml; expected a different file for each$/m, t0);
    expect(existsSync(same)).toBe(false);
  }, 40_000);

  it("an existing file keeps its content when the command fails before running", async () => {
    const kept = join(dir, "kept.xml");
    writeFileSync(kept, "last run's report");
    const r = await runCli(["check", join(dir, "no-such-scenario.json"), "--junit", kept]);
    expect(r.code).toBe(2);
    expect(readFileSync(kept, "utf8")).toBe("last run's report");
  }, 40_000);
});

describe("a write that fails after the run: results on stdout, the failure on stderr, exit 1", () => {
  // /dev/full opens like any writable file and fails every write with ENOSPC, as a full disk does.
  it.each([
    ["compare --report", ["compare", "--clock", "virtual", "-n", "5", "--format", "json", "--report", "/dev/full"], "--report"],
    ["check --junit", ["check", "QUICK", "--format", "json", "--junit", "/dev/full"], "--junit"],
    ["sweep --report", ["sweep", "QUICK", "--intervals", "100ms", "--format", "json", "--report", "/dev/full"], "--report"],
  ])("%s /dev/full", async (_name, args, flag) => {
    const r = await runCli(args.map((a) => (a === "QUICK" ? quick : a)));
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as { schemaVersion: number; partial: boolean };
    expect(result.schemaVersion).toBe(1);
    expect(result.partial).toBe(false);
    // check and sweep also say their progress on stderr (a line per run in a log); the failure is
    // the one error, and the last line.
    expect(r.stderr.split("\n").filter((line) => /error/i.test(line))).toEqual([`error: ${flag} /dev/full: cannot write the file (ENOSPC); the results are on stdout`]);
    expect(r.stderr.endsWith(`error: ${flag} /dev/full: cannot write the file (ENOSPC); the results are on stdout\n`)).toBe(true);
  }, 60_000);

  it("the other files are still written", async () => {
    const report = join(dir, "still.html");
    const r = await runCli(["check", quick, "--junit", "/dev/full", "--report", report]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 scenario: 1 passed/);
    expect(readFileSync(report, "utf8")).toMatch(/^<!doctype html>/i);
  }, 60_000);

  it("probe --junit /dev/full", async () => {
    const receiver = await standardReceiver(SECRET);
    try {
      const r = await runCli(["probe", receiver.url, "--secret", SECRET, "--only", "valid", "--format", "json", "--junit", "/dev/full"]);
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).summary.ok).toBe(true);
      expect(r.stderr).toBe("error: --junit /dev/full: cannot write the file (ENOSPC); the results are on stdout\n");
    } finally {
      await receiver.close();
    }
  }, 60_000);
});

