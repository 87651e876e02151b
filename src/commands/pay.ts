/**
 * `apiwh pay`: creates payments on a running provider, one line each, so the other terminals
 * (listen, poll) have something to learn about.
 */
import type { Pool } from "undici";
import type { Io } from "../io.js";
import { UsageError } from "../errors.js";
import { makePalette, type Palette } from "../render/color.js";
import { formatCount } from "../contract/format.js";
import { paintStatus } from "./provider-log.js";
import { checkPositiveInteger, errorText, parseProviderUrl, printable, probeProvider, providerPool } from "./shared.js";

export const PAY_DEFAULTS = { count: 1, amount: 1000, currency: "usd" } as const;

export interface PayCommandOptions {
  provider: string;
  count: number;
  /** In the currency's smallest unit (1000 = 10.00 usd). */
  amount: number;
  currency: string;
  color: boolean;
}

export interface CreatedPayment {
  id: string;
  amount: number;
  currency: string;
  status: string;
}

export function checkPaymentFlags(amount: number, currency: string): void {
  checkPositiveInteger("--amount", amount, "an amount in the currency's smallest unit", 1_000_000_000);
  if (!/^[a-z]{3}$/.test(currency)) throw new UsageError(`--currency "${printable(currency, 16)}": not a currency; expected a three-letter lowercase ISO code such as usd`);
}

/** Creates `count` payments one after another; resolves 0 when all exist (or the signal stopped it). */
export async function payCommand(options: PayCommandOptions, io: Io, signal: AbortSignal): Promise<number> {
  const url = parseProviderUrl(options.provider);
  checkPositiveInteger("--count", options.count, "a payment count");
  checkPaymentFlags(options.amount, options.currency);
  await probeProvider(url, signal);
  const p = makePalette(options.color);
  const { pool, path } = providerPool(url, 1);
  try {
    for (let i = 0; i < options.count && !signal.aborted; i++) {
      const payment = await createPayment(pool, path("/payments"), options.amount, options.currency, signal, url);
      if (!payment) break;
      io.stdout.write(paymentLine(payment, p) + "\n");
    }
  } finally {
    await pool.close();
  }
  return 0;
}

/** One `POST /payments`; undefined when the signal aborted it. Refusals are errors that name the provider's reason. */
export async function createPayment(pool: Pool, route: string, amount: number, currency: string, signal: AbortSignal, url: URL): Promise<CreatedPayment | undefined> {
  let status: number;
  let body: unknown;
  try {
    const res = await pool.request({ method: "POST", path: route, headers: { "content-type": "application/json" }, body: JSON.stringify({ amount, currency }), signal });
    status = res.statusCode;
    body = await res.body.json().catch(() => undefined);
  } catch (err) {
    if (signal.aborted) return undefined;
    throw new Error(`${url.origin} stopped answering while creating payments (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const b = body as Partial<CreatedPayment> | undefined;
  if (status === 201 && typeof b?.id === "string") return { id: b.id, amount: Number(b.amount), currency: String(b.currency), status: String(b.status) };
  if (status === 400) throw new UsageError(`the provider refused the payment: ${errorText(body)}`);
  if (status === 404 && b === undefined) throw new UsageError(`--provider ${url.href}: no POST /payments there; expected the URL of a running \`apiwh provider\``);
  throw new Error(`the provider answered ${status} to POST /payments (${errorText(body)})`);
}

/** `pay_3  1,000 usd  pending` */
export function paymentLine(payment: CreatedPayment, p: Palette): string {
  return `${p.bold(printable(payment.id, 16))}  ${formatCount(payment.amount)} ${printable(payment.currency, 8)}  ${paintStatus(payment.status, p)}`;
}

