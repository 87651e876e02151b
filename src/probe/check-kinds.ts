/**
 * The two shapes most checks take: one delivery that must be refused, or one that must be
 * accepted. A check supplies what it sends and what the outcome means; the grading, the shared
 * advice and the `--observe` follow-up are written once, here.
 */
import type { Check, Finding, ProbeContext } from "./context.js";
import type { Deliveries, ProbeRequest } from "./deliveries.js";
import { acceptanceAdvice, acceptanceGrade, describeAnswer, refusalAdvice, refusalGrade, verdictOf } from "./grade.js";
import { describeObservation } from "./observe.js";
import type { Grade } from "../contract/probe.js";

export interface RefusalCase {
  sent: string;
  /** The delivery, in a few words, for the advice every check shares ("a delivery with no signature"). */
  what: string;
  build(d: Deliveries): ProbeRequest;
  /** What a plain 4xx means. */
  refused: string;
  /** What a 2xx means, and the grade it earns (`fail` unless said). */
  accepted: string;
  acceptedGrade?: Grade;
  /** What a 5xx means, where the shared advice is not specific enough. */
  errored?(status: number): string;
}

/** Sends the case's one delivery: the request, its answer and verdict, and the finding's first fields. */
async function sendOne(ctx: ProbeContext, c: { sent: string; build(d: Deliveries): ProbeRequest }) {
  const request = c.build(ctx.deliveries);
  const answer = await ctx.send(request);
  return { request, answer, v: verdictOf(answer), base: { sent: c.sent, received: describeAnswer(answer, ctx.timeoutMs), ms: answer.ms } };
}

export function refusalCheck(spec: (ctx: ProbeContext) => RefusalCase): Check {
  return async (ctx) => {
    const c = spec(ctx);
    const { request, answer, v, base } = await sendOne(ctx, c);
    const finding: Finding = {
      ...base,
      grade: v === "accepted" ? (c.acceptedGrade ?? "fail") : refusalGrade(v),
      advice: v === "accepted" ? c.accepted : v === "refused" ? c.refused : v === "errored" && c.errored && answer.kind === "answered" ? c.errored(answer.status) : refusalAdvice(v, answer, c.what, ctx.timeoutMs),
    };
    // Refused must also mean not processed: a receiver that acts first and verifies after answers 401 all the same.
    return v === "accepted" || v === "unreachable" ? finding : withObservation(ctx, finding, request.event.eventId, "never");
  };
}

export interface AcceptanceCase {
  sent: string;
  what: string;
  build(d: Deliveries): ProbeRequest;
  /** What a 2xx means. */
  accepted: string;
  /** What a 4xx means, given the status. */
  refused(status: number): string;
}

export function acceptanceCheck(spec: (ctx: ProbeContext) => AcceptanceCase): Check {
  return async (ctx) => {
    const c = spec(ctx);
    const { request, answer, v, base } = await sendOne(ctx, c);
    const finding: Finding = {
      ...base,
      grade: acceptanceGrade(v),
      advice: v === "accepted" ? c.accepted : v === "refused" ? c.refused(answer.kind === "answered" ? answer.status : 0) : acceptanceAdvice(v, answer, c.what, ctx.timeoutMs),
    };
    return v === "accepted" ? withObservation(ctx, finding, request.event.eventId, "once") : finding;
  };
}

/**
 * With `--observe`, checks what the receiver says it did with the event: `never` processed (a
 * refused delivery) or processed exactly `once`. A problem with the observe endpoint itself turns
 * a pass into a warning, since the check could not be completed.
 */
export async function withObservation(ctx: ProbeContext, finding: Finding, eventId: string, expect: "never" | "once"): Promise<Finding> {
  if (!ctx.observe) return finding;
  const o = await ctx.observe(eventId);
  if (!o.ok) {
    if (finding.grade !== "pass") return { ...finding, observed: o.problem };
    return { ...finding, grade: "warn", observed: o.problem, advice: `${o.problem}, so what the receiver did with the event is unknown; expected 200 {"processed": n, "status": …}` };
  }
  const observed = describeObservation(o.value);
  const { processed } = o.value;
  if (expect === "never" && processed > 0)
    return { ...finding, grade: "fail", observed, advice: `did not accept the delivery, yet processed the event (observe: ${observed}): verify before any side effect` };
  if (expect === "once" && processed === 0)
    return { ...finding, grade: "fail", observed, advice: `acknowledged the delivery but never processed it (observe: ${observed}): after a 2xx the sender never sends it again, so the event is lost` };
  if (expect === "once" && processed > 1)
    return { ...finding, grade: "fail", observed, advice: `processed one event ${processed} times (observe: ${observed}): record its id and skip it when it comes again` };
  return { ...finding, observed };
}
