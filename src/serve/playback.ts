import type { ClassroomCounters, ClassroomMessage } from "../contract/classroom.js";
import { CLASSROOM_LANES } from "../contract/classroom.js";
import type { CompareResult, PaymentRecord, StrategyResult } from "../contract/result.js";
import { recommendation, verdict } from "../contract/verdict.js";
import { latencyFields } from "./recorder.js";

/** Playback ms a strategy of the virtual clock takes at 1×, however long it ran in scenario time. */
export const VIRTUAL_PLAYBACK_MS = 12_000;
/** Counter updates per strategy in a virtual playback. */
const TICKS = 120;
/** Playback ms between one strategy's end and the next one's start. */
const GAP_MS = 800;

/**
 * A playback of a virtual-clock run for the classroom page, made from its per-payment records
 * (`--details`): the virtual engine emits no events, so this is what it can show. Lanes for the
 * first payments with their creation, settlement and the moment the client knew; settled and
 * known counted over every payment as time passes; requests, wasted and the latencies only at
 * each strategy's end, from its result (the simulation counts requests in total, not one by one).
 * Each strategy plays in about VIRTUAL_PLAYBACK_MS at 1×, one after the other.
 */
export function virtualPlayback(result: CompareResult, run: number): ClassroomMessage[] {
  const out: ClassroomMessage[] = [];
  let w = 0;
  for (const s of result.strategies) {
    const records = s.details ?? [];
    const span = Math.max(1, s.durationMs);
    const scale = Math.max(result.scenario.speed, span / VIRTUAL_PLAYBACK_MS);
    const at = (t: number) => w + Math.max(0, t) / scale;
    const settled = sortedTimes(records, (r) => r.settledAtMs);
    const known = sortedTimes(records, (r) => (r.latencyMs === null ? null : r.detectedAtMs));
    const counters = (t: number): ClassroomCounters => ({ requests: null, wasted: null, settled: countUpTo(settled, t), known: countUpTo(known, t), payments: s.payments.total, done: false });
    out.push({ type: "start", run, strategy: s.name, payments: s.payments.total, w, origin: w, scale });

    const marks: Array<Extract<ClassroomMessage, { type: "mark" }>> = [];
    for (const r of records.slice(0, CLASSROOM_LANES)) {
      marks.push({ type: "mark", run, strategy: s.name, w: at(r.createdAtMs), t: r.createdAtMs, mark: "created", id: r.id, c: counters(r.createdAtMs) });
      if (r.settledAtMs !== null) {
        const status = r.status === "failed" ? "failed" : "succeeded";
        marks.push({ type: "mark", run, strategy: s.name, w: at(r.settledAtMs), t: r.settledAtMs, mark: "settled", id: r.id, status, c: counters(r.settledAtMs) });
      }
      if (r.detectedAtMs !== null && r.status !== "pending") {
        marks.push({ type: "mark", run, strategy: s.name, w: at(r.detectedAtMs), t: r.detectedAtMs, mark: "known", id: r.id, status: r.status, c: counters(r.detectedAtMs) });
      }
    }
    const ticks: Array<Extract<ClassroomMessage, { type: "tick" }>> = [];
    for (let i = 1; i <= TICKS; i++) {
      const t = (span * i) / TICKS;
      ticks.push({ type: "tick", run, strategy: s.name, w: at(t), t, c: counters(t) });
    }
    out.push(...[...marks, ...ticks].sort((a, b) => a.w - b.w));
    out.push({ type: "end", run, strategy: s.name, w: at(span), t: span, c: finalCounters(s, settled.length) });
    w = at(span) + GAP_MS;
  }
  out.push({ type: "done", run, w, verdict: verdict(result), recommendation: recommendation(result), partial: result.partial, note: "virtual clock: a simulation played back; requests are counted in total, at each strategy's end" });
  return out;
}

function finalCounters(s: StrategyResult, settled: number): ClassroomCounters {
  return {
    requests: s.requests.total,
    wasted: s.requests.wasted,
    settled,
    known: s.payments.detected,
    missed: s.payments.missed,
    ...latencyFields(s.latencyMs?.p50 ?? null, s.latencyMs?.p95 ?? null),
    payments: s.payments.total,
    done: true,
  };
}

function sortedTimes(records: PaymentRecord[], pick: (r: PaymentRecord) => number | null): Float64Array {
  const times = new Float64Array(records.length);
  let n = 0;
  for (const r of records) {
    const t = pick(r);
    if (t !== null) times[n++] = t;
  }
  return times.subarray(0, n).sort();
}

/** How many of the sorted times are at most `t`. */
function countUpTo(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
