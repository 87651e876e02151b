/**
 * `apiwh probe <url>`: sends a battery of signed deliveries to the user's own webhook receiver and
 * grades how it handled each. Everything that can be checked before sending is checked first (the
 * secret, the URL answering, the observe endpoint, the JUnit path), so a mistake costs nothing.
 */
import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import { checkTimeout, maxDeliveries, parseOnly, parseProbeUrl } from "../probe/options.js";
import type { ProbeResult } from "../contract/probe.js";
import { checkObserveEndpoint, runProbe, shownUrl, type ProbeProgress } from "../probe/run.js";
import { reachable } from "../probe/wire.js";
import { makePalette } from "../render/color.js";
import { renderProbeJson, renderProbeMarkdown, renderProbeTable } from "../render/probe.js";
import { renderProbeJUnit } from "../render/probe-junit.js";
import type { SignatureFormat } from "../scenario/types.js";
import type { ProfileName } from "../api/profile.js";
import { resolveSecret, SECRET_ENV } from "../webhooks/secret.js";
import { openOutputs, writeOutputs, type OutputFile } from "./preflight.js";

export interface ProbeCommandOptions {
  url: string;
  secret?: string;
  secretFile?: string;
  signature: SignatureFormat;
  /** `--profile`: standard or stripe, the two schemes whose every check the probe can forge; sets the signature format. */
  profile?: ProfileName;
  /** ms, parsed by the CLI */
  timeout: number;
  format: "table" | "json" | "markdown";
  junit?: string;
  only?: string;
  observe?: string;
  deliveries: number;
  concurrency: number;
  color: boolean;
}

/**
 * The probe's checks forge Standard Webhooks and Stripe deliveries (a wrong id, a stale timestamp,
 * a rotated secret…), so of the profiles it takes those two; any other is refused in one line.
 */
function probeSignature(options: Pick<ProbeCommandOptions, "profile" | "signature">): SignatureFormat {
  if (options.profile === undefined) return options.signature;
  if (options.profile === "standard") return "standard-webhooks";
  if (options.profile === "stripe") return "stripe";
  throw new UsageError(`--profile ${options.profile}: probe's checks are written for the standard and stripe schemes only; expected --profile standard or --profile stripe`);
}

/** Longest wait for the TCP connect that checks the receiver is there before anything is sent. */
const REACH_TIMEOUT_MS = 5_000;

export async function probeCommand(options: ProbeCommandOptions, io: Io, signal: AbortSignal): Promise<number> {
  const signature = probeSignature(options);
  if (signature !== options.signature) options = { ...options, signature };
  const url = parseProbeUrl(options.url, "the receiver URL");
  const timeoutMs = checkTimeout(options.timeout);
  const only = options.only !== undefined ? parseOnly(options.only) : null;
  const observe = options.observe !== undefined ? parseProbeUrl(options.observe, "--observe") : null;
  const resolved = await resolveSecret({ secret: options.secret, secretFile: options.secretFile, env: io.env });
  if (!resolved) throw new UsageError(`no secret to sign with; expected --secret whsec_…, --secret-file <path> or ${SECRET_ENV}`);
  const [junit] = await openOutputs([options.junit ? { flag: "--junit", path: options.junit, example: "probe.xml" } : undefined]);
  try {
    return await probeWith(url, timeoutMs, only, observe, resolved.secret, junit, options, io, signal);
  } catch (err) {
    await junit?.discard();
    throw err;
  }
}

async function probeWith(
  url: URL,
  timeoutMs: number,
  only: ReturnType<typeof parseOnly> | null,
  observe: URL | null,
  secret: string,
  junit: OutputFile | undefined,
  options: ProbeCommandOptions,
  io: Io,
  signal: AbortSignal,
): Promise<number> {
  const unreachable = await reachable(url, Math.min(REACH_TIMEOUT_MS, timeoutMs), signal);
  if (signal.aborted) return interrupted(junit);
  if (unreachable) {
    // Node trusts only its own CA list: a development certificate needs NODE_EXTRA_CA_CERTS.
    const hint = /CERT|SELF_SIGNED|UNABLE_TO/.test(unreachable) ? " (for a self-signed or private certificate, set NODE_EXTRA_CA_CERTS to its CA file)" : "";
    throw new UsageError(`${shownUrl(url)}: cannot connect (${unreachable})${hint}; expected the URL of your running webhook receiver`);
  }
  if (observe) {
    const problem = await checkObserveEndpoint(observe, timeoutMs, signal);
    if (signal.aborted) return interrupted(junit);
    if (problem)
      throw new UsageError(`--observe ${shownUrl(observe)}: ${problem}; expected GET <url>?id=<event id> to answer 200 {"processed": <n>, "status": <string or null>}, or 404 for an unknown id`);
  }

  const progress = io.stderr.isTTY ? progressLine(io) : undefined;
  if (progress)
    io.stderr.write(`probing ${shownUrl(url)}: at most ${maxDeliveries(only, options.deliveries, options.concurrency)} deliveries, each given ${timeoutMs / 1000} s\n`);
  const result = await runProbe({ url, secret, signature: options.signature, timeoutMs, deliveries: options.deliveries, concurrency: options.concurrency, observe, only, signal, onProgress: progress });

  io.stdout.write(render(result, options) + "\n");
  // The results are on stdout already; a report that could not be written is a failure (1), not a usage error.
  const written = await writeOutputs(junit ? [[junit, () => renderProbeJUnit(result) + "\n"]] : [], io.stderr);
  return result.summary.ok && written ? 0 : 1;
}

function render(result: ProbeResult, options: ProbeCommandOptions): string {
  if (options.format === "json") return renderProbeJson(result);
  if (options.format === "markdown") return renderProbeMarkdown(result);
  return renderProbeTable(result, makePalette(options.color));
}

/** `  [3/18] ✓ bad-signature` per finished check, on a terminal only. */
function progressLine(io: Io): (e: ProbeProgress) => void {
  const mark = { pass: "✓", fail: "✗", warn: "⚠" } as const;
  return (e) => {
    if (e.kind === "start") io.stderr.write(`  [${e.index + 1}/${e.total}] ${e.name}…\r`);
    else io.stderr.write(`\x1b[2K  [${e.index + 1}/${e.total}] ${mark[e.check.grade]} ${e.check.name}\n`);
  };
}

/** Interrupted before anything was sent: nothing to report, and the JUnit file is left as it was. */
async function interrupted(junit: OutputFile | undefined): Promise<number> {
  await junit?.discard();
  return 130;
}
