import type { CompareResult, RejectReason, RepeatInfo, StrategyResult } from "../contract/result.js";
import type { Palette } from "./color.js";
import { formatBytes, formatCount, formatCountSpread, formatDecimal, formatMs, formatMsSpread, formatPercent } from "../contract/format.js";
import { formatMoney } from "../contract/projection.js";

/**
 * The shape of the comparison, written once: sections of labelled rows, one cell per strategy.
 * The terminal table and the Markdown table each supply only their borders.
 */
export type Cell = (s: StrategyResult, palette: Palette) => string;

export interface Row {
  label: string;
  cell: Cell;
}

export interface Section {
  title: string;
  /** A section with a single unlabelled row shows its figure on the title row itself (Duration). */
  rows: Row[];
}

type Spread = RepeatInfo["stddev"][number];
type Latency = NonNullable<StrategyResult["latencyMs"]>;

/** Metrics as rows, in the order people read them: cost, then bytes, then speed, then correctness. */
export function sections(result: CompareResult): Section[] {
  const spread = (s: StrategyResult): Spread | undefined => result.repeat?.stddev.find((x) => x.name === s.name);
  // With --repeat the figures are means; the ones thresholds watch carry their spread.
  const latency =
    (pick: (l: Latency) => number, spreadOf?: (l: NonNullable<Spread["latencyMs"]>) => number): Cell =>
    (s) => {
      if (s.latencyMs === null) return "–";
      const sd = spreadOf ? spread(s)?.latencyMs : undefined;
      return sd && spreadOf ? formatMsSpread(pick(s.latencyMs), spreadOf(sd)) : formatMs(pick(s.latencyMs));
    };
  const total: Cell = (s) => {
    const sd = spread(s);
    return sd ? formatCountSpread(s.requests.total, sd.requests.total) : formatCount(s.requests.total);
  };
  // A strategy the model has no formula for shows a dash; rows nobody has a model for are noise.
  const modelled = result.strategies.some((s) => s.model !== null);

  const list: Section[] = [
    {
      title: "Requests",
      rows: [
        { label: "total", cell: total },
        ...(modelled ? [{ label: "model: requests", cell: (s: StrategyResult) => (s.model ? formatCount(s.model.requests.total) : "–") }] : []),
        { label: "wasted", cell: (s) => wasted(s) },
        { label: "per payment", cell: (s) => formatDecimal(s.requests.perPayment) },
        { label: "consumer→provider", cell: (s) => formatCount(s.requests.consumerToProvider) },
        { label: "provider→consumer", cell: (s) => formatCount(s.requests.providerToConsumer) },
        // GitHub's 304s do not count against its rate limit: shown only when a run had any (an older result has no field).
        ...(result.strategies.some((s) => (s.requests.free ?? 0) > 0) ? [{ label: "free (304s)", cell: (s: StrategyResult) => formatCount(s.requests.free ?? 0) }] : []),
      ],
    },
    {
      title: "Bytes",
      rows: [
        { label: "total", cell: (s) => formatBytes(s.bytes.total) },
        { label: "consumer→provider", cell: (s) => formatBytes(s.bytes.consumerToProvider) },
        { label: "provider→consumer", cell: (s) => formatBytes(s.bytes.providerToConsumer) },
      ],
    },
    {
      title: "Detection latency",
      rows: [
        { label: "min", cell: latency((l) => l.min) },
        { label: "mean", cell: latency((l) => l.mean, (sd) => sd.mean) },
        ...(modelled ? [{ label: "model: latency mean", cell: (s: StrategyResult) => (s.model ? formatMs(s.model.latencyMs.mean) : "–") }] : []),
        { label: "p50", cell: latency((l) => l.p50, (sd) => sd.p50) },
        { label: "p90", cell: latency((l) => l.p90) },
        { label: "p95", cell: latency((l) => l.p95, (sd) => sd.p95) },
        { label: "p99", cell: latency((l) => l.p99) },
        { label: "max", cell: latency((l) => l.max) },
      ],
    },
    {
      title: "Payments",
      rows: [
        { label: "detected", cell: (s) => `${formatCount(s.payments.detected)}/${formatCount(s.payments.total)}` },
        { label: "missed", cell: (s, p) => (s.payments.missed > 0 ? p.bad(formatCount(s.payments.missed)) : formatCount(s.payments.missed)) },
        { label: "duplicates", cell: (s) => formatCount(s.payments.duplicates) },
        // Why payments were missed matters more than how many: only shown when something was.
        ...(result.strategies.some((s) => s.payments.missed > 0)
          ? MISS_REASONS.map(([key, label]) => ({ label: `  ${label}`, cell: (s: StrategyResult) => formatCount(s.payments.missedByReason?.[key] ?? 0) }))
          : []),
      ],
    },
  ];
  const errorCount = (s: StrategyResult) => (s.errors ? s.errors.rateLimited + s.errors.server + s.errors.rejected : 0);
  if (result.strategies.some((s) => errorCount(s) > 0)) {
    list.push({
      title: "Errors",
      rows: [
        { label: "rate limited (429)", cell: (s) => formatCount(s.errors?.rateLimited ?? 0) },
        { label: "server (5xx)", cell: (s) => formatCount(s.errors?.server ?? 0) },
        { label: "rejected deliveries", cell: (s) => formatCount(s.errors?.rejected ?? 0) },
        // Only the reasons some strategy actually met: eight rows of zeros would bury the one that matters.
        ...REJECT_LABELS.filter(([key]) => result.strategies.some((s) => (s.errors?.rejectedByReason?.[key] ?? 0) > 0)).map(([key, label]) => ({
          label: `  ${label}`,
          cell: (s: StrategyResult) => formatCount(s.errors?.rejectedByReason?.[key] ?? 0),
        })),
      ],
    });
  }
  // Polling strategies receive no deliveries; a block of zeros would only be noise.
  if (result.strategies.some((s) => s.deliveries.attempted > 0)) {
    list.push({
      title: "Deliveries",
      rows: [
        { label: "attempted", cell: (s) => formatCount(s.deliveries.attempted) },
        { label: "succeeded", cell: (s) => formatCount(s.deliveries.succeeded) },
        { label: "retried", cell: (s) => formatCount(s.deliveries.retried) },
      ],
    });
  }
  // What the provider would see: every run has it (README, "Load, projections and cost").
  list.push({
    title: "Load",
    rows: [
      { label: "requests/s (mean)", cell: (s) => (s.load ? formatDecimal(s.load.requestsPerSecond) : "–") },
      { label: "busiest second", cell: (s) => (s.load ? formatCount(s.load.peakRequestsPerSecond) : "–") },
      { label: "held open (most)", cell: (s) => (s.load ? formatCount(s.load.connectionsHeld) : "–") },
    ],
  });
  if (result.projection) {
    const priced = result.projection.price !== null;
    for (const [title, pick] of [
      ["Per day", (p: NonNullable<StrategyResult["projection"]>) => [p.requestsPerDay, p.bytesPerDay] as const],
      ["Per month", (p: NonNullable<StrategyResult["projection"]>) => [p.requestsPerMonth, p.bytesPerMonth] as const],
    ] as const) {
      const month = title === "Per month";
      list.push({
        title,
        rows: [
          { label: "requests", cell: (s) => (s.projection ? formatCount(pick(s.projection)[0]) : "–") },
          { label: "bytes", cell: (s) => (s.projection ? formatBytes(pick(s.projection)[1]) : "–") },
          ...(priced ? [{ label: "cost", cell: (s: StrategyResult) => (s.cost ? formatMoney(month ? s.cost.perMonth : s.cost.perDay) : "–") }] : []),
        ],
      });
    }
  }
  list.push({ title: "Duration", rows: [{ label: "", cell: (s) => formatMs(s.durationMs) }] });
  return list;
}

/**
 * `Per day and per month: 10,000 payments a day (assumed; --per-day sets it), each strategy's
 * per-payment figures scaled; cost at AWS API Gateway HTTP APIs ($1.00 per 1M requests).` Null
 * without a projection.
 */
export function projectionNote(result: CompareResult): string | null {
  const p = result.projection;
  if (!p) return null;
  const n = Math.round(p.paymentsPerDay).toLocaleString("en-US");
  const why = p.basis === "per-day" ? "" : p.basis === "arrival-rate" ? " (the scenario's arrival rate over a day)" : " (assumed; --per-day sets it)";
  const price = p.price ? `; cost at ${p.price.terms.map((t) => `${t.label} (${formatMoney(t.amount)} per ${perWhat(t.per, t.unit)})`).join(" + ")}` : "";
  return `Per day and per month: ${n} payments a day${why}, each strategy's measured requests and bytes per payment scaled; a month is ${p.daysPerMonth} days${price}.`;
}

function perWhat(per: number, unit: "requests" | "bytes"): string {
  if (unit === "bytes") return per === 1e9 ? "GB" : per === 1e6 ? "MB" : per === 1e12 ? "TB" : `${formatCount(per)} bytes`;
  return per === 1e6 ? "1M requests" : per === 1e3 ? "1,000 requests" : per === 1 ? "request" : `${formatCount(per)} requests`;
}

const MISS_REASONS = [
  ["retries-exhausted", "retries exhausted"],
  ["endpoint-disabled", "endpoint disabled"],
  ["deadline", "past deadline"],
] as const;

/** A Record, so a reason added to the receiver without a label here fails to compile. */
const REJECT_LABEL: Record<RejectReason, string> = {
  "bad-signature": "bad signature (401)",
  "missing-headers": "missing headers (401)",
  "stale-timestamp": "stale timestamp (401)",
  malformed: "malformed (400)",
  "too-large": "too large (413)",
  "wrong-type": "wrong type (415)",
  "not-found": "not found (404)",
  "bad-method": "bad method (405)",
};
const REJECT_LABELS = Object.entries(REJECT_LABEL) as Array<[RejectReason, string]>;

function wasted(s: StrategyResult): string {
  const { wasted: count, total } = s.requests;
  if (total === 0 || count === 0) return formatCount(count);
  return `${formatCount(count)} (${formatPercent(count, total)})`;
}

/** `(mean of 5 runs, seeds 42–46)`; consecutive seeds as a range, others listed. */
export function repeatNote(repeat: RepeatInfo): string {
  const { runs, seeds } = repeat;
  const consecutive = seeds.every((seed, i) => i === 0 || seed === seeds[i - 1]! + 1);
  const list = seeds.length > 1 && consecutive ? `${seeds[0]}–${seeds[seeds.length - 1]}` : seeds.join(", ");
  return `(mean of ${runs} ${runs === 1 ? "run" : "runs"}, ${seeds.length === 1 ? "seed" : "seeds"} ${list})`;
}
