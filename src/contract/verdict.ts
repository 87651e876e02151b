import type { CheckDocument, CheckResult, CompareDocument, CompareResult, Criterion, RankEntry, ScenarioCheckDocument, StrategyResult } from "./result.js";
import type { StrategyName } from "../scenario/types.js";
import { formatBytes, formatCount, formatDecimal, formatMs, plural } from "./format.js";
import { formatDurationShort } from "../scenario/duration.js";

/**
 * The verdict as a decision (README, "The verdict and the recommendation"). Strategies are compared
 * pairwise on five criteria, in this order, and the first criterion on which two differ by more
 * than the run's noise decides between them:
 *
 *   1. correctness: fewer payments missed (a duplicate delivery is recognised by its id and
 *      processed once, so it duplicates no payment: the verdict names it, its cost is in requests);
 *   2. latency: a lower detection latency p95;
 *   3. requests per payment; 4. bytes per payment;
 *   5. connections held: fewer requests held open at the provider.
 *
 * Noise: with `--repeat n`, two figures differ when they are more than two standard errors of their
 * difference apart, 2·√((sd₁² + sd₂²)/n). Without it: missed payments and connections differ when
 * they are not equal; latencies differ by more than 10 % of the larger and, on the real
 * clock, more than the larger of 1 ms and the worse event-loop delay p99 of the two runs; requests
 * and bytes per payment by more than 10 % of the larger.
 *
 * The ranking orders strategies by wins minus losses over all the others; the rules cannot tell
 * tied strategies apart, and the one with fewer moving parts goes first (client-only before an
 * endpoint, an endpoint before an endpoint plus a reconciliation job). The recommendation names the
 * first, and the criterion on which it beat the best of the rest.
 */

/** What the verdict reads; the scenario and the clock refine wording and noise when present. */
export type DecisionInput = Pick<CompareResult, "strategies"> & Partial<Pick<CompareResult, "repeat" | "clock" | "scenario" | "partial">>;

export interface Decision {
  verdict: string;
  recommendation: string;
  ranking: RankEntry[];
}

/** Ties go to the strategy with fewer moving parts: client-only first, then an endpoint, then an endpoint plus reconciliation. */
export const SIMPLER_FIRST: readonly StrategyName[] = ["polling", "conditional", "polling-backoff", "long-polling", "sse", "webhook", "hybrid"];

/** Without `--repeat`: a gap under this share of the larger figure is within a single run's noise. */
export const RELATIVE_NOISE = 0.1;
/** Without `--repeat`, on the real clock: latency gaps under this many ms are timer and scheduling jitter. */
export const LATENCY_FLOOR_MS = 1;

type Metric = "missed" | "p95" | "requests" | "bytes" | "connections";
const ORDER: ReadonlyArray<[Metric, Criterion]> = [
  ["missed", "correctness"],
  ["p95", "latency"],
  ["requests", "requests"],
  ["bytes", "bytes"],
  ["connections", "connections"],
];

function value(metric: Metric, s: StrategyResult): number {
  switch (metric) {
    case "missed":
      return s.payments.missed;
    case "p95":
      return s.latencyMs?.p95 ?? Infinity;
    case "requests":
      return s.requests.perPayment;
    case "bytes":
      return s.bytes.total / Math.max(1, s.payments.total);
    case "connections":
      return s.load?.connectionsHeld ?? 0;
  }
}

/** The run's noise for each figure, from `--repeat` when given, else the stated rule. */
class Noise {
  constructor(private readonly input: DecisionInput) {}

  private sd(metric: Metric, s: StrategyResult): number {
    const spread = this.input.repeat?.stddev.find((x) => x.name === s.name);
    if (!spread) return 0;
    const payments = Math.max(1, s.payments.total);
    switch (metric) {
      case "missed":
        return spread.payments.missed;
      case "p95":
        return spread.latencyMs?.p95 ?? 0;
      case "requests":
        return spread.requests.total / payments;
      case "bytes":
        return spread.bytes.total / payments;
      default:
        return 0;
    }
  }

  /** True when a and b are within the run's noise on this figure. */
  same(metric: Metric, a: StrategyResult, b: StrategyResult): boolean {
    const x = value(metric, a);
    const y = value(metric, b);
    if (x === y) return true;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const gap = Math.abs(x - y);
    const repeat = this.input.repeat;
    if (repeat && repeat.runs > 1) {
      const sa = this.sd(metric, a);
      const sb = this.sd(metric, b);
      return gap <= 2 * Math.sqrt((sa * sa + sb * sb) / repeat.runs) + 1e-9;
    }
    switch (metric) {
      case "missed":
      case "connections":
        return gap < 1e-9;
      case "p95": {
        const floor = this.input.clock === "virtual" ? 0 : Math.max(LATENCY_FLOOR_MS, loopDelay(a), loopDelay(b));
        return gap <= Math.max(RELATIVE_NOISE * Math.max(x, y), floor);
      }
      default:
        return gap <= RELATIVE_NOISE * Math.max(x, y);
    }
  }
}

/** The worse event-loop delay p99 of a run's two sides: what the machine itself may have added to a latency. */
function loopDelay(s: StrategyResult): number {
  const h = s.health;
  if (!h) return 0;
  return Math.max(h.consumer.eventLoopDelayMs.p99, h.provider?.eventLoopDelayMs.p99 ?? 0);
}

interface Outcome {
  /** The better of the two, or null when no criterion tells them apart. */
  better: StrategyResult | null;
  criterion: Criterion | null;
}

function compare(noise: Noise, a: StrategyResult, b: StrategyResult): Outcome {
  for (const [metric, criterion] of ORDER) {
    if (noise.same(metric, a, b)) continue;
    return { better: value(metric, a) < value(metric, b) ? a : b, criterion };
  }
  return { better: null, criterion: null };
}

/** Ascending by a figure; equal figures in the order of fewer moving parts. */
function by(figure: (s: StrategyResult) => number): (a: StrategyResult, b: StrategyResult) => number {
  return (a, b) => figure(a) - figure(b) || simplicity(a.name) - simplicity(b.name);
}

function simplicity(name: StrategyName): number {
  const i = SIMPLER_FIRST.indexOf(name);
  return i < 0 ? SIMPLER_FIRST.length : i;
}

/** Every strategy, best first, with the criterion that put each below the one above it. */
export function rank(input: DecisionInput): RankEntry[] {
  const noise = new Noise(input);
  const all = input.strategies;
  const score = new Map<StrategyResult, number>();
  for (const a of all) {
    let s = 0;
    for (const b of all) {
      if (a === b) continue;
      const { better } = compare(noise, a, b);
      if (better === a) s++;
      else if (better === b) s--;
    }
    score.set(a, s);
  }
  const sorted = [...all].sort((a, b) => {
    const d = score.get(b)! - score.get(a)!;
    if (d !== 0) return d;
    const { better } = compare(noise, a, b);
    if (better === a) return -1;
    if (better === b) return 1;
    return simplicity(a.name) - simplicity(b.name);
  });
  const entries: RankEntry[] = [];
  sorted.forEach((s, i) => {
    const above = sorted[i - 1];
    const outcome = above ? compare(noise, above, s) : { better: null, criterion: null };
    const tied = above !== undefined && outcome.better === null;
    entries.push({
      rank: tied ? entries[i - 1]!.rank : i + 1,
      name: s.name,
      missed: s.payments.missed,
      duplicates: s.payments.duplicates,
      latencyP95Ms: s.latencyMs?.p95 ?? null,
      requestsPerPayment: s.requests.perPayment,
      bytesPerPayment: s.bytes.total / Math.max(1, s.payments.total),
      connectionsHeld: s.load?.connectionsHeld ?? 0,
      decidedBy: tied ? null : outcome.criterion,
    });
  });
  return entries;
}

/** The verdict, the recommendation and the ranking of a run, all computed from the result alone. */
export function decide(input: DecisionInput): Decision {
  const ranking = rank(input);
  return { verdict: verdictOf(input), recommendation: recommend(input, ranking), ranking };
}

/** The verdict: correctness, then latency at p95, then requests and bytes per payment, then connections held. */
export function verdict(input: DecisionInput): string {
  return verdictOf(input);
}

export function recommendation(input: DecisionInput): string {
  return recommend(input, rank(input));
}

// ---------------------------------------------------------------------------------------------
// The verdict's sentences

function verdictOf(input: DecisionInput): string {
  const all = input.strategies;
  if (all.length === 0) return "No strategy ran.";
  if (all.length === 1) return `${alone(all[0]!)}.`;
  const noise = new Noise(input);
  const sentences = [correctness(all, input), latency(all, noise), traffic(all, noise), held(all), reconciliation(all)];
  return sentences.filter((s) => s !== "").join(" ");
}

/** `polling learned 20 of 20 outcomes with 5.90 requests per payment, p95 951.2 ms` */
function alone(s: StrategyResult): string {
  const { detected, total } = s.payments;
  const requests = `${formatDecimal(s.requests.perPayment)} requests per payment`;
  if (s.latencyMs === null) return `${s.name} detected nothing (0 of ${count(total)} ${plural(total, "outcome")}, ${requests})`;
  return `${s.name} learned ${count(detected)} of ${count(total)} ${plural(total, "outcome")} with ${requests}, p95 ${formatMs(s.latencyMs.p95)}`;
}

/** Who missed payments (and why), who received duplicates; or that every strategy learned every outcome. */
function correctness(all: StrategyResult[], input: DecisionInput): string {
  const total = all[0]!.payments.total;
  const average = input.repeat && input.repeat.runs > 1 ? " on average" : "";
  const missing = all.filter((s) => s.payments.missed > 0).sort((a, b) => b.payments.missed - a.payments.missed);
  const parts: string[] = [];
  if (missing.length === 0) {
    parts.push(`${all.length === 2 ? "Both" : `All ${all.length}`} learned all ${count(total)} outcomes${average}.`);
  } else {
    const missed = missing.map((s) =>
      s.latencyMs === null ? `${s.name} detected nothing (0 of ${count(s.payments.total)})` : `${s.name} missed ${count(s.payments.missed)} of ${count(s.payments.total)} ${plural(s.payments.total, "payment")}${why(s)}`,
    );
    const clean = all.filter((s) => s.payments.missed === 0);
    const rest = clean.length === 0 ? "" : `; ${clean.length <= 2 ? joinNames(clean.map((s) => s.name)) : `the other ${clean.length}`} missed none`;
    parts.push(`${joinList(missed)}${average}${rest}.`);
  }
  const duplicated = all.filter((s) => s.payments.duplicates > 0);
  if (duplicated.length > 0) {
    const list = duplicated.map((s) => `${s.name} ${count(s.payments.duplicates)}`);
    parts.push(`Duplicate deliveries, recognised by id and processed once: ${joinList(list)}.`);
  }
  return parts.join(" ");
}

const MISS_WORDS = { "retries-exhausted": "retries ran out", "endpoint-disabled": "endpoint disabled", deadline: "not known by the deadline" } as const;

/** ` (retries ran out)`, ` (5 retries ran out, 2 not known by the deadline)`. */
function why(s: StrategyResult): string {
  const reasons = Object.entries(s.payments.missedByReason ?? {}).filter(([, n]) => n > 0) as Array<[keyof typeof MISS_WORDS, number]>;
  if (reasons.length === 0) return "";
  if (reasons.length === 1) return ` (${MISS_WORDS[reasons[0]![0]]})`;
  return ` (${reasons.map(([reason, n]) => `${count(n)} ${MISS_WORDS[reason]}`).join(", ")})`;
}

/** Latency at p95 as absolute gaps from the soonest strategy, "about the same" within the noise. */
function latency(all: StrategyResult[], noise: Noise): string {
  const detecting = all.filter((s) => s.latencyMs !== null);
  if (detecting.length < 2) return "";
  const sorted = [...detecting].sort(by((s) => s.latencyMs!.p95));
  const leader = sorted[0]!;
  const p95 = (s: StrategyResult) => formatMs(s.latencyMs!.p95);
  const same = sorted.slice(1).filter((s) => noise.same("p95", leader, s));
  const later = sorted.slice(1).filter((s) => !same.includes(s));
  if (detecting.length === 2) {
    const other = sorted[1]!;
    if (same.length === 1) return `Latency about the same: p95 ${p95(leader)} (${leader.name}) and ${p95(other)} (${other.name}).`;
    return `${leader.name} learned outcomes sooner: p95 ${gap(other.latencyMs!.p95 - leader.latencyMs!.p95)} sooner than ${other.name} (${p95(leader)} vs ${p95(other)}).`;
  }
  const parts = [`${leader.name} learned outcomes soonest (p95 ${p95(leader)})`];
  if (same.length > 0) parts.push(`about the same: ${joinNames(same.map((s) => s.name))}`);
  if (later.length > 0) parts.push(`later at p95: ${later.map((s) => `${s.name} by ${gap(s.latencyMs!.p95 - leader.latencyMs!.p95)}`).join(", ")}`);
  return `${parts.join("; ")}.`;
}

/** Requests and bytes per payment. */
function traffic(all: StrategyResult[], noise: Noise): string {
  const perPayment = (s: StrategyResult) => s.bytes.total / Math.max(1, s.payments.total);
  if (all.length > 2) {
    const byRequests = [...all].sort(by((s) => s.requests.perPayment));
    const byBytes = [...all].sort(by(perPayment));
    return (
      `Requests per payment: ${byRequests.map((s) => `${s.name} ${formatDecimal(s.requests.perPayment)}`).join(", ")}; ` +
      `bytes per payment: ${byBytes.map((s) => `${s.name} ${formatBytes(perPayment(s))}`).join(", ")}.`
    );
  }
  const [a, b] = all as [StrategyResult, StrategyResult];
  const requests = pairClause(noise, "requests", a, b, (s) => formatDecimal(s.requests.perPayment), (s) => s.requests.perPayment, "needed", "requests per payment", (d) => `${formatDecimal(d)} fewer`);
  const bytes = pairClause(noise, "bytes", a, b, (s) => formatBytes(perPayment(s)), perPayment, "moved", "per payment", (d) => `${formatBytes(d)} less`);
  if (requests.same && bytes.same) return `Requests and bytes per payment about the same (${requests.figures}; ${bytes.figures}).`;
  if (requests.same) return `About as many requests per payment (${requests.figures}); ${bytes.text}.`;
  if (bytes.same) return `${requests.text}; about as many bytes per payment (${bytes.figures}).`;
  if (requests.leader === bytes.leader) return `${requests.text}, and ${bytes.text.replace(`${bytes.leader} `, "")}.`;
  return `${requests.text}; ${bytes.text}.`;
}

function pairClause(
  noise: Noise,
  metric: Metric,
  a: StrategyResult,
  b: StrategyResult,
  shown: (s: StrategyResult) => string,
  raw: (s: StrategyResult) => number,
  verb: string,
  what: string,
  difference: (d: number) => string,
): { same: boolean; text: string; figures: string; leader: string } {
  const [lo, hi] = raw(a) <= raw(b) ? [a, b] : [b, a];
  return {
    same: noise.same(metric, a, b),
    text: `${lo.name} ${verb} ${shown(lo)} ${what} against ${hi.name}'s ${shown(hi)} (${difference(raw(hi) - raw(lo))})`,
    figures: `${shown(a)} and ${shown(b)}`,
    leader: lo.name,
  };
}

/** Requests the provider held open, when any strategy held some. */
function held(all: StrategyResult[]): string {
  const holding = all.filter((s) => (s.load?.connectionsHeld ?? 0) > 0).sort((a, b) => b.load.connectionsHeld - a.load.connectionsHeld);
  if (holding.length === 0) return "";
  const list = holding.map((s) => `${s.name} up to ${count(s.load.connectionsHeld)}`);
  const rest = all.length - holding.length;
  return `Requests held open at the provider: ${joinList(list)}${rest > 0 ? `; ${rest === 1 ? all.find((s) => !holding.includes(s))!.name : `the other ${rest}`} none` : ""}.`;
}

/** A hybrid that made no reconciliation request was plain webhooks in this run: say so, lest it be credited. */
function reconciliation(all: StrategyResult[]): string {
  const hybrid = all.find((s) => s.name === "hybrid");
  if (!hybrid || hybrid.requests.consumerToProvider > 1) return "";
  return "hybrid ran no reconciliation round: every outcome it learned came by webhook.";
}

// ---------------------------------------------------------------------------------------------
// The recommendation

/** What to do, in a user's words, for each strategy. */
function action(s: StrategyName, input: DecisionInput): string {
  const every = (ms: number | undefined) => (ms === undefined ? "" : ` every ${spaced(ms)}`);
  switch (s) {
    case "polling":
      return `poll${every(input.scenario?.pollIntervalMs)}`;
    case "conditional":
      return `poll${every(input.scenario?.pollIntervalMs)} with conditional requests (ETag)`;
    case "polling-backoff":
      return "poll with backoff (polling-backoff)";
    case "long-polling":
      return "long-poll (long-polling)";
    case "sse":
      return "subscribe to the provider's event stream (sse)";
    case "webhook":
      return "use webhooks";
    case "hybrid":
      return `use webhooks and reconcile${every(input.scenario?.reconcileEveryMs)} (hybrid)`;
  }
}

function recommend(input: DecisionInput, ranking: RankEntry[]): string {
  const advice = recommendFrom(input, ranking);
  // Figures of a run cut short cover only part of the scenario: say so where the advice is read.
  return input.partial && !advice.startsWith("nothing") ? `${advice} (from a run cut short)` : advice;
}

function recommendFrom(input: DecisionInput, ranking: RankEntry[]): string {
  const all = input.strategies;
  if (all.length === 0) return input.partial ? "nothing to recommend: the run was interrupted before any strategy ran" : "nothing to recommend: no strategy ran";
  if (all.every((s) => s.latencyMs === null))
    return input.partial ? "nothing to recommend: the run was interrupted before any outcome was known" : "nothing to recommend: no strategy learned any outcome (is the deadline long enough?)";
  if (all.length === 1) return `only ${all[0]!.name} ran: compare it with another (--strategies ${all[0]!.name === "webhook" ? "polling,webhook" : `${all[0]!.name},webhook`})`;
  const byName = (name: StrategyName) => all.find((s) => s.name === name)!;
  const winner = byName(ranking[0]!.name);
  const next = ranking.find((e) => e.rank !== ranking[0]!.rank);
  const still = winner.payments.missed > 0 ? ` (it still missed ${count(winner.payments.missed)} of ${count(winner.payments.total)}: no strategy learned every outcome)` : "";
  if (!next) {
    const others = ranking.slice(1).map((e) => e.name);
    return `${action(winner.name, input)}: ${joinNames(others)} did about as well here, and ${winner.name} has fewer moving parts${still}`;
  }
  const runnerUp = byName(next.name);
  const noise = new Noise(input);
  const { criterion } = compare(noise, winner, runnerUp);
  return `${action(winner.name, input)}: ${reason(criterion!, winner, runnerUp, noise)}${still}`;
}

function reason(criterion: Criterion, winner: StrategyResult, other: StrategyResult, noise: Noise): string {
  const name = winner.name === "hybrid" && other.name === "webhook" ? "webhooks alone" : other.name;
  const morePerPayment = other.requests.perPayment - winner.requests.perPayment;
  const cheaper = !noise.same("requests", winner, other) && morePerPayment > 0;
  const dearer = !noise.same("requests", winner, other) && morePerPayment < 0;
  const requests = cheaper ? ` and needed ${formatDecimal(morePerPayment)} more requests per payment` : "";
  const price = dearer ? `; it costs ${formatDecimal(-morePerPayment)} more requests per payment` : "";
  switch (criterion) {
    case "correctness": {
      const missed = other.latencyMs === null ? `${name} detected nothing` : `${name} missed ${count(other.payments.missed)} of ${count(other.payments.total)}${why(other)}`;
      return `${missed}${requests}${price}`;
    }
    case "latency":
      // With --repeat a latency is null when any run detected nothing, though the mean missed may be below the total.
      if (other.latencyMs === null) return `${name} learned no outcome in at least one run${requests}${price}`;
      return `${name} learned outcomes ${gap(other.latencyMs.p95 - (winner.latencyMs?.p95 ?? 0))} later at p95${requests}${price}`;
    case "requests":
      return `${name} needed ${formatDecimal(morePerPayment)} more requests per payment at about the same latency`;
    case "bytes":
      return `${name} moved ${formatBytes(other.bytes.total / Math.max(1, other.payments.total) - winner.bytes.total / Math.max(1, winner.payments.total))} more per payment at about the same latency and requests`;
    case "connections":
      return `${name} held up to ${count(other.load.connectionsHeld)} ${plural(other.load.connectionsHeld, "request")} open at the provider for about the same latency and traffic`;
  }
}

/**
 * The ranking in one line, for three strategies or more (with two, the recommendation says it all):
 * `Ranking: 1 sse · 2 long-polling (requests) · 3 webhook = hybrid (bytes) · 5 polling (latency)`,
 * ties joined by `=`, each group with the criterion that put it below the one before.
 */
export function rankingLine(ranking: RankEntry[]): string | null {
  if (ranking.length < 3) return null;
  const groups: RankEntry[][] = [];
  for (const e of ranking) {
    const last = groups.at(-1);
    if (last && last[0]!.rank === e.rank) last.push(e);
    else groups.push([e]);
  }
  return `Ranking: ${groups.map((g) => `${g[0]!.rank} ${g.map((e) => e.name).join(" = ")}${g[0]!.decidedBy ? ` (${g[0]!.decidedBy})` : ""}`).join(" · ")}`;
}

// ---------------------------------------------------------------------------------------------
// Words and figures

/** A latency gap in two significant figures: `0.95 s`, `12 ms`, `1.1 ms`, `2.5 min`. */
export function gap(ms: number): string {
  const a = Math.abs(ms);
  const two = (x: number) => String(Number(x.toPrecision(2)));
  if (a >= 60_000) return `${two(a / 60_000)} min`;
  if (a >= 500) return `${two(a / 1000)} s`;
  if (a < 0.01) return "0 ms";
  return `${two(a)} ms`;
}

/** `250 ms`, `1 s`, `5 min`: a scenario duration as prose writes it. */
function spaced(ms: number): string {
  const m = /^([\d.]+)([a-z]+)$/.exec(formatDurationShort(ms));
  return m ? `${m[1]} ${m[2] === "m" ? "min" : m[2]}` : formatMs(ms);
}

/** Whole counts grouped; the means of `--repeat` to one decimal. */
function count(n: number): string {
  return Number.isInteger(n) ? formatCount(n) : n.toFixed(1);
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Clauses that may hold commas themselves: joined by commas, the last by "and". */
function joinList(items: string[]): string {
  return joinNames(items);
}

// ---------------------------------------------------------------------------------------------
// The documents

/**
 * The compare result as its JSON document: every field in the run's order, the verdict, the
 * recommendation and the ranking right after the strategies (where the verdict has always been).
 */
export function compareDocument(result: CompareResult): CompareDocument {
  const { verdict, recommendation, ranking } = decide(result);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    out[k] = v;
    if (k === "strategies") Object.assign(out, { verdict, recommendation, ranking });
  }
  return out as unknown as CompareDocument;
}

/** The check result as its JSON document: each scenario that ran gets its verdict and recommendation after its expectations. */
export function checkDocument(check: CheckResult): CheckDocument {
  const scenarios = check.scenarios.map(({ result, ...entry }): ScenarioCheckDocument => {
    if (!result) return entry;
    const { verdict, recommendation } = decide(result);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entry)) {
      out[k] = v;
      if (k === "expectations") Object.assign(out, { verdict, recommendation });
    }
    return { ...(out as unknown as ScenarioCheckDocument), result: compareDocument(result) };
  });
  return { ...check, scenarios };
}
