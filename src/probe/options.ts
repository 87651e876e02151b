/**
 * The probe's flags checked into settings: pure, each error one line naming the flag and the form
 * expected. The ranges are what bound a probe in count, rate and time (see the README).
 */
import { UsageError } from "../errors.js";
import { formatDurationShort } from "../scenario/duration.js";
import { printable } from "./grade.js";
import { CHECK_NAMES, type CheckName } from "../contract/probe.js";

export const PROBE_LIMITS = {
  timeoutMs: { min: 100, max: 60_000, default: 10_000 },
  deliveries: { max: 1_000, default: 50 },
  concurrency: { max: 200, default: 20 },
} as const;

/** The receiver's or the observe endpoint's URL: any http(s) URL, since the user typed it (no loopback rule, unlike the provider's registrations). */
export function parseProbeUrl(text: string, what: string): URL {
  const form = what === "--observe" ? "an http(s) URL such as http://localhost:3000/webhooks/observe" : "your receiver's http(s) URL, such as http://localhost:3000/webhooks";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} "${printable(text, 60)}": not a URL; expected ${form}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${what} "${printable(text, 60)}": must use http or https; expected ${form}`);
  return url;
}

export function checkTimeout(ms: number): number {
  const { min, max } = PROBE_LIMITS.timeoutMs;
  if (!(ms >= min && ms <= max)) throw new UsageError(`--timeout ${formatDurationShort(ms)}: out of range; expected a duration from ${formatDurationShort(min)} to ${formatDurationShort(max)}, such as 10s`);
  return ms;
}

/** `--only replay,burst` → the names, each known; order does not matter (checks always run in their own order). */
export function parseOnly(text: string): CheckName[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--only "${printable(text, 60)}" names no check; expected a comma-separated list of: ${CHECK_NAMES.join(", ")}`);
  for (const name of names) {
    if (!(CHECK_NAMES as readonly string[]).includes(name))
      throw new UsageError(`--only: unknown check "${printable(name, 40)}"; expected a comma-separated list of: ${CHECK_NAMES.join(", ")}`);
  }
  return names as CheckName[];
}

/**
 * Most requests a probe sends to the receiver: one or two per single check, `deliveries` for
 * slow-path, `concurrency` for burst and one re-send for retry-after. `--observe` adds at most one
 * query per delivery checked, to the observe endpoint.
 */
export function maxDeliveries(only: readonly CheckName[] | null, deliveries: number, concurrency: number): number {
  const two: readonly CheckName[] = ["replay", "out-of-order"];
  return CHECK_NAMES.filter((n) => only === null || only.includes(n)).reduce(
    (sum, n) => sum + (n === "slow-path" ? deliveries : n === "burst" ? concurrency : two.includes(n) ? 2 : 1),
    0,
  );
}
