/**
 * `apiwh poll`: asks a running provider about payments every interval until each is settled,
 * printing every knock: the pull half of a two-terminal demo, with its waste counted.
 */
import type { Pool } from "undici";
import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import { monotonicClock, sleep, type Clock } from "../measure/clock.js";
import { makePalette, type Palette } from "../render/color.js";
import { formatCount, formatDecimal, formatMs, formatPercent, formatSeconds } from "../contract/format.js";
import { isTerminal } from "../strategies/api-client.js";
import { holdOffMs } from "../policy/polling.js";
import { checkPaymentFlags, createPayment, paymentLine, PAY_DEFAULTS } from "./pay.js";
import { paintStatus } from "./provider-log.js";
import { settlementLag } from "./listen.js";
import type { Stamp } from "./provider-log.js";
import { checkPositiveInteger, elapsed, errorText, parseProviderUrl, printable, probeProvider, providerPool, wallStamp } from "./shared.js";

export const POLL_DEFAULTS = { intervalMs: 1000 } as const;

/** Consecutive failed requests (no HTTP answer) after which a payment is given up on. */
const MAX_WIRE_ERRORS = 5;
/** Per-payment lines follow the summary only up to this many payments, to keep the screen readable. */
const MAX_PAYMENT_LINES = 20;

export interface PollCommandOptions {
  provider: string;
  /** Payment ids to poll, such as pay_3; may be empty when `create` is set. */
  ids: string[];
  intervalMs: number;
  /** Create this many payments first (amount and currency as `apiwh pay` defaults) and poll them too. */
  create?: number;
  color: boolean;
}

/** One `GET /payments/:id` as printed. */
export interface Knock {
  at: number;
  id: string;
  http: number;
  paymentStatus?: string;
  error?: string;
  durationMs: number;
  /** The payment's `updated_at` and the wall time its answer came, for "≈ N ms after settling" when it was settled. */
  updatedAt?: string;
  answeredWallMs?: number;
}

export interface PaymentTally {
  id: string;
  requests: number;
  /** Terminal status, or why polling stopped without one. */
  outcome?: string;
  knownAt?: number;
  unknown: boolean;
  gaveUp: boolean;
}

/** Polls until every payment is settled (or given up on), then prints the summary; 0 when all are known. */
export async function pollCommand(options: PollCommandOptions, io: Io, signal: AbortSignal, clock: Clock = monotonicClock): Promise<number> {
  const url = parseProviderUrl(options.provider);
  if (!(options.intervalMs > 0) || !Number.isFinite(options.intervalMs)) throw new UsageError(`--interval ${options.intervalMs}: expected a duration longer than zero, such as 250ms, 1s or 1.5m`);
  if (options.create !== undefined) checkPositiveInteger("--create", options.create, "a payment count");
  for (const id of options.ids)
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`payment id "${printable(id, 40)}": not an id; expected ids such as pay_3, as \`apiwh pay\` prints them`);
  if (options.ids.length === 0 && !options.create) throw new UsageError("no payments to poll; expected payment ids such as pay_1 pay_2, or --create <n>");
  checkPaymentFlags(PAY_DEFAULTS.amount, PAY_DEFAULTS.currency);
  await probeProvider(url, signal);

  const p = makePalette(options.color);
  const out = (line: string) => io.stdout.write(line + "\n");
  const { pool, path } = providerPool(url, Math.min(64, options.ids.length + (options.create ?? 0)));
  const ids = [...new Set(options.ids)];
  const tallies: PaymentTally[] = [];
  let t0 = clock.now();
  try {
    for (let i = 0; i < (options.create ?? 0) && !signal.aborted; i++) {
      const payment = await createPayment(pool, path("/payments"), PAY_DEFAULTS.amount, PAY_DEFAULTS.currency, signal, url);
      if (!payment) break;
      out(`created ${paymentLine(payment, p)}`);
      ids.push(payment.id);
    }
    t0 = clock.now();
    const stamp = wallStamp(clock);
    await Promise.all(
      ids.map((id) => {
        const tally: PaymentTally = { id, requests: 0, unknown: false, gaveUp: false };
        tallies.push(tally);
        return pollPayment(pool, path, tally, options.intervalMs, clock, signal, (k) => out(knockLine(k, stamp, p)));
      }),
    );
  } finally {
    await pool.close();
  }
  const endedAt = clock.now();
  for (const line of summaryLines(tallies, t0, endedAt, signal.aborted, p)) out(line);
  const unknown = tallies.filter((t) => t.unknown).map((t) => t.id);
  if (unknown.length > 0) throw new UsageError(`${printable(unknown.join(", "), 60)}: no such payment at ${url.origin}; expected ids that \`apiwh pay\` printed there`);
  if (tallies.some((t) => t.gaveUp)) {
    io.stderr.write(`error: ${url.origin} stopped answering (${MAX_WIRE_ERRORS} failed requests in a row)\n`);
    return 1;
  }
  return 0;
}

async function pollPayment(pool: Pool, path: (route: string) => string, tally: PaymentTally, intervalMs: number, clock: Clock, signal: AbortSignal, onKnock: (k: Knock) => void): Promise<void> {
  let wireErrors = 0;
  let errorsInRow = 0;
  while (!signal.aborted) {
    const startedAt = clock.now();
    const knock = await knockOnce(pool, path(`/payments/${encodeURIComponent(tally.id)}`), tally.id, clock, signal);
    if (!knock) return; // aborted mid-request: not a knock the provider answered
    tally.requests++;
    onKnock(knock);
    if (knock.http === 200 && isTerminal(knock.paymentStatus)) {
      tally.outcome = knock.paymentStatus;
      tally.knownAt = clock.now();
      return;
    }
    if (knock.http === 404) {
      tally.unknown = true;
      tally.outcome = "no such payment";
      return;
    }
    wireErrors = knock.http === 0 ? wireErrors + 1 : 0;
    errorsInRow = knock.http === 0 || knock.http >= 429 ? errorsInRow + 1 : 0;
    if (wireErrors >= MAX_WIRE_ERRORS) {
      tally.gaveUp = true;
      tally.outcome = "gave up: no answer";
      return;
    }
    // Knock at a fixed rate from the start of each request; back off when refused (429, 5xx).
    const wait = Math.max(intervalMs, holdOffMs(knock.http, knock.retryAfterMs, errorsInRow, intervalMs));
    await sleep(startedAt + wait - clock.now(), signal);
  }
}

async function knockOnce(pool: Pool, route: string, id: string, clock: Clock, signal: AbortSignal): Promise<(Knock & { retryAfterMs: number }) | undefined> {
  const at = clock.now();
  try {
    const res = await pool.request({ method: "GET", path: route, signal });
    const body = (await res.body.json().catch(() => undefined)) as { status?: unknown; updated_at?: unknown } | undefined;
    const answeredWallMs = Date.now();
    const retryAfter = Number(res.headers["retry-after"]);
    return {
      at,
      id,
      http: res.statusCode,
      paymentStatus: res.statusCode === 200 && typeof body?.status === "string" ? body.status : undefined,
      error: res.statusCode >= 400 ? errorText(body) : undefined,
      durationMs: clock.now() - at,
      retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 0,
      updatedAt: typeof body?.updated_at === "string" ? body.updated_at : undefined,
      answeredWallMs,
    };
  } catch (err) {
    if (signal.aborted) return undefined;
    return { at, id, http: 0, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message, durationMs: clock.now() - at, retryAfterMs: 0 };
  }
}

/** `14:03:07.215  GET /payments/pay_3  200 succeeded  0.4 ms  ≈ 812 ms after settling` */
export function knockLine(k: Knock, stamp: Stamp, p: Palette): string {
  const answer =
    k.http === 0
      ? p.bad(`no answer (${printable(k.error ?? "", 24)})`)
      : k.http === 200
        ? `200 ${paintStatus(k.paymentStatus ?? "?", p)}`
        : `${k.http >= 500 ? p.bad(String(k.http)) : p.warn(String(k.http))} ${p.dim(k.error ?? "")}`;
  // As `listen` says it: the knock that finds the outcome tells how long it had been there.
  const lag = k.http === 200 && isTerminal(k.paymentStatus) && k.answeredWallMs !== undefined ? `  ${p.dim(settlementLag(k.updatedAt, k.answeredWallMs))}` : "";
  return `${p.dim(stamp(k.at))}  GET /payments/${printable(k.id, 24)}  ${answer}  ${p.dim(formatMs(k.durationMs))}${lag}`;
}

/**
 * The totals, then one line per payment. A request is wasted when it did not bring a payment's
 * outcome: every request but the one that found each settled payment.
 */
export function summaryLines(tallies: PaymentTally[], t0: number, endedAt: number, interrupted: boolean, p: Palette): string[] {
  const requests = tallies.reduce((a, t) => a + t.requests, 0);
  const known = tallies.filter((t) => t.knownAt !== undefined).length;
  const wasted = requests - known;
  const head = interrupted ? p.warn(`interrupted after ${formatSeconds(endedAt - t0)}: ${known} of ${tallies.length} payments known`) : `${known} of ${tallies.length} payments known after ${formatSeconds(endedAt - t0)}`;
  const lines = [
    "",
    `${head}: ${formatCount(requests)} requests, ${formatCount(wasted)} wasted (${formatPercent(wasted, requests)}), ${tallies.length ? formatDecimal(requests / tallies.length) : "–"} per payment`,
  ];
  if (tallies.length <= MAX_PAYMENT_LINES)
    for (const t of tallies) {
      const when = t.knownAt !== undefined ? p.dim(`  known ${elapsed(t.knownAt - t0)}`) : "";
      const outcome = t.outcome ? paintStatus(t.outcome, p) : p.dim("still pending");
      lines.push(`  ${printable(t.id, 24)}  ${outcome}  ${formatCount(t.requests)} ${t.requests === 1 ? "request" : "requests"}${when}`);
    }
  return lines;
}

