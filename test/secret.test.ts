import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { generateSecret } from "../src/webhooks/signature.js";
import { MAX_SECRET_CHARS, resolveSecret } from "../src/webhooks/secret.js";

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
