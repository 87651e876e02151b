import { formatDuration } from "../scenario/duration.js";
import { MS_PER_UNIT } from "../scenario/units.js";

/** Whole number with grouped thousands: `12,345`. Rounds fractions; `–` for non-finite values. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const rounded = Math.round(n);
  const sign = rounded < 0 ? "-" : "";
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"] as const;

/** Decimal (SI) units: `812 B`, `14.2 kB`, `3.1 MB`, `812 kB`. One decimal below 100, none above. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const abs = Math.abs(n);
  if (Math.round(abs) < 1000) return `${formatCount(n)} B`;
  let unit = 1;
  let value = abs / 1000;
  // Decide the unit on the rounded figure, so 999,960 B reads `1.0 MB`, not `1,000 kB`.
  while (unit < BYTE_UNITS.length - 1 && roundForDisplay(value) >= 1000) {
    value /= 1000;
    unit++;
  }
  const sign = n < 0 ? "-" : "";
  return `${sign}${showScaled(value)} ${BYTE_UNITS[unit]}`;
}

function roundForDisplay(value: number): number {
  return value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
}

function showScaled(value: number): string {
  const rounded = roundForDisplay(value);
  return rounded < 100 ? rounded.toFixed(1) : formatCount(rounded);
}

/** Milliseconds for people; one formatter for durations across the tool. */
export function formatMs(ms: number): string {
  return formatDuration(ms);
}

/**
 * A "how many times" figure: at most 3 significant digits, no trailing zeros except one decimal
 * below 10 (`1.0×`, `5.1×`, `740×`), grouped from 1000 up (`12,400×`).
 */
export function formatRatio(x: number): string {
  if (Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞×" : "-∞×";
  if (x === 0) return "0×";
  const r = Number(x.toPrecision(3));
  const abs = Math.abs(r);
  if (abs >= 1000) return `${formatCount(r)}×`;
  if (abs < 10 && Number.isInteger(r)) return `${r.toFixed(1)}×`;
  return `${r}×`;
}

/** Share of a whole as a whole percent, `<1%` for a non-zero sliver. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return "–";
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 1) return "<1%";
  return `${Math.round(pct)}%`;
}

/** A fractional figure such as requests per payment: `3.10`, `12.4`, `1,240`. */
export function formatDecimal(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const abs = Math.abs(n);
  if (abs >= 100) return formatCount(n);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}


/**
 * A mean and its standard deviation in the mean's unit and precision, so the two read as one
 * figure: `452.3 ± 8.1 ms`, `9.18 ± 0.12 s`, `0.61 ± 0.05 ms`.
 */
export function formatMsSpread(mean: number, sd: number): string {
  const shown = formatMs(mean);
  const match = /^(-?\d+(?:\.(\d+))?) (ms|s|min|h)$/.exec(shown);
  if (!match || !Number.isFinite(sd)) return shown;
  const decimals = match[2]?.length ?? 0;
  return `${match[1]} ± ${(sd / MS_PER_UNIT[match[3] as keyof typeof MS_PER_UNIT]).toFixed(decimals)} ${match[3]}`;
}

/** A mean count and its standard deviation: `118 ± 4.2`, `1,240 ± 31`. */
export function formatCountSpread(mean: number, sd: number): string {
  if (!Number.isFinite(sd)) return formatCount(mean);
  return `${formatCount(mean)} ± ${Math.abs(sd) < 10 ? sd.toFixed(1) : formatCount(sd)}`;
}

/** How far a measurement sits from a reference, signed: `+3.5%`, `-12%`, `+250%`; `–` without a reference. */
export function formatDeviation(measured: number, reference: number): string {
  if (!(reference !== 0) || !Number.isFinite(measured) || !Number.isFinite(reference)) return "–";
  const pct = ((measured - reference) / Math.abs(reference)) * 100;
  const shown = Math.abs(pct) < 10 ? pct.toFixed(1) : String(Math.round(pct));
  return `${pct >= 0 && !shown.startsWith("-") ? "+" : ""}${shown}%`;
}

/** Wall-clock time of a whole run, to a tenth of a second: `0.8 s`, `41.2 s`, `2.5 min`. */
export function formatSeconds(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (Math.abs(ms) < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  return formatMs(ms);
}

/** A count with its noun, singular for one: "1 payment", "3 payments", "1 delivery", "2 deliveries". */
export function formatCounted(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${plural(n, one, many)}`;
}

/** The noun alone for a count shown elsewhere: singular for one ("0 of 1 outcome"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
