import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from "node:perf_hooks";
import type { LoopHealth } from "../contract/result.js";
import { grow } from "../util/grow.js";

/**
 * Sampling period of the delay monitor. Node samples by arming a libuv timer every period and
 * recording how late it fired. 5 ms is the compromise: 200 samples a second give a meaningful p99
 * on a run of a few seconds and catch stalls of a few ms (10 ms, Node's default, samples a 1 s run
 * only 100 times, so its p99 is its max); 1 ms would wake the measured loop 1,000 times a second
 * and, since libuv timers tick in whole milliseconds, mostly record its own rounding.
 */
export const MONITOR_RESOLUTION_MS = 5;

/** Percentiles of recorded round trips (ms), nearest rank. Null when there were none. */
export function roundTripSummary(values: Float64Array, count: number): { p50: number; p90: number; p99: number; max: number } | null {
  if (count === 0) return null;
  const sorted = values.slice(0, count).sort();
  const at = (p: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(sorted[count - 1]!) };
}

/** Collects round trips in a growing typed array: no object per sample. */
export class RoundTrips {
  private values = new Float64Array(4096);
  count = 0;
  record(ms: number): void {
    this.values = grow(this.values, this.count + 1);
    this.values[this.count++] = ms;
  }
  summary(): { p50: number; p90: number; p99: number; max: number } | null {
    return roundTripSummary(this.values, this.count);
  }
}

/**
 * Watches the current thread's event loop between start() and stop(). Cheap enough to leave on:
 * one timer per period in libuv, no JavaScript runs per sample.
 */
export class LoopMonitor {
  private histogram?: IntervalHistogram;
  private elu?: EventLoopUtilization;

  constructor(private readonly resolutionMs = MONITOR_RESOLUTION_MS) {}

  start(): void {
    this.histogram?.disable();
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.elu = performance.eventLoopUtilization();
  }

  /** Figures since start(); the monitor keeps running until stop(). Zeros when never started. */
  read(): LoopHealth {
    const h = this.histogram;
    const utilization = this.elu ? performance.eventLoopUtilization(this.elu).utilization : 0;
    if (!h || h.count === 0) return { eventLoopDelayMs: { p50: 0, p90: 0, p99: 0, max: 0 }, utilization };
    return {
      eventLoopDelayMs: { p50: this.lateness(h.percentile(50)), p90: this.lateness(h.percentile(90)), p99: this.lateness(h.percentile(99)), max: this.lateness(h.max) },
      utilization,
    };
  }

  stop(): LoopHealth {
    const health = this.read();
    this.histogram?.disable();
    this.histogram = undefined;
    this.elu = undefined;
    return health;
  }

  /** Node records the whole interval between samples (period + lateness) in ns; only the lateness is delay. */
  private lateness(ns: number): number {
    return Math.max(0, Math.round((ns / 1e6 - this.resolutionMs) * 1000) / 1000);
  }
}
