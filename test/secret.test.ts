import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { generateSecret, signStandard, standardKey } from "../src/webhooks/signature.js";
import { MAX_SECRET_CHARS, resolveSecret } from "../src/webhooks/secret.js";
import { request } from "undici";
import { BIN } from "./helpers/cli.js";

const good = generateSecret(); // 32 bytes
const key = (bytes: number) => "whsec_" + Buffer.alloc(bytes, 0x41).toString("base64");

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "apiwh-secret-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The UsageError's message; fails the test if something else (or nothing) was thrown. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return (err as UsageError).message;
}

describe("resolveSecret: --secret, --secret-file, APIWH_WEBHOOK_SECRET", () => {
  it("takes the flag, then the file, then the environment", async () => {
    expect(await resolveSecret({ secret: good, env: { APIWH_WEBHOOK_SECRET: key(40) } })).toEqual({ secret: good, source: "--secret" });
    expect(await resolveSecret({ secretFile: file("s", `${good}\n`), env: { APIWH_WEBHOOK_SECRET: key(40) } })).toEqual({ secret: good, source: "--secret-file" });
    expect(await resolveSecret({ env: { APIWH_WEBHOOK_SECRET: ` ${key(40)}\n` } })).toEqual({ secret: key(40), source: "APIWH_WEBHOOK_SECRET" });
    // An empty variable counts as unset.
    expect(await resolveSecret({ env: { APIWH_WEBHOOK_SECRET: "" } })).toBeUndefined();
    expect(await resolveSecret({ env: {} })).toBeUndefined();
  });

  it("accepts exactly 24 bytes and refuses 23 (issue 13 S4), and refuses whsec_======== (no key at all)", async () => {
    expect((await resolveSecret({ secret: key(24), env: {} }))?.secret).toBe(key(24));
    expect(await refusal(resolveSecret({ secret: key(23), env: {} }))).toBe(
      "--secret decodes to 23 bytes of key, fewer than 24; expected whsec_ followed by base64 of at least 24 random bytes, as the provider's POST /webhook-endpoints answers",
    );
    expect(await refusal(resolveSecret({ secret: "whsec_========", env: {} }))).toMatch(/^--secret is not a signing secret; expected whsec_/);
    expect(await refusal(resolveSecret({ secret: "whsec_", env: {} }))).toMatch(/^--secret is not a signing secret/);
  });

  it("refuses what is not whsec_ + base64, naming the source and never the value", async () => {
    const wrong = ["hunter2-hunter2-hunter2-hunter2-hunter2", `${good} `, `whsec_${"A".repeat(40)}===`, `whsec_${"A".repeat(20)}-_${"A".repeat(20)}`];
    for (const secret of wrong) {
      const message = await refusal(resolveSecret({ secret, env: {} }));
      expect(message).toMatch(/^--secret is not a signing secret/);
      expect(message).not.toContain(secret.trim().slice(0, 12));
    }
    const fromEnv = await refusal(resolveSecret({ env: { APIWH_WEBHOOK_SECRET: "sk_live_abcdefabcdefabcdef" } }));
    expect(fromEnv).toMatch(/^APIWH_WEBHOOK_SECRET is not a signing secret/);
    expect(fromEnv).not.toContain("sk_live");
  });

  it("refuses --secret with --secret-file", async () => {
    expect(await refusal(resolveSecret({ secret: good, secretFile: "x", env: {} }))).toBe("--secret and --secret-file both given; expected one of them");
  });

  it("--secret-file: a missing file, a directory, an empty file, a huge one and /dev/zero are one-line errors", async () => {
    expect(await refusal(resolveSecret({ secretFile: join(dir, "absent"), env: {} }))).toMatch(/^--secret-file ".*absent": cannot read the file \(ENOENT\); expected a readable file/);
    expect(await refusal(resolveSecret({ secretFile: dir, env: {} }))).toMatch(/cannot read the file \(EISDIR\)/);
    expect(await refusal(resolveSecret({ secretFile: file("empty", "\n\n"), env: {} }))).toMatch(/: the file is empty; expected whsec_/);
    expect(await refusal(resolveSecret({ secretFile: file("huge", Buffer.alloc(1 << 20, 0x41)), env: {} }))).toMatch(/: the file is longer than 512 bytes/);
    expect(await refusal(resolveSecret({ secretFile: "/dev/zero", env: {} }))).toMatch(/^--secret-file "\/dev\/zero": the file is longer than 512 bytes/);
    // The content of a wrong file is not echoed either.
    const message = await refusal(resolveSecret({ secretFile: file("wrong", "password123password123\n"), env: {} }));
    expect(message).toMatch(/^the file given to --secret-file is not a signing secret/);
    expect(message).not.toContain("password123");
  });

  it("a path with control characters is echoed escaped", async () => {
    const message = await refusal(resolveSecret({ secretFile: join(dir, "a\u001b[31mb"), env: {} }));
    expect(message).not.toContain("\u001b");
    expect(message).toContain("\\u001b[31mb");
  });

  it("a flag value longer than any secret is refused by length", async () => {
    expect(await refusal(resolveSecret({ secret: "whsec_" + "A".repeat(MAX_SECRET_CHARS), env: {} }))).toMatch(/^--secret is longer than 512 characters/);
  });
});

describe("apiwh listen takes its secret as probe does (issue 13, S4)", () => {
  /** Starts `apiwh listen`, sends one delivery signed with `signingSecret`, and stops it; what it printed. */
  async function listenOnce(args: string[], env: NodeJS.ProcessEnv, signingSecret: string) {
    const child = spawn(process.execPath, [BIN, "listen", "--port", "0", ...args], { env: { ...process.env, APIWH_WEBHOOK_SECRET: "", NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    const started = await Promise.race([until(() => /receiving on (\S+)/.exec(out)?.[1]), exited.then(() => undefined)]);
    if (started) {
      const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: "pay_1", status: "succeeded" } });
      const ts = Math.floor(Date.now() / 1000);
      await request(started, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": "evt_1", "webhook-timestamp": String(ts), "webhook-signature": signStandard(standardKey(signingSecret), "evt_1", ts, body) },
        body,
      }).then((r) => r.body.dump());
      await until(() => (/evt_1/.test(out) ? true : undefined));
      child.kill("SIGINT");
    }
    return { code: await exited, out, err };
  }

  it("an empty key (whsec_========) and a 23-byte key are refused before listening, never echoed", async () => {
    for (const [secret, why] of [
      ["whsec_========", "is not a signing secret"],
      [key(23), "decodes to 23 bytes of key, fewer than 24"],
    ] as const) {
      const r = await listenOnce(["--secret", secret], {}, good);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toBe(`error: --secret ${why}; expected whsec_ followed by base64 of at least 24 random bytes, as the provider's POST /webhook-endpoints answers\n`);
    }
  }, 30_000);

  it("--secret-file and APIWH_WEBHOOK_SECRET: a delivery signed with that secret verifies, one signed with another is refused", async () => {
    const secret = generateSecret();
    const fromFile = await listenOnce(["--secret-file", file("listen.secret", `${secret}\n`)], {}, secret);
    expect(fromFile.out).toMatch(/evt_1 .*✓ verified/);
    const fromEnv = await listenOnce([], { APIWH_WEBHOOK_SECRET: secret }, secret);
    expect(fromEnv.out).toMatch(/evt_1 .*✓ verified/);
    const wrong = await listenOnce([], { APIWH_WEBHOOK_SECRET: secret }, good);
    expect(wrong.out).toMatch(/evt_1 .*✗ 401 bad-signature/);
    for (const r of [fromFile, fromEnv, wrong]) {
      expect(r.code).toBe(130);
      expect(r.out + r.err).not.toContain(secret);
    }
  }, 30_000);
});

async function until<T>(value: () => T | undefined, timeoutMs = 10_000): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
