import type { CompareResult, ModelPrediction, StrategyResult } from "../contract/result.js";
import { formatCount, formatDeviation, formatMs } from "../contract/format.js";

/** Below this gap the measurement is taken to agree with the model: timer noise, not a finding. */
const AGREE_FRACTION = 0.005;

type Name = StrategyResult["name"];

/** Strategies that ask on a schedule: their requests part from the model at poll boundaries. */
const ASKING = new Set<Name>(["polling", "conditional", "polling-backoff"]);

/** What a note may read besides the strategies: which engine ran, and the scenario's speed and jitter. */
export type NoteContext = Pick<CompareResult, "strategies"> & Partial<Pick<CompareResult, "clock" | "scenario">>;

/**
 * One plain-words sentence per place a strategy's measurement parts from its model, saying by how
 * much and, where the run recorded one, why: a refusal counted, a retry made, a payment missed, the
 * machine's own round trip measured (health), the simulation's round trip. Where the run recorded
 * no cause, the note says what the model leaves out rather than guessing. Unwrapped: the table
 * wraps them to its width, Markdown lists them whole. Strategies without a model are skipped.
 */
export function modelNotes(result: NoteContext): string[] {
  const notes: string[] = [];
  for (const s of result.strategies) {
    if (!s.model) continue;
    notes.push(latencyNote(s, s.model, result));
    const requests = requestsNote(s, s.model, result);
    if (requests) notes.push(requests);
  }
  return notes;
}

/** This run's own time per exchange, in scenario ms, as its health measured it, or null. */
function machineTime(s: StrategyResult, result: NoteContext): { ms: number; what: string } | null {
  const speed = result.scenario?.speed ?? 1;
  const scaled = (ms: number) => ms * speed;
  const trips = s.health?.consumer.roundTripMs;
  if (ASKING.has(s.name) && trips) return { ms: scaled(trips.p50), what: "its polls' round trip beyond the simulated network, p50" };
  const loopback = s.health?.loopbackRoundTripMs;
  if (loopback) return { ms: scaled(loopback.p50), what: "this machine's loopback round trip, p50" };
  return null;
}

function latencyNote(s: StrategyResult, model: ModelPrediction, result: NoteContext): string {
  if (s.latencyMs === null) return `${s.name}: detected nothing, so there is no latency to set beside the ${formatMs(model.latencyMs.mean)} modelled.`;
  const measured = s.latencyMs.mean;
  const modelled = model.latencyMs.mean;
  const deviation = modelled > 0 ? ` (${formatDeviation(measured, modelled)})` : "";
  const figures = `${s.name}: measured ${formatMs(measured)} mean vs ${formatMs(modelled)} modelled${deviation}`;
  if (agrees(measured, modelled) || formatMs(measured) === formatMs(modelled)) return `${figures}: they agree.`;
  return `${figures}: ${measured > modelled ? slowerBecause(s, result) : quickerBecause(s, result)}`;
}

function slowerBecause(s: StrategyResult, result: NoteContext): string {
  if (result.clock === "virtual") return "the simulation adds the machine's loopback round trip to every exchange; the model counts only the network.";
  const machine = machineTime(s, result);
  const speed = result.scenario?.speed ?? 1;
  const atSpeed = speed > 1 ? ` at --speed ${formatCount(speed)}` : "";
  if (machine) return `the model counts only the network; this run's own time is ${formatMs(machine.ms)} per exchange${atSpeed} (${machine.what}).`;
  if (s.name === "long-polling") return "the model counts only the network; a held request is answered only once the provider has noticed and written the answer.";
  return "the model counts only the network, not this machine's own time (request processing, timers, the event loop).";
}

function quickerBecause(s: StrategyResult, result: NoteContext): string {
  if ((result.scenario?.networkJitterMs ?? 0) > 0) return "the model takes every message at the network's mean delay (latency plus half the jitter); this run's draws came out shorter.";
  const provider = s.health?.provider?.eventLoopDelayMs.p50;
  if ((ASKING.has(s.name) || s.name === "long-polling") && provider !== undefined && provider > 0)
    return `the provider stamps a settlement when its timer fires; its loop ran timers ${formatMs(provider)} late (p50), shortening what was left to wait.`;
  return "nothing this run recorded accounts for it.";
}

function requestsNote(s: StrategyResult, model: ModelPrediction, result: NoteContext): string | null {
  const measured = s.requests.total;
  const modelled = model.requests.total;
  // Under --repeat both figures are means; compare them as they are shown.
  if (formatCount(measured) === formatCount(modelled)) return null;
  const figures = `${s.name}: ${formatCount(measured)} ${measured === 1 ? "request" : "requests"} vs ${formatCount(modelled)} modelled`;
  return `${figures}: ${requestsBecause(s, model, measured - modelled, result)}`;
}

function requestsBecause(s: StrategyResult, model: ModelPrediction, gap: number, result: NoteContext): string {
  const { missed, total } = s.payments;
  const refused = (s.errors?.rateLimited ?? 0) + (s.errors?.server ?? 0);
  const refusals = `${formatCount(refused)} ${refused === 1 ? "request was" : "requests were"} refused (429 or 5xx), and each refusal costs another request.`;
  if (ASKING.has(s.name) || s.name === "long-polling") {
    if (gap > 0 && refused > 0) return refusals;
    // Each payment can be off by at most one request when a settlement falls within a round trip of a poll.
    if (Math.abs(gap) <= Math.max(1, total)) {
      const unit = s.name === "long-polling" ? "held request" : "poll";
      if (result.clock === "virtual") return `within one per payment: the simulation's loopback round trip, which the model leaves out, moves a settlement that close to a ${unit} to the next one.`;
      const machine = machineTime(s, result);
      if (machine) return `within one per payment: this run's own ${formatMs(machine.ms)} per exchange (${machine.what}), which the model leaves out, moves a settlement that close to a ${unit} to the next one.`;
      return "within one per payment; the model leaves out this machine's own time per exchange.";
    }
    if (gap < 0 && missed > 0) return `${formatCount(missed)} ${missed === 1 ? "payment was" : "payments were"} missed.`;
    return gap > 0 ? "more than one extra request per payment, and the run recorded no refusal." : "fewer than modelled, and the run recorded no refusal or miss.";
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
  if (s.name === "sse") {
    if (gap < 0) return "the stream was never opened.";
    return refused > 0 ? `the stream was refused ${formatCount(refused)} ${refused === 1 ? "time" : "times"} (429 or 5xx) and opened again.` : "the stream was opened more than once.";
  }
  if (gap > 0 && refused > 0) return refusals;
  if (gap < 0 && missed > 0) return `${formatCount(missed)} ${missed === 1 ? "payment was" : "payments were"} missed.`;
  return gap > 0 ? "the model leaves out retries and refused requests." : "some requests the model counts were never sent.";
}

function agrees(measured: number, modelled: number): boolean {
  if (modelled === 0) return measured === 0;
  return Math.abs(measured - modelled) / Math.abs(modelled) < AGREE_FRACTION;
}
