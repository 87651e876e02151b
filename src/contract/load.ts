import { grow } from "../util/grow.js";
import type { Load } from "./result.js";

/** The window of `peakRequestsPerSecond`: one whole second of scenario time, counted from the start of the run. */
export const PEAK_WINDOW_MS = 1000;

/**
 * Requests per whole second of scenario time, from the start of a strategy's run. Both engines
 * fill one: the real run from the stamps its servers took as requests arrived, the virtual clock
 * as it simulates each arrival. A request before the run's start (the endpoint registration, an
 * event stream opened first) counts in the first second.
 */
export class RequestHistogram {
  private bins = new Uint32Array(16);
  private length = 0;
  total = 0;

  /** One request that arrived `atMs` of scenario time after the run started. */
  add(atMs: number): void {
    const bin = atMs > 0 ? Math.floor(atMs / PEAK_WINDOW_MS) : 0;
    if (bin >= this.bins.length) this.bins = grow(this.bins, bin + 1);
    this.bins[bin]!++;
    if (bin >= this.length) this.length = bin + 1;
    this.total++;
  }

  /** Forgets every request counted. */
  clear(): void {
    this.bins.fill(0);
    this.length = 0;
    this.total = 0;
  }

  /** `count` requests at the same moment (a closed form that knows only how many). */
  addMany(atMs: number, count: number): void {
    for (let k = 0; k < count; k++) this.add(atMs);
  }

  peak(): number {
    let peak = 0;
    for (let i = 0; i < this.length; i++) if (this.bins[i]! > peak) peak = this.bins[i]!;
    return peak;
  }

  /** One count per second, up to the run's last second (`durationMs`) or the last request, whichever is later. */
  counts(durationMs: number): number[] {
    const seconds = Math.max(this.length, Math.ceil(Math.max(0, durationMs) / PEAK_WINDOW_MS));
    return Array.from({ length: seconds }, (_, i) => this.bins[i] ?? 0);
  }
}

/**
 * Spans during which the provider held a request open waiting for news (a long poll until it is
 * answered, an event stream until it closes); the most open at once is `connectionsHeld`.
 */
export class HeldSpans {
  private starts = new Float64Array(16);
  private ends = new Float64Array(16);
  private size = 0;

  /** Room for `count` spans at once: a caller that knows about how many saves the doublings' copies and slack. */
  reserve(count: number): void {
    this.starts = grow(this.starts, count);
    this.ends = grow(this.ends, count);
  }

  /** Forgets every span. */
  clear(): void {
    this.size = 0;
  }

  add(fromMs: number, toMs: number): void {
    if (!(toMs > fromMs)) return;
    if (this.size >= this.starts.length) {
      this.starts = grow(this.starts, this.size + 1);
      this.ends = grow(this.ends, this.size + 1);
    }
    this.starts[this.size] = fromMs;
    this.ends[this.size++] = toMs;
  }

  /**
   * The most spans open at one instant; a span that ends as another starts does not overlap it.
   * Sorts the starts and the ends in place (which pairs with which does not matter to the count):
   * a copy would add 16 bytes a span, 160 MB for ten million long polls.
   */
  peak(): number {
    const starts = this.starts.subarray(0, this.size).sort();
    const ends = this.ends.subarray(0, this.size).sort();
    let open = 0;
    let peak = 0;
    let e = 0;
    for (let s = 0; s < starts.length; s++) {
      while (e < ends.length && ends[e]! <= starts[s]!) {
        e++;
        open--;
      }
      if (++open > peak) peak = open;
    }
    return peak;
  }
}

/** The contract's `load` from a run's histogram, its length in scenario time and the most requests held open. */
export function loadOf(histogram: RequestHistogram, durationMs: number, connectionsHeld: number, details: boolean): Load {
  // A run shorter than the window still had its requests within one second.
  const seconds = Math.max(durationMs, PEAK_WINDOW_MS) / 1000;
  return {
    requestsPerSecond: histogram.total / seconds,
    peakRequestsPerSecond: histogram.peak(),
    connectionsHeld,
    ...(details ? { perSecond: histogram.counts(durationMs) } : {}),
  };
}
