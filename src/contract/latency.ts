import hdr from "hdr-histogram-js";
import type { LatencySummary } from "./result.js";

/**
 * Latency percentiles from an HDR histogram recorded in microseconds (3 significant digits);
 * min, max and mean are exact.
 */
export function summarizeLatencies(valuesMs: ArrayLike<number>): LatencySummary | null {
  if (valuesMs.length === 0) return null;
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3 });
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < valuesMs.length; i++) {
    const v = valuesMs[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    histogram.recordValue(Math.max(0, Math.round(v * 1000)));
  }
  const at = (p: number) => Math.min(max, Math.max(min, histogram.getValueAtPercentile(p) / 1000));
  const summary: LatencySummary = { min, mean: sum / valuesMs.length, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max };
  histogram.destroy();
  return summary;
}
