import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

// Issue 13, "Unclear": what a demanding user notices before any figure.

describe("apiwh with no command", () => {
  it("prints the help to stderr and exits 2; --help still prints it to stdout and exits 0", async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toMatch(/^Usage: apiwh \[options\] \[command\]/);
    expect(bare.stderr).toMatch(/^\s+compare \[options\] \[scenario\]/m);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: apiwh/);
  });
});

describe("no Node warning reaches stderr", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "apiwh-hygiene-"));
    // Injected API latency holds 30 polls at once, each once an abort listener on one signal.
    writeFileSync(
      join(dir, "slow-api.json"),
      JSON.stringify({ name: "slow-api", payments: { count: 30 }, settlement: { delay: "fixed(300ms)" }, polling: { interval: "100ms" }, faults: { api: { latency: "fixed(200ms)" } }, speed: 2, strategies: ["polling", "sse"] }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    // 30 long polls held at once printed MaxListenersExceededWarning on every run.
    ["long polling, 30 payments", ["compare", "--strategies", "long-polling", "-n", "30", "--speed", "4"]],
    ["injected API latency", ["compare", "SLOW_API"]],
    ["every strategy, virtual clock", ["compare", "--clock", "virtual", "-n", "1000", "--strategies", "polling,polling-backoff,conditional,long-polling,sse,webhook,hybrid"]],
  ])("%s", async (_what, args) => {
    const r = await runCli(args.map((a) => (a === "SLOW_API" ? join(dir, "slow-api.json") : a)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Warning|\(node:\d+\)/);
  }, 60_000);
});
