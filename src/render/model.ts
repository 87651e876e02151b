import type { CompareResult, ModelPrediction, StrategyResult } from "../contract/result.js";
import { formatCount, formatDeviation, formatMs } from "../contract/format.js";

/** Below this gap the measurement is taken to agree with the model: timer noise, not a finding. */
const AGREE_FRACTION = 0.005;

type Name = StrategyResult["name"];

/** Strategies that ask on a schedule: their requests part from the model at poll boundaries. */
const ASKING = new Set<Name>(["polling", "conditional", "polling-backoff"]);

/**
 * One plain-words sentence per place a strategy's measurement parts from its model, saying by how
 * much and why, from the numbers. Unwrapped: the table wraps them to its width, Markdown lists
 * them whole. Strategies without a model are skipped.
 */
export function modelNotes(result: Pick<CompareResult, "strategies">): string[] {
  const notes: string[] = [];
  for (const s of result.strategies) {
    if (!s.model) continue;
    notes.push(latencyNote(s, s.model));
    const requests = requestsNote(s, s.model);
    if (requests) notes.push(requests);
  }
  return notes;
}

function latencyNote(s: StrategyResult, model: ModelPrediction): string {
  if (s.latencyMs === null) return `${s.name}: detected nothing, so there is no latency to set beside the ${formatMs(model.latencyMs.mean)} modelled.`;
  const measured = s.latencyMs.mean;
  const modelled = model.latencyMs.mean;
  const deviation = modelled > 0 ? ` (${formatDeviation(measured, modelled)})` : "";
  const figures = `${s.name}: measured ${formatMs(measured)} mean vs ${formatMs(modelled)} modelled${deviation}`;
  if (agrees(measured, modelled) || formatMs(measured) === formatMs(modelled)) return `${figures}: they agree.`;
  return `${figures}: ${measured > modelled ? slowerBecause(s.name) : quickerBecause(s.name)}`;
}

function slowerBecause(name: Name): string {
  if (ASKING.has(name)) return "each poll also pays the request's round trip and timer drift.";
  if (name === "long-polling") return "the held request is answered only once the provider has noticed and written the answer.";
  if (name === "webhook") return "the model counts only the network; the rest is signing, sending and verifying.";
  if (name === "sse") return "the model counts only the network; the rest is writing and parsing the event.";
  return "the model leaves out request processing, timer drift and the event loop.";
}

function quickerBecause(name: Name): string {
  if (ASKING.has(name) || name === "long-polling") return "settlement timers fired late, leaving less of the wait to sit through.";
  return "the simulated network delays came out shorter than the model's average (latency plus half the jitter).";
}

function requestsNote(s: StrategyResult, model: ModelPrediction): string | null {
  const measured = s.requests.total;
  const modelled = model.requests.total;
  // Under --repeat both figures are means; compare them as they are shown.
  if (formatCount(measured) === formatCount(modelled)) return null;
  const figures = `${s.name}: ${formatCount(measured)} ${measured === 1 ? "request" : "requests"} vs ${formatCount(modelled)} modelled`;
  return `${figures}: ${requestsBecause(s, model, measured - modelled)}`;
}

function requestsBecause(s: StrategyResult, model: ModelPrediction, gap: number): string {
  const { missed, total } = s.payments;
  const missedClause = `${formatCount(missed)} ${missed === 1 ? "payment was" : "payments were"} missed, and the model counts ${ASKING.has(s.name) ? "polls" : "requests"} until every payment is detected.`;
  if (ASKING.has(s.name) || s.name === "long-polling") {
    // Each payment can be off by at most one request when its settlement lands on a boundary.
    if (Math.abs(gap) <= Math.max(1, total)) {
      return s.name === "long-polling"
        ? "a wait window that ends just as a payment settles costs one held request more or less."
        : "a poll that lands exactly on a settlement boundary sees it one interval early or late.";
    }
    const refused = (s.errors?.rateLimited ?? 0) + (s.errors?.server ?? 0);
    if (gap > 0 && refused > 0) return `${formatCount(refused)} ${refused === 1 ? "request was" : "requests were"} refused (429 or 5xx), and each refusal costs another request.`;
    if (gap > 0) return "more than one extra request per payment: answers came back late or timers drifted.";
    if (missed > 0) return missedClause;
    return "requests ran late, so fewer of them fitted before each settlement.";
  }
  if (s.name === "webhook") {
    if (gap < 0) return missed > 0 ? `${formatCount(missed)} ${missed === 1 ? "payment was" : "payments were"} never delivered before the deadline.` : "fewer deliveries reached the receiver than the model plans.";
    // The model's deliveries beyond one per payment and the registration are the retries it plans.
    const planned = Math.max(0, model.requests.total - 1 - total);
    const retried = s.deliveries.retried;
    if (retried > planned) return `${formatCount(retried)} ${retried === 1 ? "delivery was" : "deliveries were"} retried; the model expects ${planned === 0 ? "none" : formatCount(planned)}.`;
    if (s.payments.duplicates > 0) return "some payments were delivered twice, more often than the model plans.";
    return "more deliveries reached the receiver than the model plans.";
  }
  if (s.name === "sse") return gap > 0 ? "the stream dropped and was opened again." : "the stream was never opened.";
  if (gap < 0 && missed > 0) return missedClause;
  return gap > 0 ? "the model leaves out retries and refused requests." : "some requests the model counts were never sent.";
}

function agrees(measured: number, modelled: number): boolean {
  if (modelled === 0) return measured === 0;
  return Math.abs(measured - modelled) / Math.abs(modelled) < AGREE_FRACTION;
}
