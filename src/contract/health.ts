import type { LoopHealth, RunHealth } from "./result.js";
import type { StrategyName } from "../scenario/types.js";

/**
 * Below this, an event-loop delay cannot be told apart from the monitor's own jitter: libuv timers
 * tick in whole milliseconds and an idle 2-core machine shows p99s of 1–3 ms with nothing running.
 * Equal to the sampling period (MONITOR_RESOLUTION_MS), so a warning always means more than one
 * period lost. Wall-clock ms.
 */
export const DELAY_FLOOR_MS = 5;

/** A loop busy more than this share of the time had no slack: requests queued behind each other. */
export const SATURATED_UTILIZATION = 0.9;

/** Runs with at least this many payments are large enough that "fewer payments" is advice worth giving. */
const MANY_PAYMENTS = 1000;

/** Strategies on a poll schedule, for which a longer interval lightens the load. */
const SCHEDULED: ReadonlySet<StrategyName> = new Set(["polling", "conditional", "polling-backoff"]);

/** What a warning is computed from: a strategy's own figures and the health of its run. */
export interface HealthInput {
  name: StrategyName;
  latencyMs: { p50: number } | null;
  payments?: { total: number; detected: number };
  health?: Partial<RunHealth> & Pick<RunHealth, "provider" | "consumer">;
}

const SIDES = [
  ["provider", "the provider (worker thread)"],
  ["consumer", "the consumer (main thread)"],
] as const;

/**
 * The warnings of every strategy: those its run recorded (health.warnings, made with the run's
 * speed), or for a result without them (hand-built, or from before the field) computed at speed 1.
 */
export function healthWarnings(strategies: readonly HealthInput[]): string[] {
  return strategies.flatMap((s) => s.health?.warnings ?? strategyWarnings(s, 1));
}

/**
 * Plain-words warnings for a strategy whose figures the tool itself may have distorted. Health is
 * measured in wall-clock ms; figures are in scenario time, so every delay is first multiplied by
 * `speed`. Each warning names the side, what was seen, and the remedy.
 *
 * - Speed: the machine's own round trip (health.loopbackRoundTripMs p50), stretched by speed
 *   beyond what it would be at speed 1, passes a tenth of the strategy's latency p50.
 * - Late timers: a side's event-loop delay, beyond the monitor's resolution, passes a tenth of
 *   the latency p50. The percentile read scales with the sample: the delay that at least one of n
 *   detections can be expected to have met (p99 from 100 detections, p90 from 10, else the median),
 *   so a three-payment run is judged by its typical delay, not by one hiccup.
 * - Saturation: a side busy more than 90% of the time.
 * - Queued polls: polls' round trips, net of the simulated network, past the same limit.
 */
export function strategyWarnings(s: HealthInput, speed: number): string[] {
  const health = s.health;
  if (!health) return [];
  const warnings: string[] = [];
  const p50 = s.latencyMs?.p50;
  const samples = s.payments?.detected ?? 100;
  const many = (s.payments?.total ?? 0) >= MANY_PAYMENTS;

  const loopback = health.loopbackRoundTripMs?.p50;
  if (speed > 1 && loopback !== undefined && p50 !== undefined) {
    const stretched = (speed - 1) * loopback;
    if (stretched > p50 / 10) {
      warnings.push(
        `warning: at --speed ${fmtCount(speed)}, this machine's own ${fmt(loopback)} per exchange (loopback round trip, p50) counts as ${fmt(speed * loopback)} of scenario time, ` +
          `more than a tenth of ${s.name}'s ${fmt(p50)} latency p50, so ${s.name}'s figures carry the tool's own delay, multiplied by the speed. ` +
          `Use a lower speed, or --clock virtual.`,
      );
    }
  }

  // Limits in wall ms: a tenth of the latency at this speed, never below what the monitor resolves.
  const limit = p50 !== undefined ? Math.max(DELAY_FLOOR_MS, p50 / 10 / speed) : DELAY_FLOOR_MS;
  const overFloor = limit > DELAY_FLOOR_MS;
  for (const [side, label] of SIDES) {
    const h: LoopHealth | null | undefined = health[side];
    if (!h) continue;
    const busy = h.utilization > SATURATED_UTILIZATION;
    const { value: delay, name: delayName } = percentileFor(h.eventLoopDelayMs, samples);
    const late = delay > limit;
    const trips = h.roundTripMs ? percentileFor(h.roundTripMs, samples) : undefined;
    const queued = trips !== undefined && trips.value > limit;
    if (!busy && !late && !queued) continue;
    const what: string[] = [];
    const tenth = p50 !== undefined && overFloor ? `, more than a tenth of the ${fmt(p50)} latency p50${speed > 1 ? ` at --speed ${fmtCount(speed)}` : ""}` : "";
    if (busy) what.push(`its event loop was busy ${Math.round(h.utilization * 100)}% of the time (saturated)`);
    if (late) what.push(`its event loop ran timers up to ${fmt(delay)} late (${delayName})` + (tenth || `, more than the ${DELAY_FLOOR_MS} ms the monitor can resolve`));
    if (queued) what.push(`its polls took up to ${fmt(trips.value)} beyond the simulated network (${trips.name} round trip, queueing included)${tenth}`);
    warnings.push(`warning: during ${s.name}, ${label}: ${what.join(" and ")}; ${s.name}'s figures may include the tool's own delay. ${remedies(s.name, speed, many)}`);
  }
  return warnings;
}

/** The percentile a sample of n can speak to: p99 from 100 detections, p90 from 10, else the median. */
function percentileFor(figures: { p50: number; p90?: number; p99: number }, n: number): { value: number; name: string } {
  if (n < 10) return { value: figures.p50, name: "p50" };
  if (n < 100 && figures.p90 !== undefined) return { value: figures.p90, name: "p90" };
  return { value: figures.p99, name: "p99" };
}

function remedies(name: StrategyName, speed: number, many: boolean): string {
  const options: string[] = [];
  if (speed > 1) options.push("a lower speed");
  if (many) options.push("fewer payments");
  if (SCHEDULED.has(name)) options.push("a longer interval");
  options.push("--clock virtual");
  const last = options.pop()!;
  return `Try ${options.length > 0 ? `${options.join(", ")}, or ${last}` : last}.`;
}

function fmt(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, "");
}
