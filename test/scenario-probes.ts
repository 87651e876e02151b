/**
 * Probe documents for the scenario's two readers: the validator (the tool) and the JSON Schema
 * (editors, CI linters). Each says what both must make of it:
 * - "valid": both accept;
 * - "invalid": both refuse (JSON Schema can state the rule);
 * - "beyond-schema": the validator refuses and the schema, which cannot state the rule, accepts
 *   (README, "Scenario files", lists these rules).
 * `reason` is a fragment the validator's message must contain, so it refuses for the right reason.
 */
export type Verdict = "valid" | "invalid" | "beyond-schema";
export interface Probe {
  what: string;
  doc: unknown;
  verdict: Verdict;
  reason?: string;
}

const window = (fromS: number, toS: number) => ({ from: `${fromS}s`, to: `${toS}s` });
const waits = (n: number) => Array.from({ length: n }, (_, i) => `${i}s`);

/** Every section and the sub-objects inside fields, each with a key it does not know. */
const UNKNOWN_KEYS: Array<[string, unknown]> = [
  ["top level", { setlement: {} }],
  ["payments", { payments: { cout: 3 } }],
  ["payments.arrival", { payments: { arrival: { rate: "5/s", burst: true } } }],
  ["settlement", { settlement: { failure_rate: 0.1 } }],
  ["polling", { polling: { intervals: "1s" } }],
  ["webhook", { webhook: { retires: "none" } }],
  ["network", { network: { bandwidth: "1mb" } }],
  ["polling-backoff", { "polling-backoff": { factor: 2 } }],
  ["long-polling", { "long-polling": { timeout: "30s" } }],
  ["hybrid", { hybrid: { reconcile: "5s" } }],
  ["provider", { provider: { ratelimit: "5/s" } }],
  ["faults", { faults: { webhooks: {} } }],
  ["faults.webhook", { faults: { webhook: { outage: [] } } }],
  ["faults.api", { faults: { api: { errors: 0.1 } } }],
  ["a downtime window", { faults: { webhook: { downtime: [{ from: "1s", to: "2s", form: "1s" }] } } }],
];

export const PROBES: Probe[] = [
  // The nine, which the hand-kept schema accepted and the validator refused.
  { what: "decreasing retries", doc: { webhook: { retries: ["0s", "5s", "1s"] } }, verdict: "beyond-schema", reason: "never decrease" },
  { what: "overlapping downtime windows", doc: { faults: { webhook: { downtime: [window(1, 4), window(3, 5)] } } }, verdict: "beyond-schema", reason: "overlaps" },
  { what: "polling-backoff base above cap", doc: { "polling-backoff": { base: "20s", cap: "10s" } }, verdict: "beyond-schema", reason: "base above the cap" },
  // The cap now defaults to ten times the base, and the base to the poll interval: a cap given below that interval is the same mistake.
  { what: "a cap below the poll interval the base defaults to", doc: { polling: { interval: "20s" }, "polling-backoff": { cap: "10s" } }, verdict: "beyond-schema", reason: "below the backoff's base" },
  { what: "uniform(4s, 1s)", doc: { settlement: { delay: "uniform(4s, 1s)" } }, verdict: "beyond-schema", reason: "is impossible" },
  { what: "a 0/s rate", doc: { provider: { rateLimit: "0/s" } }, verdict: "invalid", reason: "above zero" },
  { what: "a 0.0/m arrival rate", doc: { payments: { arrival: { rate: "0.0/m" } } }, verdict: "invalid", reason: "above zero" },
  { what: "a blank name", doc: { name: "   " }, verdict: "invalid", reason: "must not be empty" },
  { what: "an empty name", doc: { name: "" }, verdict: "invalid", reason: "must not be empty" },
  { what: "a window ending before it starts", doc: { faults: { webhook: { downtime: [window(4, 1)] } } }, verdict: "beyond-schema", reason: "from < to" },
  { what: "a window of no length", doc: { faults: { webhook: { downtime: [window(2, 2)] } } }, verdict: "beyond-schema", reason: "from < to" },
  { what: "lognormal with p95 below the median", doc: { settlement: { delay: "lognormal(median=8s, p95=2s)" } }, verdict: "beyond-schema", reason: "is impossible" },
  { what: "exponential with a zero mean", doc: { faults: { api: { latency: "exponential(mean=0s)" } } }, verdict: "beyond-schema", reason: "positive mean" },
  { what: "a duplicate strategy", doc: { strategies: ["polling", "polling"] }, verdict: "invalid", reason: "listed twice" },
  { what: "whitespace as an expectation", doc: { expect: ["  "] }, verdict: "invalid", reason: "must not be empty" },

  // Ranges JSON Schema cannot state on a string.
  { what: "a deadline of 8 days", doc: { deadline: "8d" }, verdict: "beyond-schema", reason: "above 0 and at most 7d" },
  { what: "a poll interval of 25 days", doc: { polling: { interval: "25d" } }, verdict: "beyond-schema", reason: "at most 7d" },
  { what: "a huge duration", doc: { deadline: `${"9".repeat(400)}ms` }, verdict: "beyond-schema", reason: "out of range" },
  { what: "a 2-minute network latency", doc: { network: { latency: "2m" } }, verdict: "beyond-schema", reason: "from 0 to 1m" },
  { what: "a long-poll wait past the provider's cap", doc: { "long-polling": { wait: "61s" } }, verdict: "beyond-schema", reason: "at most 1m" },
  { what: "a retry wait of 8 days", doc: { webhook: { retries: ["0s", "8d"] } }, verdict: "beyond-schema", reason: "from 0 to 7d" },
  { what: "a downtime window ending after 7 days", doc: { faults: { webhook: { downtime: [{ from: "1d", to: "8d" }] } } }, verdict: "beyond-schema", reason: "from 0 to 7d" },
  { what: "a distribution parameter past 7 days", doc: { settlement: { delay: "uniform(1s, 8d)" } }, verdict: "beyond-schema", reason: "its max is longer than 7d" },
  { what: "a rate under one an hour", doc: { provider: { rateLimit: "0.5/h" } }, verdict: "beyond-schema", reason: "from 1/h to 1,000,000/s" },
  { what: "a rate over a million a second", doc: { payments: { arrival: { rate: "2000000/s" } } }, verdict: "beyond-schema", reason: "from 1/h" },
  { what: "arrivals spread over more than 7 days", doc: { payments: { count: 1_000_000, arrival: { rate: "1/s" } } }, verdict: "beyond-schema", reason: "within 7d" },

  // Malformed strings: the schema's patterns refuse them too.
  ...["5 sec", "1e3ms", "-1s", "1.s", "1 hour", "", "ms", "2 d s", "0x10s"].map<Probe>((text) => ({ what: `duration ${JSON.stringify(text)}`, doc: { network: { jitter: text } }, verdict: "invalid", reason: "is not a duration" })),
  { what: "a zero interval", doc: { polling: { interval: "0s" } }, verdict: "invalid", reason: "longer than zero" },
  { what: "a zero interval written 00.0ms", doc: { hybrid: { reconcileEvery: "00.0ms" } }, verdict: "invalid", reason: "longer than zero" },
  { what: "a duration without a unit", doc: { deadline: 30 }, verdict: "invalid", reason: "has no unit" },
  ...["50", "50/d", "/s", "5/ms", "-5/s", "1e3/s", "fast"].map<Probe>((text) => ({ what: `rate ${JSON.stringify(text)}`, doc: { provider: { rateLimit: text } }, verdict: "invalid", reason: "is not a rate" })),
  ...["gaussian(2s)", "uniform(1s)", "fixed(2 sec)", "exponential(avg=2s)", "uniform(1s, 2s", "uniform(1s,,2s)", "Uniform(1s, 2s)", "soon"].map<Probe>((text) => ({
    what: `distribution ${JSON.stringify(text)}`,
    doc: { settlement: { delay: text } },
    verdict: "invalid",
  })),
  { what: "a retry schedule by a wrong name", doc: { webhook: { retries: "standrd" } }, verdict: "invalid", reason: `did you mean "standard"?` },
  { what: "an arrival by a wrong name", doc: { payments: { arrival: "steady" } }, verdict: "invalid", reason: "is not an arrival" },
  { what: "an arrival object without a rate", doc: { payments: { arrival: {} } }, verdict: "invalid", reason: `missing "rate"` },

  // Numbers out of range, negative, huge, of the wrong kind.
  { what: "a negative seed", doc: { seed: -1 }, verdict: "invalid", reason: "from 0 to 4,294,967,295" },
  { what: "seed 2^32", doc: { seed: 4_294_967_296 }, verdict: "invalid", reason: "from 0 to 4,294,967,295" },
  { what: "a huge seed", doc: { seed: 1e300 }, verdict: "invalid", reason: "is not a seed" },
  { what: "a fractional seed", doc: { seed: 1.5 }, verdict: "invalid", reason: "whole number" },
  { what: "no payments", doc: { payments: { count: 0 } }, verdict: "invalid", reason: "from 1 to 10,000,000" },
  { what: "more than ten million payments", doc: { payments: { count: 10_000_001 } }, verdict: "invalid", reason: "from 1 to 10,000,000" },
  { what: "speed 0", doc: { speed: 0 }, verdict: "invalid", reason: "from 1 to 10000" },
  { what: "speed 0.5 (slower than real time)", doc: { speed: 0.5 }, verdict: "invalid", reason: "from 1 to 10000" },
  { what: "speed 20000", doc: { speed: 20_000 }, verdict: "invalid", reason: "from 1 to 10000" },
  { what: "a negative failure rate", doc: { settlement: { failureRate: -0.1 } }, verdict: "invalid", reason: "from 0 to 1" },
  { what: "an error rate above 1", doc: { faults: { api: { errorRate: 1.01 } } }, verdict: "invalid", reason: "from 0 to 1" },

  // Wrong types.
  { what: "the seed as a string", doc: { seed: "42" }, verdict: "invalid", reason: "is not a seed" },
  { what: "the count as a string", doc: { payments: { count: "20" } }, verdict: "invalid", reason: "is not a payment count" },
  { what: "speed as a word", doc: { speed: "fast" }, verdict: "invalid", reason: "is not a speed" },
  { what: "strategies as a string", doc: { strategies: "polling" }, verdict: "invalid", reason: "must be a list" },
  { what: "an unknown strategy", doc: { strategies: ["polling", "webhok"] }, verdict: "invalid", reason: `did you mean "webhook"?` },
  { what: "expect as a string", doc: { expect: "webhook.latencyMs.p95 < 50ms" }, verdict: "invalid", reason: "must be a list" },
  { what: "an expectation as a number", doc: { expect: [5] }, verdict: "invalid", reason: "must be a string" },
  { what: "reorder as a word", doc: { faults: { webhook: { reorder: "yes" } } }, verdict: "invalid", reason: "true or false" },
  { what: "a section as null", doc: { faults: null }, verdict: "invalid", reason: "must be an object" },
  { what: "a section as a string", doc: { polling: "1s" }, verdict: "invalid", reason: "must be an object" },
  { what: "downtime as a string", doc: { faults: { webhook: { downtime: "1s-4s" } } }, verdict: "invalid", reason: "must be a list of windows" },
  { what: "retries as a number", doc: { webhook: { retries: 5 } }, verdict: "invalid", reason: "is not a retry schedule" },
  { what: "an unknown signature", doc: { webhook: { signature: "strip" } }, verdict: "invalid", reason: `did you mean "stripe"?` },
  { what: "a profile", doc: { profile: "github" }, verdict: "valid" },
  { what: "an unknown profile", doc: { profile: "githb" }, verdict: "invalid", reason: `did you mean "github"?` },
  { what: "a profile in capitals", doc: { profile: "Stripe" }, verdict: "invalid", reason: "a profile" },
  { what: "an unknown downtime mode", doc: { faults: { webhook: { downtime: [{ from: "1s", to: "2s", mode: "down" }] } } }, verdict: "invalid", reason: "a downtime mode" },
  { what: "a name as a number", doc: { name: 3 }, verdict: "invalid", reason: "must be a string" },
  { what: "a name with a terminal escape", doc: { name: "\u001b[2Jboo" }, verdict: "invalid", reason: "control character" },
  { what: "a name of 101 characters", doc: { name: "n".repeat(101) }, verdict: "invalid", reason: "longer than 100" },
  { what: "a list as the document", doc: [1, 2], verdict: "invalid", reason: "must be an object" },
  { what: "null as the document", doc: null, verdict: "invalid", reason: "must be an object" },

  // List lengths.
  { what: "no retry attempt", doc: { webhook: { retries: [] } }, verdict: "invalid", reason: "is empty" },
  { what: "101 retry attempts", doc: { webhook: { retries: waits(101) } }, verdict: "invalid", reason: "at most 100" },
  { what: "no strategy", doc: { strategies: [] }, verdict: "invalid", reason: "at least one strategy" },
  { what: "101 expectations", doc: { expect: Array.from({ length: 101 }, () => "*.payments.missed == 0") }, verdict: "invalid", reason: "at most 100" },
  { what: "101 downtime windows", doc: { faults: { webhook: { downtime: Array.from({ length: 101 }, (_, i) => window(2 * i, 2 * i + 1)) } } }, verdict: "invalid", reason: "at most 100" },

  ...UNKNOWN_KEYS.map<Probe>(([where, doc]) => ({ what: `an unknown key in ${where}`, doc, verdict: "invalid", reason: "unknown field" })),

  // Valid documents, at the edges of every range.
  { what: "the empty document", doc: {}, verdict: "valid" },
  { what: "seed 0", doc: { seed: 0 }, verdict: "valid" },
  { what: "seed 2^32 - 1", doc: { seed: 4_294_967_295 }, verdict: "valid" },
  { what: "a million payments arriving in 1 s", doc: { payments: { count: 1_000_000, arrival: { rate: "1000000/s" } } }, verdict: "valid" },
  { what: "168 payments at one an hour (exactly 7 days)", doc: { payments: { count: 168, arrival: { rate: "1/h" } } }, verdict: "valid" },
  { what: "speed 1 and 10000", doc: { speed: 10_000, deadline: "7d" }, verdict: "valid" },
  { what: "the longest durations", doc: { polling: { interval: "7d" }, webhook: { timeout: "168h", retries: ["0s", "7d"] }, "long-polling": { wait: "60s" }, network: { latency: "1m", jitter: "60s" } }, verdict: "valid" },
  { what: "bare zeros", doc: { network: { latency: 0, jitter: "0" }, settlement: { delay: 0 } }, verdict: "valid" },
  { what: "padded strings", doc: { deadline: " 2s ", settlement: { delay: " uniform( 1s ,2s ) " }, provider: { rateLimit: " 10 / s " } }, verdict: "valid" },
  { what: "a degenerate uniform", doc: { settlement: { delay: "uniform(2s, 2s)" } }, verdict: "valid" },
  { what: "windows that touch, in any order", doc: { faults: { webhook: { downtime: [window(2, 3), { ...window(1, 2), mode: 503 }] } } }, verdict: "valid" },
  { what: "100 retry waits", doc: { webhook: { retries: waits(100) } }, verdict: "valid" },
  { what: "a name of 100 characters", doc: { name: "n".repeat(100) }, verdict: "valid" },
  { what: "every strategy once", doc: { strategies: ["polling", "polling-backoff", "conditional", "long-polling", "sse", "webhook", "hybrid"] }, verdict: "valid" },
];
