import type { StrategyName } from "../scenario/types.js";
import type { ProfileName } from "../scenario/fields.js";

/**
 * What both engines produce (the real run in src/run/, the virtual clock in src/virtual/) and every
 * renderer reads. Nothing here depends on how a result was made or how it is shown.
 */

/** What every JSON document of the tool opens with; a script checks `schemaVersion` before anything else. */
export interface Stamp {
  schemaVersion: 1;
  tool: { name: "apiwh"; version: string };
}

/** What a run's result opens with, whichever engine made it (built by envelope() only). */
export interface Envelope extends Stamp {
  clock: "real" | "virtual";
  /** True when the run was interrupted (Ctrl-C) and the figures cover only what was gathered. */
  partial: boolean;
  scenario: ScenarioEcho;
}

/**
 * What a compare run produced, whichever engine ran it. The JSON contract (`apiwh compare --format
 * json`) is this result as a CompareDocument. CI jobs and scripts depend on these names: add
 * fields, never rename or remove them without bumping schemaVersion.
 */
export interface CompareResult extends Envelope {
  strategies: StrategyResult[];
  /** Each expectation of the scenario (and `--expect`), evaluated against this result. */
  expectations?: ExpectationResult[];
  /** With `--repeat n`: every figure above is the mean over n runs with seeds seed…seed+n−1. */
  repeat?: RepeatInfo;
  /**
   * What the per-payment figures were scaled to (`--per-day`, `--price`, and every `--clock virtual`
   * run); each strategy then carries its `projection` (and `cost` with a price). Absent otherwise.
   */
  projection?: ProjectionBasis;
}

/**
 * `apiwh compare --format json`: the result with its one-sentence verdict after the strategies.
 * The verdict is computed from the result when it is rendered (src/contract/verdict.ts), never by a run.
 */
export interface CompareDocument extends CompareResult {
  verdict: string;
  /** One line that follows from the run: what to use, and the figure that decided it. */
  recommendation: string;
  /** Every strategy, best first, by the rules of src/contract/verdict.ts (README, "The verdict"). */
  ranking: RankEntry[];
}

/** What the ranking compares, in the order it compares them. */
export type Criterion = "correctness" | "latency" | "requests" | "bytes" | "connections";

export interface RankEntry {
  /** 1 for the best; strategies the rules cannot tell apart share a rank. */
  rank: number;
  name: StrategyName;
  missed: number;
  duplicates: number;
  /** The percentile the ranking compares latency on; null when nothing was detected. */
  latencyP95Ms: number | null;
  requestsPerPayment: number;
  bytesPerPayment: number;
  connectionsHeld: number;
  /** What put this strategy below the one ranked just above it; null for the first and for a tie. */
  decidedBy: Criterion | null;
}

/** `--per-day`, `--price` and `--clock virtual`: how the per-payment figures were scaled. */
export interface ProjectionBasis {
  paymentsPerDay: number;
  /** `per-day`: the flag; `arrival-rate`: the scenario's arrival rate over a day; `assumed`: a burst scenario without the flag (10,000 a day). */
  basis: "per-day" | "arrival-rate" | "assumed";
  /** A month is this many days. */
  daysPerMonth: number;
  /** The price as given to `--price` and as read; null without one. */
  price: { spec: string; terms: PriceTerm[] } | null;
}

/** One term of a price: `amount` per `per` requests or bytes. */
export interface PriceTerm {
  amount: number;
  per: number;
  unit: "requests" | "bytes";
  /** `API Gateway REST APIs` for a preset, or the term as written. */
  label: string;
}

/** A strategy's per-payment figures at the projection's payments a day. */
export interface StrategyProjection {
  requestsPerDay: number;
  requestsPerMonth: number;
  bytesPerDay: number;
  bytesPerMonth: number;
}

/** The projection priced: the sum of every term of `--price`, in the price's currency. */
export interface Cost {
  perDay: number;
  perMonth: number;
}

/**
 * How hard a strategy leaned on the network, from the request stamps both engines keep: the real
 * run stamps each request where it arrives (the provider's server, the webhook receiver), the
 * virtual clock where it simulates the arrival.
 */
export interface Load {
  /** Requests (both directions) per second of scenario time, over the whole run. */
  requestsPerSecond: number;
  /** The most requests in any one whole second of scenario time, counted from the start of the run. */
  peakRequestsPerSecond: number;
  /** The most requests the provider held open at once, waiting for news: long polls and event streams. */
  connectionsHeld: number;
  /** Requests in each second of scenario time from the start of the run; only with `--details`. */
  perSecond?: number[];
}

export interface ExpectationResult {
  text: string;
  ok: boolean;
  /** One line per check with the measured values, e.g. `webhook.latencyMs.p95 = 0.8 ms < 50 ms`. */
  details: string[];
}

export interface RepeatInfo {
  runs: number;
  seeds: number[];
  /** Sample standard deviation across runs, per strategy, of the figures a CI threshold usually watches. */
  stddev: Array<{
    name: StrategyName;
    requests: { total: number; wasted: number };
    bytes: { total: number };
    latencyMs: { mean: number; p50: number; p95: number; p99: number } | null;
    payments: { missed: number };
  }>;
}

/** What the model predicts for a strategy, for the scenario's actual settlement draws. */
export interface ModelPrediction {
  requests: { total: number; wasted: number };
  latencyMs: { mean: number };
  basis: string;
}

export interface ScenarioEcho {
  name: string;
  description: string;
  payments: number;
  seed: number;
  pollIntervalMs: number;
  arrival: string;
  settlementDelay: string;
  failureRate: number;
  networkLatencyMs: number;
  networkJitterMs: number;
  deadlineMs: number;
  speed: number;
  strategies: StrategyName[];
  /** hybrid's reconciliation interval (`hybrid.reconcileEvery`), which its recommendation names. */
  reconcileEveryMs: number;
  /** Whose webhook and API habits the provider took on (`--profile`, the file's `profile`); `standard` is apiwh's own. */
  profile: ProfileName;
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StrategyResult {
  name: StrategyName;
  /**
   * Who received the webhooks: the run's own receiver (`built-in`), or the user's
   * (`compare --webhook-url`: `external`, where a detection is the delivery's 2xx acknowledgement);
   * null for strategies that receive none.
   */
  receiver: "built-in" | "external" | null;
  requests: {
    total: number;
    consumerToProvider: number;
    providerToConsumer: number;
    /**
     * Requests that brought no new terminal status in time (pending polls, the endpoint
     * registration, failed or duplicate deliveries, and every request that brought an outcome only
     * after its deadline).
     */
    wasted: number;
    perPayment: number;
    /**
     * Requests that concern no one payment: the endpoint registration, list pages, event-stream
     * connections, deliveries refused before their payment could be read. With `details`, every
     * other request is one payment's: Σ details[].requests + unattributed = total.
     */
    unattributed: number;
    /**
     * Of `total`, requests the provider did not charge against its rate limit: 304s to conditional
     * polls under a profile whose 304s are free (GitHub). 0 in every other profile.
     */
    free: number;
  };
  bytes: { total: number; consumerToProvider: number; providerToConsumer: number };
  /** Detection latency: the consumer knew the terminal status minus the provider settled it. Null when nothing was detected. */
  latencyMs: LatencySummary | null;
  payments: {
    total: number;
    detected: number;
    missed: number;
    duplicates: number;
    succeeded: number;
    failed: number;
    /** Why each missed payment was missed; the counts add up to `missed`. */
    missedByReason: MissedByReason;
  };
  /**
   * Webhook deliveries as the provider made them. `attempted` includes attempts refused by a
   * `refuse` downtime window, which never reach the receiver (so they are not requests).
   */
  deliveries: { attempted: number; succeeded: number; retried: number };
  /** Refusals: 429s and 5xx the provider's API answered; deliveries the receiver rejected (bad signature, stale timestamp, malformed). */
  errors: {
    rateLimited: number;
    server: number;
    rejected: number;
    /**
     * `rejected` by the receiver's reason, present when `rejected` > 0. Then every reason is listed,
     * 0 for those not seen, so a script can read any key (as with `missedByReason`). Absent when
     * nothing was rejected: a clean run's JSON is what it was before the field existed, and strategies
     * without a receiver (polling) and the virtual clock (which verifies nothing) carry no row of
     * zeros that could not have been anything else. With `--repeat`, runs that differ on whether
     * anything was rejected fold to null, as `latencyMs` does.
     */
    rejectedByReason?: RejectedByReason;
  };
  durationMs: number;
  /** Requests per second, the busiest second and the requests held open: what the provider would see. */
  load: Load;
  /** The per-payment figures scaled to the projection's payments a day (see CompareResult.projection). */
  projection?: StrategyProjection;
  /** The projection priced by `--price`. */
  cost?: Cost;
  /** The model's prediction beside the measurement; null where the model has no formula for the strategy. */
  model: ModelPrediction | null;
  /** Per-payment records, present only with `--details`. */
  details?: PaymentRecord[];
  /**
   * How both event loops fared during this strategy's run (from t0 to the end): when a loop was
   * late or busy, the tool itself may have added to the latencies above. Absent from results made
   * without a real run.
   */
  health?: RunHealth;
}

/** Why the receiver refused a request, in the order its checks run (verification reasons first, as people look for them). */
export const REJECT_REASONS = ["bad-signature", "missing-headers", "stale-timestamp", "malformed", "too-large", "wrong-type", "not-found", "bad-method"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Deliveries the webhook receiver refused, by reason, every reason listed. */
export type RejectedByReason = Record<RejectReason, number>;

/**
 * `retries-exhausted`: the webhook's schedule ran out; `endpoint-disabled`: the endpoint answered 410;
 * `deadline`: the outcome was not known before the deadline (still pending, still retrying, a
 * poller that had not asked again yet, or known only after the deadline); `interrupted`: the run
 * was stopped (Ctrl-C) before the payment's deadline had passed, or before it was even created.
 */
export interface MissedByReason {
  "retries-exhausted": number;
  deadline: number;
  "endpoint-disabled": number;
  interrupted: number;
}

export interface PaymentRecord {
  id: string;
  status: "succeeded" | "failed" | "pending";
  /** Scenario-time milliseconds from the start of this strategy's run. */
  createdAtMs: number;
  settledAtMs: number | null;
  detectedAtMs: number | null;
  /** Settlement delay the provider applied (settled minus created, as stamped by the provider). */
  settlementDelayMs: number | null;
  latencyMs: number | null;
  /** Requests about this payment, counted where they arrived: its polls (long polls included), or the deliveries of its event and their retries. */
  requests: number;
}

/** `apiwh check`: every scenario found, its expectations, and a summary. */
export interface CheckResult extends Stamp {
  ok: boolean;
  /** True when the check was interrupted (Ctrl-C): some scenarios were cut short or never ran (status `partial`). */
  partial: boolean;
  durationMs: number;
  /** `partial` counts the scenarios cut short or never run; the expectation counts cover the scenarios that finished. */
  summary: { scenarios: number; passed: number; failed: number; errors: number; partial: number; expectations: number; expectationsFailed: number };
  scenarios: ScenarioCheck[];
}

export interface ScenarioCheck {
  file: string;
  name: string;
  description: string;
  /**
   * passed: every expectation held; failed: one did not; error: the scenario could not run (bad
   * file, port in use…); partial: interrupted before its run finished (or began), so its
   * expectations were not judged (JUnit marks them skipped).
   */
  status: "passed" | "failed" | "error" | "partial";
  error?: string;
  /** Wall-clock milliseconds the scenario took to run. */
  durationMs: number;
  expectations: ExpectationResult[];
  result?: CompareResult;
}

/** `apiwh check --format json`: each scenario that ran carries its run's verdict, and its result as `compare` writes it. */
export interface CheckDocument extends Omit<CheckResult, "scenarios"> {
  scenarios: ScenarioCheckDocument[];
}

export interface ScenarioCheckDocument extends Omit<ScenarioCheck, "result"> {
  /** The verdict of the run; absent when the scenario could not run. */
  verdict?: string;
  /** The run's recommendation line; absent when the scenario could not run. */
  recommendation?: string;
  result?: CompareDocument;
}

/**
 * `apiwh sweep --format json`: polling at several intervals, same seed each time, with the webhook
 * run once beside them as the reference point. Add fields, never rename or remove them.
 */
export interface SweepResult extends Envelope {
  /**
   * `partial`: true when the sweep was interrupted and some intervals (or the webhook) did not run.
   * `scenario`: the scenario as run; its `pollIntervalMs` is the file's, each point names its own.
   */
  /** The strategy swept (polling) at each interval, in the order given. */
  strategy: StrategyName;
  points: SweepPoint[];
  /** The webhook's run of the same scenario; null when it did not run (interrupted). */
  webhook: SweepPoint | null;
  /** With `--target`: the search on the virtual clock and the interval it recommends (`points` are then the real runs that confirmed it). */
  target?: SweepTarget;
  /** With `--per-day`, `--price` or `--target`: what each point's `projection` scaled to. */
  projection?: ProjectionBasis;
}

/** `apiwh sweep --target "p95 < 2s"`: the largest poll interval that meets an expectation. */
export interface SweepTarget {
  /** As given. */
  text: string;
  /** As checked, over the swept strategy's figures: `polling.latencyMs.p95 < 2s`. */
  expectation: string;
  /** Every interval simulated on the virtual clock, in increasing order, each with `meets`. */
  searched: SweepPoint[];
  /** The largest interval that met the target on the virtual clock and then in a real run; null when none did. */
  recommended: { intervalMs: number; details: string[] } | null;
}

export interface SweepPoint {
  /** The poll interval of this run; null for the webhook. */
  intervalMs: number | null;
  requests: { total: number; wasted: number; perPayment: number };
  /** Detection latency of this run; null when nothing was detected. */
  latencyMs: { mean: number; p50: number; p95: number } | null;
  payments: { total: number; detected: number; missed: number };
  durationMs: number;
  bytes: { total: number };
  /** Requests held open and the busiest second, as in a compare run's `load`. */
  load: Load;
  /** With `--target`: whether this run met it. */
  meets?: boolean;
  /** Scaled to the sweep's `projection` (and priced, with `--price`). */
  projection?: StrategyProjection;
  cost?: Cost;
}

/** How one thread's event loop fared during a run. Wall-clock ms (see RunHealth.unit). */
export interface LoopHealth {
  /** How late timers fired (ms beyond the sampling period): the time a stamp may have waited for the loop. */
  eventLoopDelayMs: { p50: number; p90?: number; p99: number; max: number };
  /** Share of the run's wall time the loop spent running code rather than waiting for I/O, 0–1. */
  utilization: number;
  /**
   * Consumer only, for strategies that poll with short requests: the round trip of each poll from
   * the moment it was sent to its answer, queueing in the connection pool included, less the
   * largest round trip the simulated network can draw (so a run with `--latency` is not mistaken
   * for a slow machine). On loopback this is a fraction of a millisecond; when it is not,
   * requests queued behind each other and the latencies carry that wait even if neither loop
   * looked busy.
   */
  roundTripMs?: { p50: number; p90?: number; p99: number; max: number };
}

/** Both sides of a strategy's run: the provider's worker thread and the consumer's main thread. */
export interface RunHealth {
  /** Every figure here is milliseconds of wall-clock time, as the machine ran; the result's other times are scenario time (wall × speed). */
  unit: "wall-clock ms";
  /** Null when the provider's figures could not be gathered (its worker was gone). */
  provider: LoopHealth | null;
  consumer: LoopHealth;
  /**
   * Bare `OPTIONS` round trips from the consumer to the provider, sampled through the run (no
   * simulated network, counted nowhere): what one exchange costs this machine. Multiplied by the
   * speed, it is the tool's own share of every latency. Null when none came back.
   */
  loopbackRoundTripMs: { p50: number; p99: number; max: number } | null;
  /** What the health check found, in plain words, as the table prints it (src/contract/health.ts); empty when nothing. */
  warnings: string[];
}
