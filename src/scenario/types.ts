/**
 * The resolved scenario the runners use: every duration in milliseconds of scenario time, every
 * distribution parsed. Derived from the declaration (declaration.ts); nothing here is written twice.
 */
import type { z } from "zod";
import type { declaration } from "./declaration.js";

export { STRATEGY_NAMES, SIGNATURE_FORMATS } from "./fields.js";
export type { Arrival, DowntimeMode, DowntimeWindow, SignatureFormat, StrategyName } from "./fields.js";

/** A scenario after parsing and validation. `speed`: scenario time runs that many times faster than wall time. */
export type Scenario = z.output<typeof declaration>;

/** Downtime sorted by start, never overlapping; shares from 0 to 1; `delay` null for none. */
export type WebhookFaults = Scenario["faults"]["webhook"];

/** `errorRate` from 0 to 1; `latency` null for none. */
export type ApiFaults = Scenario["faults"]["api"];
