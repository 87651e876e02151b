/**
 * Checks of at-least-once, unordered delivery: a redelivered event (same id) and an older event
 * arriving after a newer one. What the receiver did with them is only visible through `--observe`.
 */
import { withObservation } from "./check-kinds.js";
import type { Check, Finding } from "./context.js";
import { acceptanceAdvice, describeAnswer, verdictOf } from "./grade.js";
import { describeObservation, type ObserveAnswer } from "./observe.js";
import type { Answer } from "./wire.js";

/** How much older the late event is than the one before it. */
const OLDER_BY_MS = 60_000;

function statusOf(a: Answer): number {
  return a.kind === "answered" ? a.status : 0;
}

export const replayCheck: Check = async (ctx) => {
  const d = ctx.deliveries;
  const event = d.event();
  const first = await ctx.send(d.request(event));
  // A real retry: same id and body, a fresh timestamp and signature.
  const second = await ctx.send(d.request(event));
  const base = { sent: `the same ${d.idName} twice, re-signed as a retry is`, received: `${describeAnswer(first, ctx.timeoutMs)}, then ${describeAnswer(second, ctx.timeoutMs)}`, ms: second.ms };
  const v1 = verdictOf(first);
  const v2 = verdictOf(second);
  if (v1 !== "accepted")
    return { ...base, grade: "fail", advice: `the first delivery was not accepted (${describeAnswer(first, ctx.timeoutMs)}), so a redelivery could not be judged: see the valid check` };
  if (v2 === "refused")
    return {
      ...base,
      grade: "fail",
      advice: `answered ${statusOf(second)} to a redelivery of an event already accepted: acknowledge duplicates with 2xx and skip the work, or the sender keeps retrying it for days`,
    };
  if (v2 === "errored")
    return {
      ...base,
      grade: "fail",
      advice: `answered ${statusOf(second)} to a redelivery of an event already accepted: senders deliver at least once, so look the ${d.idName} up, skip the work and answer 2xx`,
    };
  if (v2 !== "accepted") return { ...base, grade: "fail", advice: acceptanceAdvice(v2, second, "a redelivered event", ctx.timeoutMs) };
  if (!ctx.observe)
    return {
      ...base,
      grade: "warn",
      advice: "acknowledged both; whether the event was processed once cannot be observed from outside: serve an observe endpoint and pass --observe",
    };
  return withObservation(ctx, { ...base, grade: "pass", advice: "a redelivered event is acknowledged and processed once" }, event.eventId, "once");
};

export const outOfOrderCheck: Check = async (ctx) => {
  const d = ctx.deliveries;
  const newer = d.event("succeeded");
  const older = d.event("failed", { payment: newer.paymentId, ageMs: OLDER_BY_MS });
  const a1 = await ctx.send(d.request(newer));
  const a2 = await ctx.send(d.request(older));
  const base = {
    sent: `payment.succeeded, then a payment.failed ${OLDER_BY_MS / 1000} s older for the same payment`,
    received: `${describeAnswer(a1, ctx.timeoutMs)}, then ${describeAnswer(a2, ctx.timeoutMs)}`,
    ms: a2.ms,
  };
  const v1 = verdictOf(a1);
  const v2 = verdictOf(a2);
  if (v1 !== "accepted") return { ...base, grade: "fail", advice: `the first event was not accepted (${describeAnswer(a1, ctx.timeoutMs)}), so the late one could not be judged: see the valid check` };
  if (v2 === "refused" || v2 === "errored")
    return {
      ...base,
      grade: "fail",
      advice: `answered ${statusOf(a2)} to an older event arriving after a newer one: providers do not promise order (Stripe says so), so acknowledge it with 2xx and keep the newer state`,
    };
  if (v2 !== "accepted") return { ...base, grade: "fail", advice: acceptanceAdvice(v2, a2, "an older event arriving late", ctx.timeoutMs) };
  if (!ctx.observe)
    return { ...base, grade: "pass", advice: "an older event arriving late is acknowledged; whether it overwrote the newer state cannot be seen from outside (--observe checks it)" };
  return judgeOrder(await ctx.observe(newer.eventId), base);
};

function judgeOrder(o: ObserveAnswer, base: Pick<Finding, "sent" | "received" | "ms">): Finding {
  if (!o.ok) return { ...base, grade: "warn", observed: o.problem, advice: `${o.problem}, so whether the state regressed is unknown; expected 200 {"processed": n, "status": …}` };
  const observed = describeObservation(o.value);
  if (o.value.status === "succeeded") return { ...base, grade: "pass", observed, advice: "an older event arriving late is acknowledged and does not overwrite the newer state" };
  if (o.value.status === null)
    return { ...base, grade: "warn", observed, advice: 'the observe endpoint gave no "status" for the payment, so whether the late event overwrote it is unknown' };
  return {
    ...base,
    grade: "fail",
    observed,
    advice: `the older event overwrote the newer state (now ${o.value.status}, expected succeeded): compare the event's time or the object's version before applying it`,
  };
}
