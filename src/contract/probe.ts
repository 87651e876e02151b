import type { SignatureFormat } from "../scenario/types.js";

/**
 * The checks of `apiwh probe`, in the order they run. `retry-after` runs last because it reports
 * on the throttling answers of every check before it.
 */
export const CHECK_NAMES = [
  "valid",
  "missing-signature",
  "bad-signature",
  "wrong-secret",
  "tampered-body",
  "truncated-signature",
  "stale-timestamp",
  "future-timestamp",
  "within-tolerance",
  "rotated-secret",
  "replay",
  "out-of-order",
  "oversized",
  "wrong-content-type",
  "malformed-json",
  "slow-path",
  "burst",
  "retry-after",
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];

/** ✓ / ✗ / ⚠. Only `fail` makes the exit code 1; `warn` is reported and does not fail the run. */
export type Grade = "pass" | "fail" | "warn";

export interface ResponseTimes {
  /** Deliveries sent. */
  count: number;
  /** Of those, answered 2xx within the timeout. */
  ok: number;
  /** Percentiles of the time to a complete answer, over every delivery that got one (ms); null when none did. */
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface ProbeCheck {
  name: CheckName;
  grade: Grade;
  /** What was sent, in one line. */
  sent: string;
  /** What came back, in one line (status and time, or how the exchange ended). */
  received: string;
  /**
   * Time to the complete answer of the exchange that decided the grade (or until it was given
   * up); for `slow-path` the p99, for `burst` the slowest answer. Null when nothing was sent.
   */
  ms: number | null;
  /** What the result means and, when it is not ✓, what to change. One line. */
  advice: string;
  /** `slow-path` and `burst` only. */
  times?: ResponseTimes;
  /** With `--observe`: what the receiver's observe endpoint answered for this check's events. */
  observed?: string;
}

/**
 * The JSON contract of `apiwh probe --format json`. Scripts depend on these names: add fields,
 * never rename or remove them without bumping schemaVersion.
 */
export interface ProbeResult {
  schemaVersion: 1;
  tool: { name: "apiwh"; version: string };
  /** The receiver's URL as given (a password in it is shown as `***`). */
  target: string;
  signature: SignatureFormat;
  /** The `--observe` URL, or null. */
  observe: string | null;
  timeoutMs: number;
  /** True when the probe was interrupted (Ctrl-C) and `checks` holds only those that finished. */
  partial: boolean;
  checks: ProbeCheck[];
  summary: {
    pass: number;
    fail: number;
    warn: number;
    /** HTTP requests sent, deliveries and observe queries together. */
    requests: number;
    durationMs: number;
    /** No check failed (warnings allowed): the exit code is 0. */
    ok: boolean;
  };
}

export function summarize(checks: ProbeCheck[], requests: number, durationMs: number): ProbeResult["summary"] {
  const count = (grade: Grade) => checks.filter((c) => c.grade === grade).length;
  const fail = count("fail");
  return { pass: count("pass"), fail, warn: count("warn"), requests, durationMs, ok: fail === 0 };
}
