/**
 * Projections and cost: a run's measured per-payment figures scaled to a day and a month of
 * payments (`--per-day`), and priced (`--price`). Pure arithmetic on the contract; the README's
 * "Projections and cost" states the assumptions.
 */
import { ParseError } from "../errors.js";
import type { Arrival } from "../scenario/types.js";
import type { CompareResult, Cost, PriceTerm, ProjectionBasis, StrategyProjection, StrategyResult } from "./result.js";

/** A month, for the projection: 30 days. */
export const DAYS_PER_MONTH = 30;
/** Payments a day assumed for a burst scenario without `--per-day`: the example of the published prices we cite (FACTS, "Cost"). */
export const ASSUMED_PAYMENTS_PER_DAY = 10_000;
/** The largest `--per-day`: a thousand payments a second, all day. */
export const MAX_PAYMENTS_PER_DAY = 86_400_000;

const SECONDS_PER_DAY = 86_400;

/**
 * Published list prices, cited in the README from their providers' pricing pages. Free tiers and
 * volume tiers are left out: each is the price of the first paid tier.
 */
export const PRICE_PRESETS = {
  "api-gateway-http": { amount: 1.0, per: 1e6, unit: "requests", label: "AWS API Gateway HTTP APIs" },
  "api-gateway-rest": { amount: 3.5, per: 1e6, unit: "requests", label: "AWS API Gateway REST APIs" },
  lambda: { amount: 0.2, per: 1e6, unit: "requests", label: "AWS Lambda requests" },
  "cloudflare-workers": { amount: 0.3, per: 1e6, unit: "requests", label: "Cloudflare Workers requests" },
  "data-transfer-out": { amount: 0.09, per: 1e9, unit: "bytes", label: "AWS data transfer out" },
} as const satisfies Record<string, PriceTerm>;

export type PricePreset = keyof typeof PRICE_PRESETS;
export const PRICE_PRESET_NAMES = Object.keys(PRICE_PRESETS) as PricePreset[];

const SCALES: Record<string, number> = { "": 1, k: 1e3, K: 1e3, thousand: 1e3, M: 1e6, m: 1e6, million: 1e6, B: 1e9, billion: 1e9 };
const REQUEST_WORDS = new Set(["request", "requests", "req", "reqs"]);
const BYTE_UNITS: Record<string, number> = { B: 1, byte: 1, bytes: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

export const PRICE_FORM = `terms such as "3.50/M requests, 0.09/GB" or presets (${PRICE_PRESET_NAMES.join(", ")}), joined by "," or "+"`;

const TERM = /^\$?\s*(\d+(?:\.\d+)?|\.\d+)\s*\/\s*(?:(\d+(?:\.\d+)?)\s*)?([A-Za-z]*)\s*([A-Za-z]*)$/;

/**
 * Reads a price: presets and terms joined by `,` or `+`, each term an amount per so many requests
 * or bytes (`3.50/M requests`, `$0.20/1M req`, `0.09/GB`, `1/1000 requests`). Throws ParseError
 * naming the term that is not one.
 */
export function parsePrice(spec: string): PriceTerm[] {
  const parts = spec.split(/[,+]/).map((t) => t.trim());
  if (parts.length > 20) throw new ParseError(`has ${parts.length} terms; expected at most 20`);
  if (parts.every((t) => t === "")) throw new ParseError(`is empty; expected ${PRICE_FORM}`);
  return parts.map((term) => {
    if (term === "") throw new ParseError(`has an empty term; expected ${PRICE_FORM}`);
    if (Object.hasOwn(PRICE_PRESETS, term)) return { ...PRICE_PRESETS[term as PricePreset] };
    const match = TERM.exec(term);
    const bad = () => new ParseError(`term ${JSON.stringify(term.slice(0, 40))} is not a price; expected ${PRICE_FORM}`);
    if (!match) throw bad();
    const amount = Number(match[1]);
    const count = match[2] === undefined ? 1 : Number(match[2]);
    let [, , , first, second] = match as unknown as [string, string, string | undefined, string, string];
    // `M requests`: a scale then the unit; `requests` or `GB` alone: the unit.
    let scale = 1;
    if (second !== "") {
      if (!(first in SCALES)) throw bad();
      scale = SCALES[first]!;
      first = second;
      second = "";
    }
    if (!(count > 0) || !Number.isFinite(amount) || amount > 1e9) throw bad();
    if (REQUEST_WORDS.has(first)) return { amount, per: count * scale, unit: "requests", label: term };
    if (first in BYTE_UNITS && scale === 1) return { amount, per: count * BYTE_UNITS[first]!, unit: "bytes", label: term };
    throw bad();
  });
}

/** What the projection scales to, and why: the flag, else the scenario's arrival rate over a day, else the assumption. */
export function projectionBasis(arrival: Arrival, perDay: number | undefined, price: { spec: string; terms: PriceTerm[] } | null): ProjectionBasis {
  if (perDay !== undefined) return { paymentsPerDay: perDay, basis: "per-day", daysPerMonth: DAYS_PER_MONTH, price };
  if (arrival.kind === "rate") return { paymentsPerDay: arrival.perSecond * SECONDS_PER_DAY, basis: "arrival-rate", daysPerMonth: DAYS_PER_MONTH, price };
  return { paymentsPerDay: ASSUMED_PAYMENTS_PER_DAY, basis: "assumed", daysPerMonth: DAYS_PER_MONTH, price };
}

/** One strategy's per-payment requests and bytes at `basis.paymentsPerDay`. */
export function projectStrategy(s: Pick<StrategyResult, "requests" | "bytes" | "payments">, basis: ProjectionBasis): StrategyProjection {
  const payments = Math.max(1, s.payments.total);
  const requestsPerDay = s.requests.perPayment * basis.paymentsPerDay;
  const bytesPerDay = (s.bytes.total / payments) * basis.paymentsPerDay;
  return { requestsPerDay, requestsPerMonth: requestsPerDay * basis.daysPerMonth, bytesPerDay, bytesPerMonth: bytesPerDay * basis.daysPerMonth };
}

/** The projection priced: every term applied to the requests or the bytes of a day, summed. */
export function costOf(projection: StrategyProjection, terms: PriceTerm[], daysPerMonth = DAYS_PER_MONTH): Cost {
  let perDay = 0;
  for (const t of terms) perDay += (t.amount * (t.unit === "requests" ? projection.requestsPerDay : projection.bytesPerDay)) / t.per;
  return { perDay, perMonth: perDay * daysPerMonth };
}

/** The result with its projection basis and every strategy's projection (and cost, with a price). */
export function withProjection(result: CompareResult, basis: ProjectionBasis): CompareResult {
  return {
    ...result,
    strategies: result.strategies.map((s) => {
      const projection = projectStrategy(s, basis);
      return { ...s, projection, ...(basis.price ? { cost: costOf(projection, basis.price.terms, basis.daysPerMonth) } : {}) };
    }),
    projection: basis,
  };
}

/** `10,000 payments a day (assumed; --per-day sets it)`, for headers and notes. */
export function describeBasis(basis: ProjectionBasis): string {
  const n = Math.round(basis.paymentsPerDay).toLocaleString("en-US");
  const why = basis.basis === "per-day" ? "" : basis.basis === "arrival-rate" ? " (the scenario's arrival rate)" : " (assumed; --per-day sets it)";
  return `${n} payments a day${why}`;
}

/** `$12.34`, `$0.0042`, `$1,234`: enough digits to tell small costs apart. */
export function formatMoney(amount: number): string {
  if (!Number.isFinite(amount)) return "–";
  if (amount === 0) return "$0";
  if (amount >= 1000) return `$${Math.round(amount).toLocaleString("en-US")}`;
  if (amount >= 0.1) return `$${amount.toFixed(2)}`;
  if (amount < 0.0001) return "<$0.0001";
  return `$${Number(amount.toPrecision(2))}`;
}
