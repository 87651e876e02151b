import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

// The commands run from dist/ as separate processes (`npm test` builds first; for a quick loop:
// npx tsc -p . && npx vitest run test/commands.e2e.test.ts), through a launcher until cli.ts wires them.
const BIN = fileURLToPath(new URL("../bin/apiwh.js", import.meta.url));

/** The command's options as the real CLI's arguments: the tests run `apiwh <command> …` itself. */
function argv(command: string, options: Record<string, unknown>): string[] {
  const args = [command];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    if (key === "scenario") args.push(String(value));
    else if (key === "ids") args.push(...(value as string[]));
    else if (key === "intervalMs") args.push("--interval", `${value}ms`);
    else {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      args.push(...(value === true ? [flag] : [flag, String(value)]));
    }
  }
  return args;
}

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with stdout once it matches, rejects (with what was printed) after the timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; afterMs: number }>;
}

const running = new Set<Proc>();

function start(command: string, options: Record<string, unknown>): Proc {
  const child = spawn(process.execPath, [BIN, ...argv(command, options)], {
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (c) => {
    out += c;
    for (const w of waiters) w();
  });
  child.stderr!.on("data", (c) => (err += c));
  let stoppedAt = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.on("close", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal, afterMs: stoppedAt ? performance.now() - stoppedAt : NaN });
    }),
  );
  const proc: Proc = {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(out);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${command}: no ${pattern} within ${timeoutMs} ms\n--- stdout\n${out}\n--- stderr\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      }),
    exited,
    async stop(signal = "SIGINT") {
      stoppedAt = performance.now();
      child.kill(signal);
      return exited;
    },
  };
  running.add(proc);
  return proc;
}

async function finish(command: string, options: Record<string, unknown>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = start(command, options);
  const { code } = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** The base URL a server printed on its first line. */
async function urlOf(proc: Proc, pattern: RegExp): Promise<string> {
  const out = await proc.waitFor(pattern);
  return pattern.exec(out)![1]!;
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern, "g")) ?? []).length;
const PROVIDER_URL = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
const LISTEN_URL = /receiving on (http:\/\/127\.0\.0\.1:\d+\/webhook)/;

let dir: string;
let fastScenario: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "apiwh-commands-"));
  fastScenario = join(dir, "fast.json");
  // Quick settlements and a short retry schedule, so a wrong secret shows its retry within a second.
  writeFileSync(
    fastScenario,
    JSON.stringify({ name: "fast", seed: 7, settlement: { delay: "uniform(100ms, 400ms)", failureRate: 0 }, webhook: { retries: ["0s", "200ms"] } }),
  );
});

afterEach(async () => {
  await Promise.all([...running].map((p) => p.stop("SIGKILL")));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("apiwh provider + listen + pay, three processes over loopback", () => {
  it("pay creates 3 payments, listen prints 3 verified deliveries, provider logs it all; SIGINT frees both ports", async () => {
    const provider = start("provider", { scenario: fastScenario, port: 0 });
    const providerUrl = await urlOf(provider, PROVIDER_URL);
    const listen = start("listen", { port: 0, provider: providerUrl });
    const listenUrl = await urlOf(listen, LISTEN_URL);
    await listen.waitFor(/registered we_1/);

    const pay = await finish("pay", { provider: providerUrl, count: 3 });
    expect(pay.code, pay.stderr).toBe(0);
    expect(pay.stderr).toBe("");
    expect(pay.stdout.trim().split("\n")).toEqual(["pay_1  1,000 usd  pending", "pay_2  1,000 usd  pending", "pay_3  1,000 usd  pending"]);

    const heard = await listen.waitFor(/(✓ verified[^\n]*\n[^]*){3}/);
    const deliveries = heard.split("\n").filter((l) => l.includes("✓ verified"));
    expect(deliveries).toHaveLength(3);
    for (const line of deliveries) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}evt_\d {2}payment\.succeeded {2}pay_\d {2}✓ verified {2}≈ -?\d+ ms after settling$/);
    expect(new Set(deliveries.map((l) => /pay_\d/.exec(l)![0]))).toEqual(new Set(["pay_1", "pay_2", "pay_3"]));

    const log = await provider.waitFor(/(provider → webhook[^\n]*204[^]*){3}/);
    expect(log).toMatch(/client → provider {2}POST \/webhook-endpoints {2}201 we_1 → http:\/\/127\.0\.0\.1:\d+\/webhook {2}\d/);
    expect(count(log, /POST \/payments {2}201 pay_\d pending/)).toBe(3);
    expect(count(log, /pay_\d settled succeeded/)).toBe(3);

    // Neither side ever shows the signing secret without --print-secret.
    for (const text of [provider.stdout(), provider.stderr(), listen.stdout(), listen.stderr()]) expect(text).not.toMatch(/whsec_/);

    const [p, l] = await Promise.all([provider.stop(), listen.stop()]);
    expect(p.code, provider.stderr()).toBe(130);
    expect(l.code, listen.stderr()).toBe(130);
    // The promise is 2 s from Ctrl-C to exit; closing two idle servers takes tens of ms.
    expect(p.afterMs).toBeLessThan(2000);
    expect(l.afterMs).toBeLessThan(2000);
    expect(provider.stdout()).toMatch(/stopped: 3 payments, \d+ requests served, 3 delivery attempts \(3 answered 2xx, 0 retries\)\n$/);
    expect(listen.stdout()).toMatch(/stopped: 3 deliveries verified, 0 duplicates, 0 rejected\n$/);
    expect(await refused(providerUrl)).toBe(true);
    expect(await refused(listenUrl)).toBe(true);
    expect(provider.stderr() + listen.stderr()).toBe("");
  }, 30_000);

  it("listen with the wrong secret rejects every attempt with 401 and counts them", async () => {
    const provider = start("provider", { scenario: fastScenario, port: 0, printSecret: true });
    const providerUrl = await urlOf(provider, PROVIDER_URL);
    const listen = start("listen", { port: 0, secret: "whsec_" + Buffer.alloc(32, 7).toString("base64") });
    const listenUrl = await urlOf(listen, LISTEN_URL);
    // Registered by hand, as a developer would: the provider hands out a secret the listener never sees.
    const registered = await fetch(`${providerUrl}/webhook-endpoints`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: listenUrl }) });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    // Asked for with --print-secret, the provider shows it; the listener, given another, never shows either.
    await provider.waitFor(new RegExp(`POST /webhook-endpoints {2}201 we_1 → \\S+ {2}secret ${secret.replace(/[+/=]/g, "\\$&")}`));

    expect((await finish("pay", { provider: providerUrl, count: 2 })).code).toBe(0);
    // Two payments, two attempts each (0s, then 200ms later).
    const out = await listen.waitFor(/(✗ 401 bad-signature[^]*){4}/);
    expect(out).not.toMatch(/✓ verified/);
    for (const line of out.split("\n").filter((l) => l.includes("✗"))) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}evt_\d {2}✗ 401 bad-signature {2}not processed$/);
    await provider.waitFor(/(provider → webhook POST evt_\d pay_\d retry 1 {2}401[^]*){2}/);

    expect((await listen.stop()).code).toBe(130);
    expect(listen.stdout()).toMatch(/stopped: 0 deliveries verified, 0 duplicates, 4 rejected \(bad-signature 4\)\n$/);
    expect(listen.stdout() + listen.stderr()).not.toMatch(/whsec_/);
    await provider.stop();
  }, 30_000);
});

describe("apiwh poll against a provider process", () => {
  it("prints every knock until each payment is settled, then the summary; exit 0", async () => {
    const provider = start("provider", { scenario: fastScenario, port: 0 });
    const providerUrl = await urlOf(provider, PROVIDER_URL);
    const poll = await finish("poll", { provider: providerUrl, create: 2, intervalMs: 100 });
    expect(poll.code, poll.stderr).toBe(0);
    expect(poll.stderr).toBe("");
    const lines = poll.stdout.trim().split("\n");
    expect(lines.slice(0, 2)).toEqual(["created pay_1  1,000 usd  pending", "created pay_2  1,000 usd  pending"]);
    const knocks = lines.filter((l) => l.includes("GET /payments/"));
    // The time of day, as provider and listen print it; the knock that finds the outcome says how long it waited.
    for (const k of knocks) expect(k).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}GET \/payments\/pay_[12] {2}200 (pending {2}\d+\.\d+ ms|succeeded {2}\d+\.\d+ ms {2}≈ -?[\d.]+ (ms|s) after settling)$/);
    expect(count(poll.stdout, /200 succeeded/)).toBe(2);
    const summary = lines.find((l) => l.startsWith("2 of 2 payments known"))!;
    const [, requests, wasted] = /: (\d+) requests, (\d+) wasted \(\d+%\), [\d.]+ per payment$/.exec(summary)!;
    expect(Number(requests)).toBe(knocks.length);
    expect(Number(wasted)).toBe(knocks.length - 2);
    // "1 request" when a payment had settled by its first knock (creation can be that slow on a busy machine).
    expect(lines.slice(-2).map((l) => l.replace(/\d+ requests?\b.*/, ""))).toEqual(["  pay_1  succeeded  ", "  pay_2  succeeded  "]);
    // The provider writes its log in batches: all of it is out once it has stopped.
    await provider.stop();
    expect(count(provider.stdout(), /GET \/payments\/pay_\d {2}200/)).toBe(knocks.length);
  }, 30_000);
});

describe("bad input: one line naming the flag, exit 2", () => {
  it("a port in use names --port", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      for (const command of ["provider", "listen"]) {
        const r = await finish(command, { port, secret: command === "listen" ? "whsec_" + "A".repeat(32) : undefined });
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`error: --port ${port}: the port is in use on 127.0.0.1; expected a free port, or 0 to pick one\n`);
      }
    } finally {
      blocker.close();
    }
  }, 20_000);

  it.each([
    ["pay", { provider: "http://127.0.0.1:9", count: 1 }, /^error: --provider http:\/\/127\.0\.0\.1:9: cannot connect \(ECONNREFUSED\); expected the URL of a running `apiwh provider`/],
    ["pay", { provider: "not a url" }, /^error: --provider "not a url": not a URL; expected/],
    ["pay", { provider: "ftp://127.0.0.1:4010" }, /^error: --provider "ftp:\/\/127\.0\.0\.1:4010": must use http or https/],
    ["pay", { provider: "http://127.0.0.1:9", count: 0 }, /^error: .*--count.*"0" is not a payment count; expected a whole number from 1 to 100,000/],
    ["pay", { provider: "http://127.0.0.1:9", currency: "USD" }, /^error: --currency "USD": not a currency/],
    ["poll", { provider: "http://127.0.0.1:9" }, /^error: no payments to poll; expected payment ids such as pay_1 pay_2, or --create <n>/],
    ["poll", { provider: "http://127.0.0.1:9", ids: ["pay_1"], intervalMs: 0 }, /^error: .*--interval.*"0ms" must be longer than zero/],
    ["listen", { port: 0 }, /^error: no secret to verify with; expected --secret-file <path>, APIWH_WEBHOOK_SECRET, --secret whsec_…, or --provider/],
    ["listen", { port: 0, secret: "hunter2-secret-value" }, /^error: --secret is not a signing secret; expected whsec_/],
    ["provider", { port: 70000 }, /^error: .*--port.*"70000" is not a port; expected a whole number from 0 to 65535/],
  ])("%s %j", async (command, options, message) => {
    const r = await finish(command, options);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("hunter2");
    expect(r.stdout).toBe("");
  }, 20_000);

  it("a non-loopback --host binds but warns on stderr", async () => {
    const provider = start("provider", { port: 0, host: "0.0.0.0" });
    await provider.waitFor(/listening on http:\/\/0\.0\.0\.0:\d+/);
    expect(provider.stderr()).toMatch(/^warning: --host 0\.0\.0\.0 makes the provider .* reachable from other machines/);
    expect((await provider.stop("SIGTERM")).code).toBe(143);
  }, 20_000);
});
