import type { LoopHealth, RunHealth } from "../contract/result.js";
import type { StrategyName } from "../scenario/types.js";

/**
 * Below this, an event-loop delay cannot be told apart from the monitor's own jitter: libuv timers
 * tick in whole milliseconds and an idle 2-core machine shows p99s of 1–3 ms with nothing running.
 * Equal to the sampling period (MONITOR_RESOLUTION_MS), so a warning always means more than one
 * period lost.
 */
export const DELAY_FLOOR_MS = 5;

/** A loop busy more than this share of the time had no slack: requests queued behind each other. */
export const SATURATED_UTILIZATION = 0.9;

/** What a warning is computed from: a strategy's own latency and the health of its run. */
export interface HealthInput {
  name: StrategyName;
  latencyMs: { p50: number } | null;
  health?: RunHealth;
}

const SIDES = [
  ["provider", "the provider (worker thread)"],
  ["consumer", "the consumer (main thread)"],
] as const;

/**
 * Plain-words warnings for every strategy whose figures the tool itself may have distorted: a side
 * whose event-loop delay p99 exceeds a tenth of that strategy's latency p50 (and the noise floor),
 * a side busy more than 90% of the time, or polls whose round trip p99 exceeds the same limit (the
 * requests queued: saturation neither loop shows when the queue is in the connection pool). Each names the side and the remedy. Pure: numbers in,
 * sentences out.
 */
export function healthWarnings(strategies: HealthInput[]): string[] {
  const warnings: string[] = [];
  for (const s of strategies) {
    if (!s.health) continue;
    for (const [side, label] of SIDES) {
      const h: LoopHealth | null = s.health[side];
      if (!h) continue;
      const busy = h.utilization > SATURATED_UTILIZATION;
      const limit = s.latencyMs ? Math.max(DELAY_FLOOR_MS, s.latencyMs.p50 / 10) : DELAY_FLOOR_MS;
      const late = h.eventLoopDelayMs.p99 > limit;
      const queued = h.roundTripMs !== undefined && h.roundTripMs.p99 > limit;
      if (!busy && !late && !queued) continue;
      const what: string[] = [];
      if (busy) what.push(`its event loop was busy ${Math.round(h.utilization * 100)}% of the time (saturated)`);
      if (late)
        what.push(
          `its event loop ran timers up to ${fmt(h.eventLoopDelayMs.p99)} late (p99)` +
            (limit > DELAY_FLOOR_MS ? `, more than a tenth of the ${fmt(s.latencyMs!.p50)} latency p50` : `, more than the ${DELAY_FLOOR_MS} ms the monitor can resolve`),
        );
      if (queued)
        what.push(
          `its polls took up to ${fmt(h.roundTripMs!.p99)} (p99 round trip, queueing included)` +
            (limit > DELAY_FLOOR_MS ? `, more than a tenth of the ${fmt(s.latencyMs!.p50)} latency p50` : ""),
        );
      warnings.push(
        `warning: during ${s.name}, ${label}: ${what.join(" and ")}; ${s.name}'s figures may include the tool's own delay. ` +
          `Try fewer payments, a longer interval, or --clock virtual.`,
      );
    }
  }
  return warnings;
}

function fmt(ms: number): string {
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
