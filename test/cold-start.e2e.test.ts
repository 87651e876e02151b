import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

/**
 * Cold start loads only what the command needs (issue 18): `--version` and `--help` import no
 * server or client code. The CLI runs with a preload that records every module it imports
 * (test/helpers/record-imports.mjs); the controls show the recorder sees those modules when a
 * command does load them, so the absences below can fail.
 */
const ROOT = pathToFileURL(fileURLToPath(new URL("../", import.meta.url))).href;
const PRELOAD = fileURLToPath(new URL("./helpers/record-imports.mjs", import.meta.url));

/** Server and client code: the engines, both sides, the commands that run them, undici and node's HTTP servers. */
const HEAVY = [/^dist\/(provider|strategies|run|virtual|commands|probe|serve|views|webhooks)\//, /^node_modules\/undici\//, /^builtin:(http|https|http2|_http_server|_http_client)$/];

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "apiwh-cold-"))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

let runs = 0;
async function imports(args: string[]): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const log = join(dir, `imports-${runs++}.txt`);
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(PRELOAD).href}`, APIWH_IMPORT_LOG: log } });
  const text = await readFile(log, "utf8");
  const modules = [...new Set(text.split("\n").filter(Boolean).map((url) => url.replace(ROOT, "")))];
  return { code: r.code, stdout: r.stdout, modules };
}
const heavy = (modules: string[]) => modules.filter((m) => HEAVY.some((re) => re.test(m)));

describe("cold start", () => {
  it("--version imports only the entry, the version and no parser", async () => {
    const r = await imports(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(heavy(r.modules)).toEqual([]);
    expect(r.modules.filter((m) => m.startsWith("dist/"))).toEqual(expect.arrayContaining(["dist/cli.js", "dist/version.js"]));
    expect(r.modules.filter((m) => m.startsWith("node_modules/"))).toEqual([]);
  });

  it.each([[["--help"]], [["compare", "--help"]], [["provider", "--help"]], [["check", "--help"]]])("%j imports no server or client code", async (args) => {
    const r = await imports(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: apiwh/);
    expect(heavy(r.modules)).toEqual([]);
    // zod (the scenario's declaration) only where compare's help lists the strategies' parameters.
    expect(r.modules.some((m) => m.startsWith("node_modules/zod/"))).toBe(args[0] === "compare");
  });

  it("controls: the recorder sees the engines, undici and node:http when a command loads them", async () => {
    const virtual = await imports(["compare", "--clock", "virtual", "--payments", "3", "--format", "json"]);
    expect(virtual.code).toBe(0);
    expect(heavy(virtual.modules)).toContain("dist/virtual/simulate.js");
    // One payment settling at once, webhook only: the real clock's servers and client, in a second or two.
    const real = await imports(["compare", "--payments", "1", "--strategies", "webhook", "--delay", "fixed(0s)", "--format", "json"]);
    expect(real.code).toBe(0);
    expect(heavy(real.modules)).toEqual(expect.arrayContaining(["dist/run/strategy-run.js", "node_modules/undici/index.js", "builtin:http", "builtin:_http_server"]));
  }, 30_000);
});
