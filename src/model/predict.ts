import { PaymentDraws } from "../scenario/plan.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { MAX_WAIT_MS } from "../api/limits.js";
import { PlanAnswer, walkDeliveries, type DeliveryRules } from "../policy/delivery.js";
import { inTime, RunEnd } from "../policy/outcome.js";
import { backoffOf, BackoffDraws, firstSeeingPoll, nextFixedSlot } from "../policy/polling.js";
import type { ModelPrediction } from "../contract/result.js";

export type Prediction = ModelPrediction;

/**
 * Predictions use the very delays the provider will draw (payment #i settles after D_i), so the
 * only gap between model and measurement is what the model leaves out: request processing, timer
 * drift and the event loop. With one-way network delay d (latency plus half the jitter) and poll
 * interval T, the shop learns a payment's id d after creation, its k-th poll reaches the provider
 * at 2d + kT and the answer is back at 3d + kT; the first poll to see the settlement is
 * k = ⌈(D − 2d)/T⌉. Every decision (the next slot, the backoff's sleeps, the retry walk) is the
 * one both engines make (src/policy/).
 *
 * The deadline counts as it does in a run: a payment known later than its deadline is missed and
 * the requests that brought it are wasted; the run ends once every outcome is known or a deadline
 * past the last creation, and requests are counted up to then.
 *
 * A strategy whose cost depends on timing the model does not capture (429s, injected 5xx, the
 * hybrid's reconciliation over the run's length) gets null rather than a made-up figure.
 *
 * `draws`, when the caller has them (the virtual clock does), must be the scenario's own; the
 * model walks each payment once or twice and keeps no per-payment array of its own.
 */
export function predict(scenario: Scenario, name: StrategyName, draws?: PaymentDraws): Prediction | null {
  const api = scenario.faults.api;
  const apiIsClean = scenario.provider.rateLimitPerSecond === null && api.errorRate === 0 && api.latency === null;
  if (name === "hybrid" || (name !== "webhook" && !apiIsClean)) return null;
  const plan = new Plan(scenario, draws ?? new PaymentDraws(scenario));
  const walk = walkerFor(scenario, name, plan);
  const { n } = plan;
  const runEnd = new RunEnd(plan.cutoff);
  const tally = new ModelTally(name === "webhook" || name === "sse" ? 1 : 0);
  cut = NaN;
  latestAttempt = -Infinity;
  for (let i = 0; i < n; i++) {
    const at = walk(i, plan.cutoff);
    runEnd.add(at);
    tally.add(name, plan, i, at);
  }
  const end = runEnd.at;
  let { requests, known, latency } = tally;
  // A poll's walk stops at its detection, so when every outcome is known before the cutoff the
  // first pass saw every request of the run. Otherwise walk again up to the end: the run ends at
  // the cutoff, and a request reaching the provider exactly then meets the run's end and is not
  // counted. A webhook's walk can go on past its first delivery (retries, a duplicate): again
  // unless every attempt it saw arrived by the end.
  if (end === plan.cutoff || latestAttempt > end) {
    cut = end === plan.cutoff ? end : NaN;
    const again = new ModelTally(tally.base);
    for (let i = 0; i < n; i++) again.add(name, plan, i, walk(i, end), end);
    ({ requests, known, latency } = again);
  }
  // Each detection is its own useful request, except on a stream: one connection brings them all.
  const useful = name === "sse" ? Math.min(known, 1) : known;
  return {
    requests: { total: requests, wasted: requests - useful },
    latencyMs: { mean: known > 0 ? latency / known : 0 },
    basis: basisOf(name, name === "webhook" && requests === n + 1),
  };
}

/** What the walks found: requests that reached the provider, outcomes known in time and their latencies. */
class ModelTally {
  requests: number;
  known = 0;
  latency = 0;

  constructor(readonly base: number) {
    this.requests = base;
  }

  /** Payment i's walk, which found `at` and counted `walked` requests, in a run ending at `end`. */
  add(name: StrategyName, plan: Plan, i: number, at: number, end = Infinity): void {
    if (name !== "sse") this.requests += walked;
    if (at <= end && inTime(at, plan.createdAt(i), plan.scenario.deadlineMs)) {
      this.known++;
      this.latency += at - plan.settleAt(i);
    }
  }
}

/** Requests the last walk counted (scratch, so walks allocate nothing). */
let walked = 0;
/** The latest webhook attempt the walks saw reach the endpoint (scratch, as `walked`). */
let latestAttempt = -Infinity;
/** The run's cutoff when it ends there (NaN otherwise): see past(). */
let cut = NaN;

/** Whether a request reaching the provider at `reach` comes too late for a run ending at `horizon`. */
function past(reach: number, horizon: number): boolean {
  return reach > horizon || reach === cut;
}

/** Payment i's detection time by `horizon` (NaN: none), with `walked` set to its requests that reached the provider by then. */
type Walk = (i: number, horizon: number) => number;

/** The scenario's draws on the model's clock: constant delays d, no machine. Times computed per payment, not stored. */
class Plan {
  readonly n: number;
  readonly d: number;
  readonly cutoff: number;
  private readonly offsets: Float64Array;
  private readonly delayMs: Float64Array;

  constructor(
    readonly scenario: Scenario,
    draws: PaymentDraws,
  ) {
    this.n = draws.n;
    this.d = scenario.network.latencyMs + scenario.network.jitterMs / 2;
    this.offsets = draws.offsets;
    this.delayMs = draws.delayMs;
    let last = 0;
    for (let i = 0; i < this.n; i++) last = Math.max(last, this.anchor(i));
    this.cutoff = last + scenario.deadlineMs;
  }

  createdAt(i: number): number {
    return this.offsets[i]! + this.d;
  }

  /** When the shop learns payment i's id: its polls count from here. */
  anchor(i: number): number {
    return this.createdAt(i) + this.d;
  }

  settleAt(i: number): number {
    return this.createdAt(i) + this.delayMs[i]!;
  }
}

function walkerFor(scenario: Scenario, name: StrategyName, plan: Plan): Walk {
  const { d } = plan;
  const T = scenario.polling.intervalMs;
  switch (name) {
    case "polling":
    case "conditional":
      return (i, horizon) => {
        const a = plan.anchor(i);
        const s = plan.settleAt(i);
        if (2 * d <= T) {
          // Every answer is back before the next slot: the closed form.
          const k = firstSeeingPoll(a, s, T, d, 0);
          const reach = a + k * T + d;
          if (!past(reach, horizon)) {
            walked = k + 1;
            return reach + d;
          }
          walked = horizon >= a + d ? Math.floor((horizon - a - d) / T) + 1 : 0;
          if (walked > 0 && past(a + (walked - 1) * T + d, horizon)) walked--;
          return NaN;
        }
        walked = 0;
        for (let k = 0; ; ) {
          const reach = a + k * T + d;
          if (past(reach, horizon)) return NaN;
          walked++;
          if (reach >= s) return reach + d;
          k = nextFixedSlot(a, k, T, reach + d);
        }
      };
    case "polling-backoff": {
      const { baseMs, capMs } = backoffOf(scenario);
      const draws = new BackoffDraws(scenario.seed, baseMs, capMs);
      return (i, horizon) => {
        const s = plan.settleAt(i);
        walked = 0;
        for (let leave = plan.anchor(i), step = 0; ; ) {
          const reach = leave + d;
          if (past(reach, horizon)) return NaN;
          walked++;
          if (reach >= s) return reach + d;
          leave = reach + d + draws.sleepMs(i, step++);
        }
      };
    }
    case "long-polling": {
      const W = Math.min(scenario.longPolling.waitMs, MAX_WAIT_MS);
      return (i, horizon) => {
        const s = plan.settleAt(i);
        walked = 0;
        for (let leave = plan.anchor(i); ; ) {
          const reach = leave + d;
          if (past(reach, horizon)) return NaN;
          walked++;
          if (s <= reach + W) return Math.max(reach, s) + d;
          leave = reach + W + d;
        }
      };
    }
    case "sse":
      return (i, horizon) => {
        walked = 0;
        const at = plan.settleAt(i) + d;
        return at <= horizon ? at : NaN;
      };
    case "webhook": {
      const rules: DeliveryRules = { seed: scenario.seed, faults: scenario.faults.webhook, retriesMs: scenario.webhook.retriesMs, oneWay: () => d };
      let first = NaN;
      const visit = (_chain: number, _attempt: number, at: number, answer: number) => {
        if (at > latestAttempt) latestAttempt = at;
        if (answer !== PlanAnswer.refused) walked++;
        if (answer === PlanAnswer.accepted && !(first <= at)) first = at;
      };
      return (i, horizon) => {
        walked = 0;
        first = NaN;
        walkDeliveries(rules, i, plan.settleAt(i), plan.createdAt(0), horizon, visit);
        return first;
      };
    }
    default:
      throw new Error(`no model for ${name}`);
  }
}

function basisOf(name: StrategyName, sunnyWebhook: boolean): string {
  switch (name) {
    case "polling":
      return "⌈D/T⌉ + 1 polls per payment; waits T/2 on average, plus the network";
    case "conditional":
      return "the same polls as fixed polling (⌈D/T⌉ + 1 per payment); only the bytes shrink, 304s carrying no body";
    case "polling-backoff":
      return "the seeded full-jitter sleeps replayed: poll until a poll reaches the provider after D";
    case "long-polling":
      return "one held request per wait window a payment stays pending, plus the one that answers; told within d";
    case "sse":
      return "one stream for every payment (no drops); each event travels one way";
    default:
      return sunnyWebhook
        ? "one delivery per payment (no retries on a sunny day), one registration; latency is the one-way delay"
        : "the seeded fault plan walked attempt by attempt (retries, duplicates, outages; each answer one way back), one registration";
  }
}
