/**
 * The webhook signing secret, from wherever the user keeps it: `--secret` (which `ps` shows to
 * every user of the machine), `--secret-file`, or the `APIWH_WEBHOOK_SECRET` environment variable.
 * A secret is never echoed, not even in the error that refuses it.
 */
import { open } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { standardKey } from "./signature.js";

export const SECRET_ENV = "APIWH_WEBHOOK_SECRET";

/**
 * Shortest key accepted, in decoded bytes. The Standard Webhooks spec has senders generate 24 to
 * 64 random bytes; fewer is guessable, and `whsec_========` (no bytes at all) would verify
 * deliveries signed with an empty key (issue 13, S4).
 */
export const MIN_SECRET_BYTES = 24;

/** Longest secret read, in characters: past any real one (64 bytes are 88 base64 characters), short of `/dev/zero`. */
export const MAX_SECRET_CHARS = 512;

export const SECRET_FORM = `whsec_ followed by base64 of at least ${MIN_SECRET_BYTES} random bytes, as the provider's POST /webhook-endpoints answers`;

export type SecretSource = "--secret" | "--secret-file" | typeof SECRET_ENV;

export interface SecretSources {
  /** `--secret <whsec_…>` */
  secret?: string;
  /** `--secret-file <path>`: a file holding the secret (surrounding whitespace and the final newline are ignored). */
  secretFile?: string;
  env: NodeJS.ProcessEnv;
}

export interface ResolvedSecret {
  secret: string;
  source: SecretSource;
}

/**
 * The secret from the first source given: `--secret` or `--secret-file` (never both), else the
 * environment variable. Undefined when there is none, so each command words what it expects instead.
 * Throws a one-line UsageError naming the source (never the value) when the secret is unusable.
 */
export async function resolveSecret(sources: SecretSources): Promise<ResolvedSecret | undefined> {
  if (sources.secret !== undefined && sources.secretFile !== undefined) throw new UsageError("--secret and --secret-file both given; expected one of them");
  if (sources.secret !== undefined) return { secret: checkSecret(sources.secret, "--secret"), source: "--secret" };
  if (sources.secretFile !== undefined) return { secret: checkSecret(await readSecretFile(sources.secretFile), "--secret-file"), source: "--secret-file" };
  const fromEnv = sources.env[SECRET_ENV];
  // An empty variable counts as unset, so a parent can clear it for a child process.
  if (fromEnv !== undefined && fromEnv !== "") return { secret: checkSecret(fromEnv.trim(), SECRET_ENV), source: SECRET_ENV };
  return undefined;
}

/** The secret itself when it has the `whsec_`+base64 form and at least MIN_SECRET_BYTES bytes of key; otherwise a UsageError naming `source`. */
export function checkSecret(secret: string, source: SecretSource): string {
  const where = source === "--secret-file" ? "the file given to --secret-file" : source;
  if (secret.length > MAX_SECRET_CHARS) throw new UsageError(`${where} is longer than ${MAX_SECRET_CHARS} characters, more than any signing secret; expected ${SECRET_FORM}`);
  // Standard base64 alphabet with at most two padding characters at the end, as every whsec_ secret is written.
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new UsageError(`${where} is not a signing secret; expected ${SECRET_FORM}`);
  const bytes = standardKey(secret).length;
  if (bytes < MIN_SECRET_BYTES) throw new UsageError(`${where} decodes to ${bytes} bytes of key, fewer than ${MIN_SECRET_BYTES}; expected ${SECRET_FORM}`);
  return secret;
}

/** Reads one bounded block (room for the secret and a line ending), so a huge file or a device is refused without being read whole. */
async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    const file = await open(path, "r");
    try {
      const buffer = Buffer.alloc(MAX_SECRET_CHARS + 16);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === buffer.length)
        throw new UsageError(`--secret-file ${printablePath(path)}: the file is longer than ${MAX_SECRET_CHARS} bytes, more than any signing secret; expected a file holding one secret, ${SECRET_FORM}`);
      text = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await file.close();
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new UsageError(`--secret-file ${printablePath(path)}: cannot read the file (${code}); expected a readable file holding one secret, ${SECRET_FORM}`);
  }
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError(`--secret-file ${printablePath(path)}: the file is empty; expected ${SECRET_FORM}`);
  return trimmed;
}

/** A path typed by the user is echoed quoted and bounded; JSON escapes C0 controls, and C1 ones (a terminal's CSI) become `?`. */
function printablePath(path: string): string {
  return JSON.stringify(path.length > 120 ? `${path.slice(0, 119)}…` : path).replace(/[\u007f-\u009f]/g, "?");
}
