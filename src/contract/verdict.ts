import type { CheckDocument, CheckResult, CompareDocument, CompareResult, ScenarioCheckDocument, StrategyResult } from "./result.js";
import { formatCount, formatMs, formatRatio } from "./format.js";

/** A p50 of zero would make "times sooner" infinite; treat it as one microsecond. */
const MIN_P50_MS = 0.001;

/**
 * One sentence, in numbers, comparing the strategy that learned outcomes soonest with the
 * baseline (`polling` when it ran, else the first strategy):
 * `webhook needed 5.1× fewer requests and learned each outcome 740× sooner (p50: 0.61 ms vs 452.0 ms).`
 */
export function verdict(result: Pick<CompareResult, "strategies">): string {
  const all = result.strategies;
  if (all.length === 0) return "no strategy ran.";
  if (all.length === 1) return `${alone(all[0]!)}.`;

  const baseline = all.find((s) => s.name === "polling") ?? all[0]!;
  const others = all.filter((s) => s !== baseline);
  const detecting = others.filter((s) => s.latencyMs !== null);

  if (baseline.latencyMs === null && detecting.length === 0) {
    return `${joinNames(all.map((s) => s.name))} detected nothing.`;
  }
  if (detecting.length === 0) {
    // Only the baseline learned anything: say who detected nothing, then describe the baseline.
    return `${joinNames(others.map((s) => s.name))} detected nothing; ${alone(baseline)}${notes(all, [...others, baseline])}.`;
  }
  const challenger = detecting.reduce((best, s) => (s.latencyMs!.p50 < best.latencyMs!.p50 ? s : best));
  if (baseline.latencyMs === null) {
    return `${baseline.name} detected nothing; ${alone(challenger)}${notes(all, [baseline, challenger])}.`;
  }

  const requests = compareRequests(challenger, baseline, all.length > 2);
  const latency = compareLatency(challenger.latencyMs!.p50, baseline.latencyMs.p50);
  const joiner = requests.sign * latency.sign < 0 ? "but" : "and";
  const baselineBest = baseline.latencyMs.p50 < challenger.latencyMs!.p50 ? `${baseline.name} learned outcomes soonest; ` : "";
  return `${baselineBest}${challenger.name} needed ${requests.text} ${joiner} learned each outcome ${latency.text}${notes(all, [])}.`;
}

interface Phrase {
  text: string;
  /** +1 when the challenger does better than the baseline, -1 when worse, 0 when even. */
  sign: number;
}

function compareRequests(challenger: StrategyResult, baseline: StrategyResult, nameBaseline: boolean): Phrase {
  const c = challenger.requests.total;
  const b = baseline.requests.total;
  const than = nameBaseline ? ` than ${baseline.name}` : "";
  if (c === b) return { text: `as many requests as ${baseline.name} (${formatCount(c)})`, sign: 0 };
  if (c === 0) return { text: `no requests (${baseline.name}: ${formatCount(b)})`, sign: 1 };
  if (b === 0) return { text: `${formatCount(c)} ${plural(c, "request")} where ${baseline.name} needed none`, sign: -1 };
  const fewer = c < b;
  const ratio = formatRatio(fewer ? b / c : c / b);
  if (ratio === "1.0×") return { text: `about as many requests as ${baseline.name} (${formatCount(c)} vs ${formatCount(b)})`, sign: 0 };
  return fewer ? { text: `${ratio} fewer requests${than}`, sign: 1 } : { text: `${ratio} more requests${than}`, sign: -1 };
}

function compareLatency(challengerP50: number, baselineP50: number): Phrase {
  const figures = `(p50: ${formatMs(challengerP50)} vs ${formatMs(baselineP50)})`;
  const c = Math.max(challengerP50, MIN_P50_MS);
  const b = Math.max(baselineP50, MIN_P50_MS);
  const sooner = c < b;
  // A simulated run with no network delay learns at zero latency: "∞× sooner" says nothing useful.
  if (sooner && challengerP50 < MIN_P50_MS) return { text: `at once ${figures}`, sign: 1 };
  const ratio = formatRatio(sooner ? b / c : c / b);
  if (c === b || ratio === "1.0×") return { text: `about as soon ${figures}`, sign: 0 };
  return sooner ? { text: `${ratio} sooner ${figures}`, sign: 1 } : { text: `${ratio} later ${figures}`, sign: -1 };
}

/** `polling learned 20 of 20 outcomes with 62 requests, p50 452.0 ms` */
function alone(s: StrategyResult): string {
  const { detected, total } = s.payments;
  const requests = `${formatCount(s.requests.total)} ${plural(s.requests.total, "request")}`;
  if (s.latencyMs === null) return `${s.name} detected nothing (0 of ${formatCount(total)} ${plural(total, "outcome")}, ${requests})`;
  return `${s.name} learned ${formatCount(detected)} of ${formatCount(total)} ${plural(total, "outcome")} with ${requests}, p50 ${formatMs(s.latencyMs.p50)}`;
}

/** Missed payments and silent strategies the main clause has not already told about. */
function notes(all: StrategyResult[], alreadyTold: StrategyResult[]): string {
  const parts: string[] = [];
  for (const s of all) {
    if (alreadyTold.includes(s)) continue;
    if (s.latencyMs === null) parts.push(`${s.name} detected nothing`);
    else if (s.payments.missed > 0) parts.push(`${s.name} missed ${formatCount(s.payments.missed)} of ${formatCount(s.payments.total)} ${plural(s.payments.total, "payment")}`);
  }
  return parts.length > 0 ? `; ${parts.join(", ")}` : "";
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/**
 * The compare result as its JSON document: every field in the run's order, the verdict right after
 * the strategies (where it has always been).
 */
export function compareDocument(result: CompareResult): CompareDocument {
  return withAfter(result, "strategies", "verdict", verdict(result));
}

/** The check result as its JSON document: each scenario that ran gets its verdict after its expectations. */
export function checkDocument(check: CheckResult): CheckDocument {
  const scenarios = check.scenarios.map(({ result, ...entry }): ScenarioCheckDocument => {
    if (!result) return entry;
    return { ...withAfter(entry, "expectations", "verdict", verdict(result)), result: compareDocument(result) };
  });
  return { ...check, scenarios };
}

/** A copy of `value` with `key` set to `extra` right after the field `after`, so the JSON keeps its order. */
function withAfter<T extends object, K extends string, V>(value: T, after: keyof T & string, key: K, extra: V): T & Record<K, V> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = v;
    if (k === after) out[key] = extra;
  }
  return out as T & Record<K, V>;
}
