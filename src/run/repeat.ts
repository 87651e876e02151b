import type { CompareResult, LatencySummary, RepeatInfo, StrategyResult } from "../contract/result.js";

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single run. */
export function stddev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Averages every number of a value tree (same shape in every run); nulls stay null if any run had none. */
function meanTree<T>(values: T[]): T {
  const first = values[0] as unknown;
  if (typeof first === "number") return mean(values as number[]) as T;
  if (first === null || typeof first !== "object" || Array.isArray(first)) return first as T;
  if (values.some((v) => v === null || v === undefined)) return null as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) out[key] = meanTree(values.map((v) => (v as Record<string, unknown>)[key]));
  return out as T;
}

/**
 * Folds the runs of `--repeat n` into one result whose figures are means, plus the spread of
 * the figures thresholds usually watch, so a CI threshold is not decided by one noisy run.
 */
export function foldRepeats(runs: CompareResult[], seeds: number[]): CompareResult {
  const first = runs[0]!;
  const names = first.strategies.map((s) => s.name);
  const strategies: StrategyResult[] = names.map((name) => {
    const per = runs.map((r) => r.strategies.find((s) => s.name === name)!);
    const { details: _details, ...shape } = per[0]!;
    void _details;
    return { ...meanTree(per.map(({ details: _d, ...rest }) => rest as typeof shape)), name };
  });
  const spread: RepeatInfo["stddev"] = names.map((name) => {
    const per = runs.map((r) => r.strategies.find((s) => s.name === name)!);
    const lat = per.map((s) => s.latencyMs).filter((l): l is LatencySummary => l !== null);
    return {
      name,
      requests: { total: stddev(per.map((s) => s.requests.total)), wasted: stddev(per.map((s) => s.requests.wasted)) },
      bytes: { total: stddev(per.map((s) => s.bytes.total)) },
      latencyMs: lat.length === per.length ? { mean: stddev(lat.map((l) => l.mean)), p50: stddev(lat.map((l) => l.p50)), p95: stddev(lat.map((l) => l.p95)), p99: stddev(lat.map((l) => l.p99)) } : null,
      payments: { missed: stddev(per.map((s) => s.payments.missed)) },
    };
  });
  return {
    ...first,
    partial: runs.some((r) => r.partial),
    scenario: { ...first.scenario, seed: seeds[0]! },
    strategies,
    repeat: { runs: runs.length, seeds, stddev: spread },
  };
}
