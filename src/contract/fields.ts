import type { StrategyResult } from "./result.js";

/**
 * The numeric fields of a strategy's result that expectations may name, below the strategy
 * (`webhook.latencyMs.p95`), declared once next to the StrategyResult interface. The type checks
 * at the end of this file hold the two together: a numeric field added to, renamed in or removed
 * from StrategyResult without this list (or the other way round) fails `tsc`, naming the path.
 * The order is the order "did you mean" prefers on a tie.
 */
export const STRATEGY_FIELD_PATHS = [
  "requests.total",
  "requests.consumerToProvider",
  "requests.providerToConsumer",
  "requests.wasted",
  "requests.perPayment",
  "requests.unattributed",
  "requests.free",
  "bytes.total",
  "bytes.consumerToProvider",
  "bytes.providerToConsumer",
  "latencyMs.min",
  "latencyMs.mean",
  "latencyMs.p50",
  "latencyMs.p90",
  "latencyMs.p95",
  "latencyMs.p99",
  "latencyMs.max",
  "payments.total",
  "payments.detected",
  "payments.missed",
  "payments.duplicates",
  "payments.succeeded",
  "payments.failed",
  "deliveries.attempted",
  "deliveries.succeeded",
  "deliveries.retried",
  "durationMs",
  "load.requestsPerSecond",
  "load.peakRequestsPerSecond",
  "load.connectionsHeld",
  "projection.requestsPerDay",
  "projection.requestsPerMonth",
  "projection.bytesPerDay",
  "projection.bytesPerMonth",
  "cost.perDay",
  "cost.perMonth",
  "model.requests.total",
  "model.requests.wasted",
  "model.latencyMs.mean",
] as const;

export type StrategyFieldPath = (typeof STRATEGY_FIELD_PATHS)[number];

/**
 * Field prefixes whose children are open-ended (keyed by reason or by side, with keys added by
 * later features); anything below them is accepted, and they are left out of the checks below.
 */
export const OPEN_FIELD_PREFIXES = ["errors.", "payments.missedByReason.", "health."] as const;

type OpenPath = `${(typeof OPEN_FIELD_PREFIXES)[number]}${string}`;

/** Every dotted path to a number in T (through nullable objects, never into arrays). */
type NumericPaths<T> = T extends number
  ? ""
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: Join<K, NumericPaths<NonNullable<T[K]>>> }[keyof T & string]
      : never;
type Join<K extends string, P> = P extends "" ? K : P extends string ? `${K}.${P}` : never;

type ResultPath = Exclude<NumericPaths<StrategyResult>, OpenPath | "errors" | "health">;

/** True when nothing is missing either way; otherwise the paths that are, which fails `Holds<…>`. */
type Agree<Undeclared, Unknown> = [Undeclared | Unknown] extends [never] ? true : { undeclared: Undeclared; unknown: Unknown };
type Holds<T extends true> = T;

/** Compile-time only: StrategyResult's numeric paths and STRATEGY_FIELD_PATHS are the same set. */
export type FieldPathsMatchStrategyResult = Holds<Agree<Exclude<ResultPath, StrategyFieldPath>, Exclude<StrategyFieldPath, ResultPath>>>;
