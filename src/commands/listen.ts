/**
 * `apiwh listen`: a webhook receiver on its own, printing each delivery as it arrives, whether its
 * signature verified, and how long after settlement it came. The push half of a two-terminal demo.
 */
import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import { monotonicClock } from "../measure/clock.js";
import { makePalette, type Palette } from "../render/color.js";
import { formatCount, formatCounted, formatMs } from "../contract/format.js";
import type { SignatureFormat } from "../scenario/types.js";
import { WebhookReceiver, type Delivery } from "../strategies/receiver.js";
import { resolveSecret, SECRET_ENV } from "../webhooks/secret.js";
import { paintStatus } from "./provider-log.js";
import type { ProfileName } from "../api/profile.js";
import { bindError, checkHost, checkPort, errorText, exposureWarning, parseProviderUrl, printable, probeProvider, providerPool, untilAborted, wallTime } from "./shared.js";

export const LISTEN_DEFAULTS = { port: 4011, host: "127.0.0.1", signature: "standard-webhooks", path: "/webhook" } as const;

export interface ListenCommandOptions {
  port: number;
  host: string;
  /** The endpoint's signing secret (`whsec_…`); `ps` shows it to every user, so `secretFile` or APIWH_WEBHOOK_SECRET are better. One source of a secret, or `provider`. */
  secret?: string;
  /** A file holding the signing secret. */
  secretFile?: string;
  /** A running provider to register with (POST /webhook-endpoints); its answer carries the secret. */
  provider?: string;
  signature: SignatureFormat;
  /** `--profile`: whose deliveries to expect (their scheme, headers and envelope); `standard` (the default) reads `signature`. */
  profile?: ProfileName;
  /** Print the secret the provider handed out; off by default so terminals and logs never carry it. */
  printSecret: boolean;
  color: boolean;
}

export interface Rejection {
  wallMs: number;
  status: number;
  reason: string;
  webhookId?: string;
}

/** Receives deliveries until the signal aborts; resolves 0 once the port is free again. */
export async function listenCommand(options: ListenCommandOptions, io: Io, signal: AbortSignal): Promise<number> {
  checkPort("--port", options.port);
  checkHost(options.host);
  if (options.signature !== "standard-webhooks" && options.signature !== "stripe")
    throw new UsageError(`--signature "${printable(String(options.signature), 30)}": unknown format; expected standard-webhooks or stripe`);
  const given = options.secret !== undefined ? "--secret" : options.secretFile !== undefined ? "--secret-file" : undefined;
  if (given && options.provider !== undefined) throw new UsageError(`${given} and --provider both given; expected one: a secret, or --provider http://127.0.0.1:4010 to register and receive one`);
  // The same rules as probe's: at least 24 bytes of key, never echoed; the environment only when no flag names a source.
  const resolved = options.provider === undefined ? await resolveSecret({ secret: options.secret, secretFile: options.secretFile, env: io.env }) : undefined;
  if (options.provider === undefined && !resolved)
    throw new UsageError(`no secret to verify with; expected --secret-file <path>, ${SECRET_ENV}, --secret whsec_…, or --provider http://127.0.0.1:4010 to register and receive one`);
  const providerUrl = options.provider !== undefined ? parseProviderUrl(options.provider) : undefined;
  if (providerUrl) await probeProvider(providerUrl, signal);

  const p = makePalette(options.color);
  const out = (line: string) => io.stdout.write(line + "\n");
  const warning = exposureWarning(options.host, "webhook receiver");
  if (warning) io.stderr.write(p.warn(warning));

  let verified = 0;
  const receiver = new WebhookReceiver({
    host: options.host,
    port: options.port,
    path: LISTEN_DEFAULTS.path,
    signature: options.signature,
    profile: options.profile,
    clock: monotonicClock,
    onDelivery: (d) => {
      if (!d.duplicate) verified++;
      out(deliveryLine(d, Date.now(), p));
    },
    onReject: (reason, status, webhookId) => out(rejectionLine({ wallMs: Date.now(), status, reason, webhookId }, p)),
  });
  let url: string;
  try {
    url = await receiver.start();
  } catch (err) {
    await receiver.stop();
    throw bindError(err, options.port, options.host);
  }
  try {
    if (resolved) receiver.setSecret(resolved.secret);
    const format = options.profile && options.profile !== "standard" ? `profile ${options.profile}: its signatures and envelope` : `${options.signature} signatures`;
    out(`apiwh listen receiving on ${p.bold(url)} ${p.dim(`(${format})`)}`);
    if (providerUrl) {
      const endpoint = await register(providerUrl, url, signal);
      receiver.setSecret(endpoint.secret);
      out(`registered ${printable(endpoint.id, 16)} with ${providerUrl.origin}; ${options.printSecret ? `secret ${endpoint.secret}` : p.dim("secret hidden (--print-secret shows it)")}`);
    }
    out(p.dim("Ctrl-C stops the listener."));
    out("");
    await untilAborted(signal);
  } finally {
    await receiver.stop();
  }
  out(summaryLine(verified, receiver));
  return 0;
}

async function register(provider: URL, receiverUrl: string, signal: AbortSignal): Promise<{ id: string; secret: string }> {
  const { pool, path } = providerPool(provider, 1);
  try {
    const res = await pool.request({ method: "POST", path: path("/webhook-endpoints"), headers: { "content-type": "application/json" }, body: JSON.stringify({ url: receiverUrl }), signal });
    const body = (await res.body.json().catch(() => undefined)) as { id?: unknown; secret?: unknown } | undefined;
    if (res.statusCode !== 201 || typeof body?.secret !== "string" || typeof body.id !== "string")
      throw new UsageError(`--provider ${provider.origin}: registration answered ${res.statusCode} (${errorText(body)}); expected a running \`apiwh provider\``);
    return { id: body.id, secret: body.secret };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--provider ${provider.origin}: registration failed (${(err as Error).message}); expected a running \`apiwh provider\``);
  } finally {
    await pool.close();
  }
}

/** `≈ 3 ms after settling`: both stamps are wall clocks (the event's updated_at, our arrival), so only roughly comparable. */
export function settlementLag(updatedAt: unknown, arrivedWallMs: number): string {
  const settled = typeof updatedAt === "string" ? Date.parse(updatedAt) : NaN;
  if (Number.isNaN(settled)) return "settlement time unknown";
  const lag = arrivedWallMs - settled;
  return `≈ ${Math.abs(lag) < 1000 ? `${Math.round(lag)} ms` : formatMs(lag)} after settling`;
}

export function deliveryLine(d: Delivery, arrivedWallMs: number, p: Palette): string {
  const data = d.event.data;
  const note = d.duplicate ? p.warn("  duplicate, already processed") : d.stale ? p.warn("  stale, older than what is known") : "";
  const status = String(data.status);
  // The type already names the status (payment.succeeded); the id carries its colour, and the status is spelt out only if they disagree.
  const id = status === "succeeded" ? p.good(printable(data.id, 16)) : status === "failed" ? p.bad(printable(data.id, 16)) : printable(data.id, 16);
  const shownStatus = d.event.type === `payment.${status}` ? "" : ` ${paintStatus(status, p)}`;
  return [
    p.dim(wallTime(arrivedWallMs)),
    printable(d.webhookId, 24),
    printable(d.event.type, 24),
    id + shownStatus,
    p.good("✓ verified"),
    // A profile's envelope may not carry our payment whole; its event time is the payment's update.
    p.dim(settlementLag(data.updated_at ?? d.event.timestamp, arrivedWallMs)) + note,
  ].join("  ");
}

export function rejectionLine(r: Rejection, p: Palette): string {
  return [p.dim(wallTime(r.wallMs)), printable(r.webhookId ?? "-", 24), p.bad(`✗ ${r.status} ${r.reason}`), p.dim("not processed")].join("  ");
}

function summaryLine(verified: number, receiver: WebhookReceiver): string {
  const reasons = Object.entries(receiver.rejected)
    .map(([reason, n]) => `${reason} ${formatCount(n ?? 0)}`)
    .join(", ");
  const rejected = receiver.rejectedTotal;
  return `stopped: ${formatCounted(verified, "delivery", "deliveries")} verified, ${formatCounted(receiver.duplicates, "duplicate")}, ${formatCount(rejected)} rejected${rejected ? ` (${reasons})` : ""}`;
}

