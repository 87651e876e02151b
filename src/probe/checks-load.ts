/**
 * Checks of speed and load: response times over many deliveries against real providers'
 * timeouts, a burst of deliveries at once, and what the receiver says when it throttles.
 */
import { sleep } from "../measure/clock.js";
import { summarizeLatencies } from "../contract/latency.js";
import { parseRetryAfter } from "../http/retry-after.js";
import { formatDuration } from "../scenario/duration.js";
import type { Check, Finding, ProbeContext } from "./context.js";
import { describeAnswer, printable, verdictOf } from "./grade.js";
import type { ResponseTimes } from "../contract/probe.js";
import { PROVIDER_TIMEOUTS, SLOW_SHARE, tightestTimeout } from "./providers.js";
import type { Answer } from "./wire.js";

/** `slow-path` stops at this many failed deliveries: the grade is decided, and a hanging receiver would cost deliveries × timeout. */
export const SLOW_PATH_MAX_FAILURES = 3;

/** The longest `Retry-After` the probe waits out before re-sending; longer ones are reported, not waited for. */
export const MAX_RETRY_AFTER_MS = 30_000;

const seconds = (ms: number) => `${ms / 1000} s`;

/** `Slack 3 s, Shopify 5 s, GitHub 10 s, Svix 15 s; Stripe publishes none` */
function providerList(): string {
  const known = PROVIDER_TIMEOUTS.filter((p) => p.timeoutMs !== null).sort((a, b) => a.timeoutMs! - b.timeoutMs!);
  const unknown = PROVIDER_TIMEOUTS.filter((p) => p.timeoutMs === null).map((p) => p.provider);
  return `${known.map((p) => `${p.provider} ${seconds(p.timeoutMs!)}`).join(", ")}${unknown.length ? `; ${unknown.join(", ")} publishes none` : ""}`;
}

function times(answers: Answer[]): ResponseTimes {
  const complete = answers.filter((a) => a.kind === "answered").map((a) => a.ms);
  const s = summarizeLatencies(complete);
  return { count: answers.length, ok: answers.filter((a) => verdictOf(a) === "accepted").length, p50: s?.p50 ?? null, p99: s?.p99 ?? null, max: s?.max ?? null };
}

function percentiles(t: ResponseTimes): string {
  return t.p50 === null ? "no complete answer" : `p50 ${formatDuration(t.p50)}, p99 ${formatDuration(t.p99!)}`;
}

/** `2 timed out, 1 answered 500` */
function failureBreakdown(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const v = verdictOf(a);
    if (v === "accepted") continue;
    const key = v === "hung" ? "got no answer in time" : v === "closed" ? "had the connection closed" : v === "unreachable" ? "could not connect" : `answered ${(a as { status: number }).status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}

export const slowPathCheck: Check = async (ctx) => {
  const d = ctx.deliveries;
  const answers: Answer[] = [];
  let failed = 0;
  for (let i = 0; i < ctx.deliveryCount && failed < SLOW_PATH_MAX_FAILURES && !ctx.signal?.aborted; i++) {
    const answer = await ctx.send(d.request(d.event()));
    answers.push(answer);
    if (verdictOf(answer) !== "accepted") failed++;
  }
  const t = times(answers);
  const stopped = answers.length < ctx.deliveryCount ? ` (stopped after ${SLOW_PATH_MAX_FAILURES} failures)` : "";
  const base = { sent: `${ctx.deliveryCount} correctly signed deliveries, one at a time`, received: `${t.ok} of ${answers.length} 2xx${stopped}; ${percentiles(t)}`, ms: t.p99, times: t };
  if (failed > 0) return { ...base, grade: "fail", advice: `of ${answers.length} deliveries, ${failureBreakdown(answers)}: ${remedy(answers.find((a) => verdictOf(a) !== "accepted")!)}` };
  const p99 = t.p99!;
  const tight = tightestTimeout();
  const limit = tight.timeoutMs * SLOW_SHARE;
  if (p99 > limit) {
    const past = PROVIDER_TIMEOUTS.filter((p) => p.timeoutMs !== null && p99 > p.timeoutMs).map((p) => p.provider);
    return {
      ...base,
      grade: "warn",
      advice: `p99 ${formatDuration(p99)} is over a tenth of ${tight.provider}'s ${seconds(tight.timeoutMs)} delivery timeout${past.length ? `, and past ${past.join(" and ")}'s` : ""}: a slow dependency or a cold start will push deliveries past it and they will be retried; answer 2xx first, then do the work`,
    };
  }
  return { ...base, grade: "pass", advice: `p99 ${formatDuration(p99)} is well inside every provider's delivery timeout (${providerList()})` };
};

/** What to do about the first failed delivery of a series, by how it failed. */
function remedy(a: Answer): string {
  switch (verdictOf(a)) {
    case "hung":
      return "senders give up (Slack after 3 s, GitHub after 10 s) and retry; answer 2xx first, then do the work";
    case "errored":
      return "senders retry every one of them and may disable the endpoint; find the error in your logs";
    case "refused":
    case "disable":
      return "correctly signed deliveries were refused: see the valid check";
    case "throttled":
      return "correctly signed deliveries were throttled: senders back off and every event is delayed";
    default:
      return "senders count each as failed and retry it";
  }
}

export const burstCheck: Check = async (ctx) => {
  const d = ctx.deliveries;
  const n = ctx.concurrency;
  const requests = Array.from({ length: n }, () => d.request(d.event()));
  const answers = await ctx.burst(requests);
  const t = times(answers);
  const lost = answers.filter((a) => a.kind !== "answered").length;
  const base = {
    sent: `${n} correctly signed deliveries at once, each on its own connection`,
    received: `${t.ok} of ${n} 2xx${lost ? `, ${lost} without an answer` : ""}; ${percentiles(t)}`,
    ms: t.max,
    times: t,
  };
  if (t.ok < n) {
    const throttledOnly = answers.every((a) => verdictOf(a) === "accepted" || (a.kind === "answered" && (a.status === 429 || a.status === 503) && a.retryAfter !== undefined));
    return {
      ...base,
      grade: throttledOnly ? "warn" : "fail",
      advice: throttledOnly
        ? `throttled ${n - t.ok} of ${n} deliveries with Retry-After: senders come back later, but every event is delayed; providers send bursts when many events happen together`
        : `of ${n} deliveries sent at once, ${failureBreakdown(answers)}: ${remedy(answers.find((a) => verdictOf(a) !== "accepted")!)}; providers send bursts when many events happen together`,
    };
  }
  const finding: Finding = { ...base, grade: "pass", advice: `${n} deliveries at once are all acknowledged, as when many events happen together` };
  return ctx.observe ? observeBurst(ctx, finding, requests.map((r) => r.event.eventId)) : finding;
};

/** Every event of the burst processed exactly once: none lost in a race, none doubled. */
async function observeBurst(ctx: ProbeContext, finding: Finding, ids: string[]): Promise<Finding> {
  let lost = 0;
  let doubled = 0;
  for (const id of ids) {
    if (ctx.signal?.aborted) return finding;
    const o = await ctx.observe!(id);
    if (!o.ok) return { ...finding, grade: "warn", observed: o.problem, advice: `${o.problem}, so whether every event was processed once is unknown` };
    if (o.value.processed === 0) lost++;
    if (o.value.processed > 1) doubled++;
  }
  const observed = `${ids.length - lost - doubled} of ${ids.length} processed once${lost ? `, ${lost} never` : ""}${doubled ? `, ${doubled} more than once` : ""}`;
  if (lost || doubled)
    return { ...finding, grade: "fail", observed, advice: `acknowledged every delivery, but ${lost ? `${lost} never processed (lost after the 2xx)` : ""}${lost && doubled ? " and " : ""}${doubled ? `${doubled} processed more than once` : ""}: a burst exposes races; record each id atomically` };
  return { ...finding, observed, advice: `${ids.length} deliveries at once are all acknowledged and each processed once` };
}

/**
 * Informational: never fails. Looks at every 429 and 503 the run met; for the first on a genuine
 * delivery with a usable Retry-After, waits as asked (at most MAX_RETRY_AFTER_MS) and re-sends it
 * once, as a sender honouring it would.
 */
export const retryAfterCheck: Check = async (ctx) => {
  const seen = ctx.throttled;
  const none: Finding = { grade: "pass", sent: "nothing extra: watches the run's answers for 429 and 503", received: "no 429 or 503 in this run", ms: null, advice: "never throttled, so there was no Retry-After to honour (informational)" };
  if (seen.length === 0) return none;
  const first = seen.find((s) => s.request.genuine) ?? seen[0]!;
  const where = `${first.answer.status} to ${first.check}`;
  const header = first.answer.retryAfter;
  const base = { sent: "nothing extra: watches the run's answers for 429 and 503", received: `${seen.length} throttling answer${seen.length === 1 ? "" : "s"}, first ${where}${header !== undefined ? ` with Retry-After: ${printable(header, 40)}` : " without Retry-After"}`, ms: first.answer.ms };
  if (header === undefined)
    return { ...base, grade: "warn", advice: `answered ${first.answer.status} without Retry-After: senders fall back to their own schedule (Standard Webhooks: 5 s, then 5 min, …); add Retry-After to say when to come back` };
  const delayMs = parseRetryAfter(header);
  if (delayMs === 0 && !/^\s*0\s*$/.test(header))
    return { ...base, grade: "warn", advice: `Retry-After "${printable(header, 40)}" is neither delay-seconds nor an HTTP date (RFC 9110 §10.2.3), so senders ignore it` };
  if (!first.request.genuine) return { ...base, grade: "pass", advice: `asks senders to wait ${formatDuration(delayMs)} (informational; the throttled delivery was not a genuine one, so it was not re-sent)` };
  if (delayMs > MAX_RETRY_AFTER_MS) return { ...base, grade: "pass", advice: `asks senders to wait ${formatDuration(delayMs)}; not waited (the probe waits at most ${seconds(MAX_RETRY_AFTER_MS)}) (informational)` };
  await sleep(delayMs, ctx.signal);
  const again = await ctx.send(ctx.deliveries.request(first.request.event));
  const received = `${base.received}; re-sent after ${formatDuration(delayMs)}: ${describeAnswer(again, ctx.timeoutMs)}`;
  if (verdictOf(again) === "accepted") return { ...base, received, ms: again.ms, grade: "pass", advice: "a sender that honours Retry-After gets through on its retry (informational)" };
  return { ...base, received, ms: again.ms, grade: "warn", advice: `still not accepted after waiting the ${formatDuration(delayMs)} asked for: Retry-After should say when the endpoint will take the delivery` };
};
