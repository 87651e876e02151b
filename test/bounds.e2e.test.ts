import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "./helpers/cli.js";

/** A user's mistake: exit 2, nothing on stdout, one line on stderr, no stack. */
function refused(run: CliResult, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^error: /);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at |Warning/);
}

describe("bounds: the CLI refuses out-of-range values before anything runs, naming the range", () => {
  it.each<[string, string[], RegExp]>([
    // setTimeout overflowed past 2^31-1 ms: the deadline became 1 ms and the interval a busy loop.
    ["--deadline 25d", ["compare", "--deadline", "25d"], /^error: --deadline "25d" is out of range; expected a duration above 0 and at most 7d$/m],
    ["--interval 25d", ["compare", "--interval", "25d"], /^error: --interval "25d" is out of range; expected a duration above 0 and at most 7d$/m],
    ["poll --interval 25d", ["poll", "pay_1", "--provider", "http://127.0.0.1:9", "--interval", "25d"], /--interval "25d" is out of range/],
    ["--latency 2m", ["compare", "--latency", "2m"], /--latency "2m" is out of range; expected a duration from 0 to 1m/],
    ["--delay past 7 days", ["compare", "--delay", "exponential(mean=30d)"], /--delay "exponential\(mean=30d\)" is out of range: its mean is longer than 7d/],
    // Seeds are 32-bit: 2^32 drew seed 0's values.
    ["--seed 4294967296", ["compare", "--seed", "4294967296"], /--seed "4294967296" is not a seed; expected a whole number from 0 to 4,294,967,295/],
    // Files refused decreasing retries; the flag did not.
    ["--retries 5s,1s", ["compare", "--retries", "5s,1s"], /--retries "1s" is shorter than the wait before it \("5s"\); expected waits that never decrease/],
    ["--speed 0.5", ["sweep", "--speed", "0.5"], /--speed "0.5" is not a speed; expected a number from 1 to 10000/],
    ["--rate-limit 0.5/h", ["compare", "--rate-limit", "0.5/h"], /--rate-limit "0.5\/h" is out of range; expected a rate from 1\/h to 1,000,000\/s/],
    ["arrivals past 7 days", ["compare", "--arrival", "1/s", "--payments", "1000000", "--clock", "virtual"], /--payments 1000000 at --arrival "1\/s" spreads 1,000,000 payments over about 11\.6 days; expected arrivals within 7d/],
    ["--repeat 1001", ["compare", "--repeat", "1001"], /--repeat "1001" is not a repeat count; expected a whole number from 1 to 1000/],
    ["--amount past Stripe's ceiling", ["pay", "--provider", "http://127.0.0.1:9", "--amount", "100000000"], /--amount "100000000" is not an amount .* from 1 to 99,999,999/],
    ["sweep --intervals with 21 entries", ["sweep", "--intervals", Array.from({ length: 21 }, (_, i) => `${i + 1}00ms`).join(",")], /--intervals ".*…" has 21 entries; expected at most 20/],
    ["sweep --intervals twice the same", ["sweep", "--intervals", "1s,2s,1s"], /--intervals "1s" is listed twice \(also entry 1 of --intervals\)/],
  ])("%s", async (_what, args, message) => {
    refused(await runCli(args), message);
  });

  it.each([
    ["--seed", "0x1"],
    ["--payments", "0x10"],
    ["--speed", "1e3"],
    ["--failure-rate", "0x0"],
    ["--repeat", "0b11"],
    ["--webhook-port", "0o17"],
  ])("%s %s: decimal numbers only", async (name, value) => {
    refused(await runCli(["compare", name, value]), new RegExp(`^error: ${name} "${value}" is not `));
  });

  it("echoes a bad value at most 40 characters long", async () => {
    const long = "9".repeat(50_000);
    for (const args of [["compare", "--delay", long], ["compare", "--seed", long], ["compare", "--format", long], ["compare", `--${long}`]]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      // 40 characters of the value (of `--9…` for an unknown option), then an ellipsis.
      expect(run.stderr).toMatch(/(?:"|'--)9{38,40}…/);
      expect(run.stderr.length).toBeLessThan(300);
    }
  });

  it("the top of each range is accepted and reported as given", async () => {
    const run = await runCli(["compare", "--clock", "virtual", "-n", "3", "--seed", "4294967295", "--deadline", "7d", "--speed", "10000", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const scenario = JSON.parse(run.stdout).scenario;
    expect(scenario).toMatchObject({ seed: 4_294_967_295, deadlineMs: 604_800_000, speed: 10_000, payments: 3 });
  });
});

describe("scenario files: refused in one line naming the file", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-bounds-"));
    await writeFile(join(dir, "deep.json"), `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
    await writeFile(join(dir, "key.json"), JSON.stringify({ ["k".repeat(1_000_000)]: 1 }));
    await writeFile(join(dir, "long.json"), '{\n  "deadline": "25d"\n}\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("/dev/zero is refused unread", async () => {
    refused(await runCli(["compare", "/dev/zero"]), /scenario file "\/dev\/zero" is not a regular file/);
  });

  it("JSON nested 100,000 deep", async () => {
    refused(await runCli(["compare", join(dir, "deep.json")]), /deep\.json:1:161: nested deeper than 32 levels/);
  });

  it("a 1 MB unknown key: suggestions cost what a short one does, and the echo is short", async () => {
    const run = await runCli(["compare", join(dir, "key.json")]);
    refused(run, /key\.json:1:2: unknown field "k{40}…"; expected one of \$schema/);
    expect(run.stderr.length).toBeLessThan(400);
  });

  it("a duration out of range names the field, its line and column", async () => {
    refused(await runCli(["compare", join(dir, "long.json")]), /long\.json:2:15: deadline "25d" is out of range; expected a duration above 0 and at most 7d/);
  });
});
