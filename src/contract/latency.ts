import type { LatencySummary } from "./result.js";

/**
 * Detection latencies aggregated as they come, in constant memory: min, max and mean exact, the
 * percentiles from an HDR histogram of the values in whole microseconds with 3 significant digits
 * (each percentile is the highest value of its bucket, clamped to [min, max]: at most 1/1024 above
 * the exact order statistic, and within 1 µs below 2.048 ms). Both engines and every count of
 * payments aggregate here, so a small run and ten million payments carry the same precision, and
 * the real and virtual clocks agree by construction.
 *
 * The layout and the percentile walk are those of hdr-histogram-js (`build({ lowestDiscernibleValue:
 * 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3 })`), which this replaced:
 * test/latency.test.ts checks every figure against it. Written out because its `recordValue` costs
 * about 130 ns, a second and more at ten million payments; this costs a few ns.
 */
export class LatencyAggregate {
  /** 31 buckets of 1,024 sub-buckets (the first uses 2,048) cover 0 to 2⁴⁰ µs, past the 7 days a deadline may hold. */
  private readonly counts = new Uint32Array(COUNTS_LENGTH);
  /** The lowest and highest bucket used: a percentile walks only between them (a small run's are close). */
  private low = COUNTS_LENGTH;
  private high = -1;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private sum = 0;

  /** One latency in ms (≥ 0). */
  add(ms: number): void {
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.sum += ms;
    this.count++;
    const us = Math.min(Math.max(0, Math.round(ms * 1000)), HIGHEST_US);
    const index = indexOf(us);
    this.counts[index]!++;
    if (index < this.low) this.low = index;
    if (index > this.high) this.high = index;
  }

  /** The summary the result reports, or null when nothing was added. */
  summary(): LatencySummary | null {
    if (this.count === 0) return null;
    const { min, max } = this;
    const at = (p: number) => Math.min(max, Math.max(min, this.valueAtPercentile(p) / 1000));
    return { min, mean: this.sum / this.count, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max };
  }

  /** hdr-histogram-js `getValueAtPercentile` for p > 0, in µs: the highest value of the first bucket reaching the count. */
  private valueAtPercentile(p: number): number {
    const fp = (Math.min(p, 100) / 100) * this.count;
    const wanted = Math.max(Math.ceil(fp - ulp(fp)), 1);
    let total = 0;
    for (let i = this.low; i <= this.high; i++) {
      total += this.counts[i]!;
      if (total >= wanted) return highestEquivalent(valueFromIndex(i));
    }
    return 0;
  }
}

/** Latency percentiles of a list of values (ms), as LatencyAggregate gives them. */
export function summarizeLatencies(valuesMs: ArrayLike<number>): LatencySummary | null {
  const aggregate = new LatencyAggregate();
  for (let i = 0; i < valuesMs.length; i++) aggregate.add(valuesMs[i]!);
  return aggregate.summary();
}

// The HDR layout for lowestDiscernibleValue 1 (unit magnitude 0) and 3 significant digits: unit
// resolution up to 2,000 needs 2,048 sub-buckets, half of them (1,024) new in each further bucket.
const SUB_HALF_MAGNITUDE = 10;
const SUB_HALF = 1 << SUB_HALF_MAGNITUDE;
const SUB_COUNT = 2 * SUB_HALF;
const BUCKETS = 31;
const COUNTS_LENGTH = (BUCKETS + 1) * SUB_HALF;
const HIGHEST_US = 2 ** 40;

// The expressions are hdr-histogram-js's own (Math.log2 included), so values at the edge of a
// bucket fall where it puts them.
function bucketOf(us: number): number {
  return us < SUB_COUNT ? 0 : Math.max(Math.floor(Math.log2(us)) - SUB_HALF_MAGNITUDE, 0);
}

function indexOf(us: number): number {
  // The hot path (below 2³¹ µs, about 36 minutes): integer arithmetic, where floor(log2) is 31 − clz32.
  if (us < SUB_COUNT) return us;
  if (us < 2 ** 31) {
    const bucket = 31 - Math.clz32(us) - SUB_HALF_MAGNITUDE;
    return ((bucket + 1) << SUB_HALF_MAGNITUDE) + (us >>> bucket) - SUB_HALF;
  }
  const bucket = bucketOf(us);
  const sub = Math.floor(us / 2 ** bucket);
  return (bucket + 1) * SUB_HALF + sub - SUB_HALF;
}

function valueFromIndex(index: number): number {
  let bucket = Math.floor(index / SUB_HALF) - 1;
  let sub = (index % SUB_HALF) + SUB_HALF;
  if (bucket < 0) {
    sub -= SUB_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

function highestEquivalent(value: number): number {
  const bucket = bucketOf(value);
  const sub = Math.floor(value / 2 ** bucket);
  const lowest = sub * 2 ** bucket;
  const size = 2 ** (sub >= SUB_COUNT ? bucket + 1 : bucket);
  return lowest + size - 1;
}

function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}
