/**
 * The documented range of every number a scenario or a flag may hold (README, "Scenario files").
 *
 * Durations are the subtle ones. The real clock waits with setTimeout, which holds at most
 * 2³¹−1 ms (about 24.8 days) and fires after 1 ms when asked for more. The longest single wait a
 * run schedules is a webhook retry: its wait, plus a delivery delay drawn from a distribution,
 * plus the network's latency and jitter, divided by the speed. With every scenario duration at
 * most 7 days, draws cut at 7 days, network delays at most a minute each and the speed at least 1,
 * that wait stays under 14.01 days of wall time.
 */
import { MS_PER_UNIT } from "./units.js";

/** The longest duration a scenario may name (deadline, intervals, waits, windows, distribution parameters). */
export const MAX_SCENARIO_MS = 7 * MS_PER_UNIT.d;
/** Network latency and jitter each. */
export const MAX_NETWORK_MS = MS_PER_UNIT.m;
/** The provider holds a long poll at most this long (`?wait=` is capped there too). */
export const MAX_LONG_POLL_WAIT_MS = MS_PER_UNIT.m;

export const MIN_SPEED = 1;
export const MAX_SPEED = 10_000;

/** Seeds are 32-bit: the generator reads `seed >>> 0`, so 2³² would repeat seed 0. */
export const MAX_SEED = 0xffff_ffff;
/** The virtual clock's reach (issue 18: ten million in under 10 s and 1 GB); the real clock stops at REAL_CLOCK_MAX_PAYMENTS. */
export const MAX_PAYMENTS = 10_000_000;
/** The real clock's hard limit, even with --force: the provider holds at most this many payments (503 past it). */
export const REAL_CLOCK_MAX_PAYMENTS = 1_000_000;

/** Rates (arrivals, the provider's rate limit): at least one an hour, at most a million a second. */
export const MIN_RATE_PER_SECOND = 1 / 3600;
export const MAX_RATE_PER_SECOND = 1_000_000;

export const MAX_RETRY_ATTEMPTS = 100;
export const MAX_DOWNTIME_WINDOWS = 100;
export const MAX_EXPECTATIONS = 100;
export const MAX_NAME_LENGTH = 100;

/** Flags that are not scenario fields. */
export const MAX_SWEEP_INTERVALS = 20;
