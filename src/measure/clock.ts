/**
 * One monotonic clock for both sides of a run. `process.hrtime` reads CLOCK_MONOTONIC, which is
 * the same clock in the main thread, in worker threads and in child processes, so a settlement
 * stamped by the provider and a detection stamped by the consumer can be subtracted directly.
 */
export interface Clock {
  /** Milliseconds on the shared monotonic clock (fractional, sub-microsecond resolution). */
  now(): number;
}

export function monotonicNow(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}

export const monotonicClock: Clock = { now: monotonicNow };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
