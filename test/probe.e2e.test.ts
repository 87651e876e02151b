import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CheckName, Grade, ProbeResult } from "../src/contract/probe.js";
import { CHECK_NAMES } from "../src/contract/probe.js";
import { BIN, runCli } from "./helpers/cli.js";
import {
  acceptEverything,
  closesOnLargeBody,
  readsWholeBody,
  serve,
  sleepyReceiver,
  standardReceiver,
  stripeReceiver,
  throttleFirst,
  type TestReceiver,
} from "./helpers/receivers.js";

// `apiwh probe` run as its user would: the built CLI in a child process (npm test builds first),
// against real receivers on 127.0.0.1. The tests assert grades, never timings: every receiver that
// must fail a timing check sleeps far past the timeout given.

const SECRET = "whsec_" + Buffer.alloc(32, 0x5a).toString("base64");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Small counts keep each run under a second; the defaults (50, 20) are exercised against `apiwh listen`. */
const QUICK = ["--deliveries", "5", "--concurrency", "5"];

const SIGNATURE_AND_TIMESTAMP: CheckName[] = ["missing-signature", "bad-signature", "wrong-secret", "tampered-body", "truncated-signature", "stale-timestamp", "future-timestamp"];

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(r: Promise<TestReceiver>): Promise<TestReceiver> {
  const started = await r;
  cleanups.push(() => started.close());
  return started;
}

async function probe(url: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(["probe", url, "--format", "json", ...args], { env, timeoutMs: 60_000 });
  const result = r.stdout ? (JSON.parse(r.stdout) as ProbeResult) : undefined;
  const grades = Object.fromEntries(result?.checks.map((c) => [c.name, c.grade]) ?? []) as Record<CheckName, Grade>;
  return { ...r, result, grades };
}

/** The checks not graded `grade`, with their advice, so a failing assertion says why. */
function notGraded(p: { result?: ProbeResult }, grade: Grade, names: readonly CheckName[]) {
  return (p.result?.checks ?? []).filter((c) => names.includes(c.name) && c.grade !== grade).map((c) => `${c.name}: ${c.grade}: ${c.received}: ${c.advice}`);
}

/** A server started as a child process; resolves with the URL it prints. */
function startChild(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("close", () => resolve());
        child.kill("SIGINT");
      }),
  );
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (c) => {
      out += c;
      const m = pattern.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.stderr!.on("data", (c) => (err += c));
    child.once("close", (code) => reject(new Error(`${args.join(" ")} exited ${code} before printing its URL\n${out}\n${err}`)));
  });
}

describe("apiwh probe: receivers graded as issue 14 says", () => {
  it("apiwh's own receiver (apiwh listen, child process): every check ✓ but replay, which without --observe cannot be seen from outside (⚠); exit 0; default deliveries and burst", async () => {
    const { url } = await startChild([BIN, "listen", "--port", "0", "--secret", SECRET], {}, /receiving on (http:\/\/127\.0\.0\.1:\d+\/webhook)/);
    const p = await probe(url, ["--secret", SECRET]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.result!.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    expect(Object.keys(p.result!.checks[0]!)).toEqual(["name", "grade", "sent", "received", "ms", "advice"]);
    // slow-path is graded on timing (⚠ when p99 passes 300 ms): a loaded machine may earn ⚠, never ✗.
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => n !== "replay" && n !== "slow-path"))).toEqual([]);
    expect(p.grades["slow-path"]).not.toBe("fail");
    expect(p.grades.replay).toBe("warn");
    expect(p.result!.checks.find((c) => c.name === "replay")!.advice).toMatch(/cannot be observed from outside/);
    const slow = p.result!.checks.find((c) => c.name === "slow-path")!;
    expect(slow.times).toMatchObject({ count: 50, ok: 50 });
    expect(p.result!.checks.find((c) => c.name === "burst")!.times).toMatchObject({ count: 20, ok: 20 });
    // 17 single deliveries, 50 for slow-path, 20 for burst; no retry-after re-send.
    expect(p.result!.summary.requests).toBe(87);
    expect(p.stdout + p.stderr).not.toContain(SECRET.slice(6, 20));
    // Nothing on stderr off a terminal: no progress, and no Node warning (a burst of 20 once tripped MaxListenersExceededWarning).
    expect(p.stderr).toBe("");
  }, 60_000);

  it("apiwh listen --signature stripe, probed with --signature stripe: the same, in Stripe's format", async () => {
    const { url } = await startChild([BIN, "listen", "--port", "0", "--secret", SECRET, "--signature", "stripe"], {}, /receiving on (http:\/\/127\.0\.0\.1:\d+\/webhook)/);
    const p = await probe(url, ["--secret", SECRET, "--signature", "stripe", ...QUICK]);
    expect(p.code, p.stderr).toBe(0);
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => n !== "replay" && n !== "slow-path"))).toEqual([]);
  }, 60_000);

  it("the README's receiver (standardwebhooks, child process) with --observe: every check ✓, replay and out-of-order confirmed by what it processed", async () => {
    const { url } = await startChild(["examples/receivers/receiver.mjs"], { WEBHOOK_SECRET: SECRET, PORT: "0" }, /listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks)/);
    const p = await probe(url, ["--secret", SECRET, "--observe", url.replace(/\/webhooks$/, "/observe"), ...QUICK]);
    expect(p.code, p.stderr).toBe(0);
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => n !== "slow-path"))).toEqual([]);
    expect(p.result!.checks.find((c) => c.name === "replay")!.observed).toBe("processed 1, status succeeded");
    expect(p.result!.checks.find((c) => c.name === "out-of-order")!.observed).toMatch(/status succeeded/);
    expect(p.result!.checks.find((c) => c.name === "bad-signature")!.observed).toBe("processed 0");
  }, 60_000);

  it("a correct standardwebhooks receiver without --observe: all ✓ but replay ⚠", async () => {
    const r = await receiver(standardReceiver(SECRET));
    const p = await probe(r.url, ["--secret", SECRET, ...QUICK]);
    expect(p.code, p.stderr).toBe(0);
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => n !== "replay" && n !== "slow-path"))).toEqual([]);
    expect(p.grades.replay).toBe("warn");
  }, 30_000);

  it("a Stripe receiver on stripe.webhooks.constructEvent: all ✓ with --signature stripe (a timestamp ahead is accepted, as Stripe's library does)", async () => {
    const r = await receiver(stripeReceiver(SECRET));
    const p = await probe(r.url, ["--secret", SECRET, "--signature", "stripe", ...QUICK]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.result!.signature).toBe("stripe");
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => n !== "replay" && n !== "slow-path"))).toEqual([]);
    expect(p.result!.checks.find((c) => c.name === "future-timestamp")!.received).toMatch(/^204 /);
  }, 30_000);

  it("a receiver that accepts everything: ✗ on every signature and timestamp check; exit 1", async () => {
    const r = await receiver(acceptEverything());
    const p = await probe(r.url, ["--secret", SECRET, ...QUICK]);
    expect(p.code).toBe(1);
    expect(notGraded(p, "fail", SIGNATURE_AND_TIMESTAMP)).toEqual([]);
    expect(p.grades.valid).toBe("pass");
    expect(p.result!.checks.find((c) => c.name === "wrong-secret")!.advice).toBe(
      "your endpoint accepted a body signed with the wrong secret: verify `webhook-signature` over the raw body before parsing",
    );
    expect(p.result!.summary).toMatchObject({ ok: false, fail: expect.any(Number) });
  }, 30_000);

  it("the same in Stripe's format: ✗ on every signature check and the stale timestamp", async () => {
    const r = await receiver(acceptEverything());
    const p = await probe(r.url, ["--secret", SECRET, "--signature", "stripe", "--only", SIGNATURE_AND_TIMESTAMP.join(",")]);
    expect(notGraded(p, "fail", SIGNATURE_AND_TIMESTAMP.filter((n) => n !== "future-timestamp"))).toEqual([]);
  }, 30_000);

  it("a receiver that answers 500 to a repeated webhook-id: ✗ replay", async () => {
    const r = await receiver(standardReceiver(SECRET, { duplicate: "500" }));
    const p = await probe(r.url, ["--secret", SECRET, "--only", "valid,replay"]);
    expect(p.grades).toEqual({ valid: "pass", replay: "fail" });
    expect(p.result!.checks[1]!.received).toMatch(/^204 in .*, then 500 in /);
    expect(p.code).toBe(1);
  }, 30_000);

  it("a receiver that sleeps past the timeout: ✗ valid and slow-path, which stops after its third failure", async () => {
    const r = await receiver(sleepyReceiver(5_000));
    const p = await probe(r.url, ["--secret", SECRET, "--only", "valid,slow-path", "--timeout", "300ms", "--deliveries", "10"]);
    expect(p.grades).toEqual({ valid: "fail", "slow-path": "fail" });
    const slow = p.result!.checks[1]!;
    expect(slow.times).toMatchObject({ count: 3, ok: 0 });
    expect(slow.received).toMatch(/stopped after 3 failures/);
    expect(slow.advice).toMatch(/^of 3 deliveries, 3 got no answer in time: senders give up/);
    expect(p.result!.checks[0]!.received).toBe("no answer within 300.0 ms");
  }, 30_000);

  it("a receiver answering in 400 ms: slow-path ⚠, past a tenth of Slack's 3 s", async () => {
    const r = await receiver(sleepyReceiver(400));
    const p = await probe(r.url, ["--secret", SECRET, "--only", "slow-path", "--deliveries", "2"]);
    expect(p.grades).toEqual({ "slow-path": "warn" });
    expect(p.result!.checks[0]!.advice).toMatch(/over a tenth of Slack's 3 s delivery timeout/);
    expect(p.code).toBe(0);
  }, 30_000);

  it("a receiver that reads the whole 2 MiB body and answers 500: ✗ oversized; one that closes the connection: ✓", async () => {
    const whole = await receiver(readsWholeBody());
    const p = await probe(whole.url, ["--secret", SECRET, "--only", "oversized"]);
    expect(p.grades).toEqual({ oversized: "fail" });
    expect(p.result!.checks[0]!.received).toMatch(/^500 /);
    const closer = await receiver(closesOnLargeBody());
    const q = await probe(closer.url, ["--secret", SECRET, "--only", "oversized"]);
    expect(q.grades).toEqual({ oversized: "pass" });
  }, 30_000);

  it("burst: a receiver taking one delivery and failing the rest is ✗; one throttling the rest with Retry-After is ⚠", async () => {
    const only = (answer: (res: import("node:http").ServerResponse) => void) => {
      let first = true;
      return serve((_req, res) => (first ? ((first = false), void res.writeHead(204).end()) : answer(res)));
    };
    const failing = await receiver(only((res) => void res.writeHead(500).end()));
    const p = await probe(failing.url, ["--secret", SECRET, "--only", "burst", "--concurrency", "5"]);
    expect(p.grades).toEqual({ burst: "fail" });
    expect(p.result!.checks[0]!.advice).toMatch(/^of 5 deliveries sent at once, 4 answered 500: senders retry every one/);
    expect(p.result!.checks[0]!.times).toMatchObject({ count: 5, ok: 1 });
    const throttling = await receiver(only((res) => void res.writeHead(429, { "retry-after": "120" }).end()));
    const q = await probe(throttling.url, ["--secret", SECRET, "--only", "burst,retry-after", "--concurrency", "5"]);
    expect(q.grades).toEqual({ burst: "warn", "retry-after": "pass" });
    // 120 s is past the longest wait the probe honours: reported, not waited for, nothing re-sent.
    expect(q.result!.checks[1]!.advice).toMatch(/^asks senders to wait 2\.0 min; not waited/);
    expect(throttling.deliveries()).toBe(5);
  }, 30_000);

  it("a receiver that parses JSON before verifying: ✗ malformed-json only", async () => {
    const r = await receiver(standardReceiver(SECRET, { parseFirst: true }));
    const p = await probe(r.url, ["--secret", SECRET, ...QUICK]);
    expect(p.grades["malformed-json"]).toBe("fail");
    expect(p.result!.checks.find((c) => c.name === "malformed-json")!.advice).toMatch(/^answered 500 to a correctly signed body that is not JSON: verify, then parse/);
    expect(notGraded(p, "pass", CHECK_NAMES.filter((n) => !["malformed-json", "replay", "slow-path"].includes(n)))).toEqual([]);
  }, 30_000);

  it("the deliberately broken example receiver: exactly the grades the README shows", async () => {
    const { url } = await startChild(["examples/receivers/broken-receiver.mjs"], { WEBHOOK_SECRET: SECRET, PORT: "0" }, /listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks)/);
    const p = await probe(url, ["--secret", SECRET, ...QUICK]);
    expect(p.code).toBe(1);
    const failed = p.result!.checks.filter((c) => c.grade === "fail").map((c) => c.name);
    expect(failed).toEqual(["missing-signature", "truncated-signature", "stale-timestamp", "future-timestamp", "rotated-secret", "replay", "oversized", "malformed-json"]);
    expect(p.grades["wrong-content-type"]).toBe("warn");
    // The README's captured output shows the same grades (slow-path aside: it is graded on timing).
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /### Against a deliberately broken receiver[^]*?```text\n([^]*?)```/.exec(readme)![1]!;
    const shown = Object.fromEntries([...block.matchAll(/^([✓✗⚠]) ([a-z][a-z-]+) /gm)].map((m) => [m[2], { "✓": "pass", "✗": "fail", "⚠": "warn" }[m[1]!]]));
    expect(Object.keys(shown)).toEqual([...CHECK_NAMES]);
    const { "slow-path": _a, ...shownGrades } = shown;
    const { "slow-path": _b, ...actual } = p.grades;
    expect(actual).toEqual(shownGrades);
  }, 30_000);
});

describe("apiwh probe --observe", () => {
  it("a receiver that processes a redelivery again: ✗ replay (observe: processed 2)", async () => {
    const r = await receiver(standardReceiver(SECRET, { duplicate: "reprocess" }));
    const p = await probe(r.url, ["--secret", SECRET, "--observe", r.observeUrl, "--only", "replay,out-of-order"]);
    expect(p.grades).toEqual({ replay: "fail", "out-of-order": "pass" });
    expect(p.result!.checks[0]!.observed).toBe("processed 2, status succeeded");
  }, 30_000);

  it("a receiver that lets an older event overwrite a newer one: ✗ out-of-order (status regressed to failed)", async () => {
    const r = await receiver(standardReceiver(SECRET, { order: "last-wins" }));
    const p = await probe(r.url, ["--secret", SECRET, "--observe", r.observeUrl, "--only", "replay,out-of-order"]);
    expect(p.grades).toEqual({ replay: "pass", "out-of-order": "fail" });
    expect(p.result!.checks[1]!.advice).toMatch(/^the older event overwrote the newer state \(now failed, expected succeeded\)/);
  }, 30_000);

  it("an observe endpoint that breaks the protocol is a usage error before any delivery is sent", async () => {
    const r = await receiver(standardReceiver(SECRET));
    const p = await probe(r.url, ["--secret", SECRET, "--observe", r.url]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/^error: --observe http:\/\/127\.0\.0\.1:\d+\/webhooks: the observe endpoint answered 415; expected GET <url>\?id=<event id> to answer 200 \{"processed"/);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    // The observe query went to the delivery path (it is the wrong URL); no delivery was POSTed.
    expect(r.deliveries()).toBe(1);
  }, 30_000);
});

describe("apiwh probe: interrupted", () => {
  it("Ctrl-C mid-check: exit 130 within 2 s, the finished checks printed as valid JSON marked partial, the check in flight dropped", async () => {
    // Answers the first delivery (valid), then holds every later one open: replay's second send hangs.
    let seen = 0;
    const r = await receiver(serve((_req, res) => (++seen === 1 ? void res.writeHead(204).end() : undefined)));
    const p = runCli(["probe", r.url, "--secret", SECRET, "--format", "json", "--only", "valid,replay", "--timeout", "30s"], {
      onSpawn: (child) => {
        // Wait for the real condition (the hung delivery has arrived), then interrupt.
        const poll = setInterval(() => {
          if (r.deliveries() >= 2) {
            clearInterval(poll);
            stoppedAt = performance.now();
            child.kill("SIGINT");
          }
        }, 10);
      },
    });
    let stoppedAt = 0;
    const out = await p;
    expect(out.code).toBe(130);
    expect(performance.now() - stoppedAt).toBeLessThan(2_000);
    const result = JSON.parse(out.stdout) as ProbeResult;
    expect(result.partial).toBe(true);
    expect(result.checks.map((c) => [c.name, c.grade])).toEqual([["valid", "pass"]]);
  }, 30_000);
});

describe("apiwh probe: throttling (retry-after, informational)", () => {
  it("429 with Retry-After: 1 on the first delivery: valid ✗, retry-after ✓ after re-sending it a second later", async () => {
    const r = await receiver(throttleFirst(429, "1"));
    const p = await probe(r.url, ["--secret", SECRET, "--only", "valid,retry-after"]);
    expect(p.grades).toEqual({ valid: "fail", "retry-after": "pass" });
    expect(p.result!.checks[1]!.received).toMatch(/first 429 to valid with Retry-After: 1; re-sent after 1\.00 s: 204/);
    expect(r.deliveries()).toBe(2);
  }, 30_000);

  it("503 without Retry-After: retry-after ⚠, nothing re-sent", async () => {
    const r = await receiver(throttleFirst(503));
    const p = await probe(r.url, ["--secret", SECRET, "--only", "valid,retry-after"]);
    expect(p.grades).toEqual({ valid: "fail", "retry-after": "warn" });
    expect(r.deliveries()).toBe(1);
  }, 30_000);
});

describe("apiwh probe: the secret, output formats and usage errors", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "apiwh-probe-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the secret from --secret-file or APIWH_WEBHOOK_SECRET, and never prints it", async () => {
    const r = await receiver(standardReceiver(SECRET));
    const file = join(dir, "secret");
    writeFileSync(file, SECRET + "\n");
    const fromFile = await probe(r.url, ["--secret-file", file, "--only", "valid,wrong-secret"]);
    expect(fromFile.grades).toEqual({ valid: "pass", "wrong-secret": "pass" });
    const fromEnv = await probe(r.url, ["--only", "valid"], { APIWH_WEBHOOK_SECRET: SECRET });
    expect(fromEnv.grades).toEqual({ valid: "pass" });
    for (const out of [fromFile.stdout, fromFile.stderr, fromEnv.stdout, fromEnv.stderr]) expect(out).not.toContain(SECRET.slice(6, 20));
  }, 30_000);

  it("--junit writes one testcase per check: ✗ a failure, ⚠ passing with its warning; table and markdown name every check", async () => {
    const r = await receiver(acceptEverything());
    const junit = join(dir, "probe.xml");
    const table = await runCli(["probe", r.url, "--secret", SECRET, "--junit", junit, ...QUICK]);
    expect(table.code).toBe(1);
    const xml = readFileSync(junit, "utf8");
    expect(xml.match(/<testcase /g)).toHaveLength(CHECK_NAMES.length);
    const failures = Number(/<testsuite [^>]*failures="(\d+)"/.exec(xml)![1]);
    expect(failures).toBeGreaterThanOrEqual(SIGNATURE_AND_TIMESTAMP.length);
    expect(xml.match(/<failure /g)).toHaveLength(failures);
    expect(xml).toMatch(/name="wrong-content-type"[^>]*>\s*<system-out>warning: /);
    for (const name of CHECK_NAMES) expect(table.stdout).toMatch(new RegExp(`^[✓✗⚠] ${name} `, "m"));
    expect(table.stdout).toMatch(/✗ wrong-secret +signed with another secret → 200 in/);
    for (const line of table.stdout.split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    const md = await runCli(["probe", r.url, "--secret", SECRET, "--format", "markdown", "--only", "valid,wrong-secret"]);
    expect(md.stdout).toMatch(/^## ❌ apiwh probe failed/);
    expect(md.stdout).toMatch(/\| ❌ \| wrong-secret \| signed with another secret \| 200 in /);
  }, 30_000);

  const closedPort = async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as AddressInfo;
    await new Promise((r) => s.close(r));
    return port;
  };

  it.each([
    ["no secret", ["--only", "valid"], {}, /^error: no secret to sign with; expected --secret whsec_…, --secret-file <path> or APIWH_WEBHOOK_SECRET\n$/],
    ["whsec_======== (no key at all)", ["--secret", "whsec_========"], {}, /^error: --secret is not a signing secret; expected whsec_ followed by base64 of at least 24 random bytes/],
    ["a 16-byte key", ["--secret", "whsec_" + Buffer.alloc(16, 1).toString("base64")], {}, /^error: --secret decodes to 16 bytes of key, fewer than 24/],
    ["a 3-byte key in APIWH_WEBHOOK_SECRET", ["--only", "valid"], { APIWH_WEBHOOK_SECRET: "whsec_AAAA" }, /^error: APIWH_WEBHOOK_SECRET decodes to 3 bytes of key, fewer than 24/],
    ["--secret and --secret-file", ["--secret", SECRET, "--secret-file", "/nonexistent"], {}, /^error: --secret and --secret-file both given; expected one of them\n$/],
    ["a missing --secret-file", ["--secret-file", "/nonexistent/secret"], {}, /^error: --secret-file "\/nonexistent\/secret": cannot read the file \(ENOENT\)/],
    ["an unknown check in --only", ["--secret", SECRET, "--only", "valid,replya"], {}, /^error: --only: unknown check "replya"; expected a comma-separated list of: valid, missing-signature, /],
    ["--timeout below 100ms", ["--secret", SECRET, "--timeout", "50ms"], {}, /^error: --timeout 50ms: out of range; expected a duration from 100ms to 1m, such as 10s\n$/],
    ["--deliveries 0", ["--secret", SECRET, "--deliveries", "0"], {}, /^error: --deliveries "0" is not a delivery count; expected a whole number from 1 to 1000\n$/],
    ["--concurrency 201", ["--secret", SECRET, "--concurrency", "201"], {}, /^error: --concurrency "201" is not a concurrency; expected a whole number from 1 to 200\n$/],
    ["an unknown --signature", ["--secret", SECRET, "--signature", "github"], {}, /^error: option '--signature <format>' argument 'github' is invalid\. Allowed choices are standard-webhooks, stripe\.\n$/],
    ["a --junit path that cannot be written", ["--secret", SECRET, "--junit", "/nonexistent-dir/probe.xml"], {}, /^error: --junit \/nonexistent-dir\/probe\.xml: cannot write the file \(ENOENT\)/],
  ] as Array<[string, string[], NodeJS.ProcessEnv, RegExp]>)("usage error, %s: one line, exit 2, nothing sent, no secret shown", async (_label, args, env, message) => {
    const r = await receiver(serve((_req, res) => void res.writeHead(204).end()));
    const p = await runCli(["probe", r.url, ...args], { env: { APIWH_WEBHOOK_SECRET: "", ...env } });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(message);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    expect(p.stdout).toBe("");
    expect(p.stderr).not.toContain("AAAAAAAA");
    expect(p.stderr).not.toMatch(/whsec_[A-Za-z0-9+/]/);
    expect(r.deliveries()).toBe(0);
  }, 20_000);

  it.each([
    ["ftp://127.0.0.1/hook", /^error: the receiver URL "ftp:\/\/127\.0\.0\.1\/hook": must use http or https; expected your receiver's http\(s\) URL/],
    ["not a url", /^error: the receiver URL "not a url": not a URL; expected your receiver's http\(s\) URL/],
  ])("a receiver URL %s is a usage error", async (url, message) => {
    const p = await runCli(["probe", url, "--secret", SECRET]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(message);
  }, 20_000);

  it("a receiver that is not running is a usage error naming the address, before any check", async () => {
    const port = await closedPort();
    const p = await runCli(["probe", `http://127.0.0.1:${port}/webhooks`, "--secret", SECRET]);
    expect(p.code).toBe(2);
    expect(p.stderr).toBe(`error: http://127.0.0.1:${port}/webhooks: cannot connect (ECONNREFUSED); expected the URL of your running webhook receiver\n`);
  }, 20_000);
});
