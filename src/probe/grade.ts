/**
 * Pure judgement of one answer: what kind of answer it was, the grade it earns where a delivery
 * must be refused or must be accepted, and the advice for the kinds every check shares.
 */
import { formatDuration } from "../scenario/duration.js";
import type { Grade } from "../contract/probe.js";
import type { Answer } from "./wire.js";

export type Verdict =
  /** 2xx */
  | "accepted"
  /** 4xx other than 410 and 429 */
  | "refused"
  /** 410: Standard Webhooks senders disable the endpoint */
  | "disable"
  /** 429: the sender is asked to come back later */
  | "throttled"
  /** 1xx (after the final answer) or 3xx: senders treat it as a failure and never follow it */
  | "redirected"
  /** 5xx */
  | "errored"
  /** no complete answer within the timeout */
  | "hung"
  /** connection closed or reset without an answer */
  | "closed"
  /** no connection at all */
  | "unreachable";

export function verdictOf(a: Answer): Verdict {
  if (a.kind === "timeout") return "hung";
  if (a.kind === "closed") return "closed";
  if (a.kind === "unreachable") return "unreachable";
  const s = a.status;
  if (s >= 200 && s < 300) return "accepted";
  if (s === 410) return "disable";
  if (s === 429) return "throttled";
  if (s >= 400 && s < 500) return "refused";
  if (s >= 500) return "errored";
  return "redirected";
}

/** `401 in 1.20 ms`, `no answer within 500.0 ms`, `connection closed after 3.10 ms (ECONNRESET)`. */
export function describeAnswer(a: Answer, timeoutMs: number): string {
  switch (a.kind) {
    case "answered":
      return `${a.status} in ${formatDuration(a.ms)}${a.retryAfter !== undefined ? `, Retry-After: ${printable(a.retryAfter, 40)}` : ""}`;
    case "timeout":
      return `no answer within ${formatDuration(timeoutMs)}`;
    case "closed":
      return `connection closed after ${formatDuration(a.ms)} (${printable(a.code, 40)})`;
    case "unreachable":
      return `no connection (${printable(a.code, 40)})`;
  }
}

/** Where a delivery must be refused: a 4xx passes; 2xx, 5xx and a hang fail; the odd answers warn. */
export function refusalGrade(v: Verdict): Grade {
  if (v === "refused") return "pass";
  if (v === "accepted" || v === "errored" || v === "hung" || v === "unreachable") return "fail";
  return "warn";
}

/** Where a delivery must be accepted: only a 2xx within the timeout passes. */
export function acceptanceGrade(v: Verdict): Grade {
  return v === "accepted" ? "pass" : "fail";
}

/** Advice for a delivery that should have been refused and was not refused with a plain 4xx (`accepted` is the check's own). */
export function refusalAdvice(v: Exclude<Verdict, "accepted" | "refused">, a: Answer, what: string, timeoutMs: number): string {
  const status = a.kind === "answered" ? a.status : 0;
  switch (v) {
    case "errored":
      return `answered ${status} to ${what}: a 5xx makes a real sender retry it for days, and suggests work was done before verifying; refuse it with 400 or 401 first`;
    case "hung":
      return `gave no answer within ${formatDuration(timeoutMs)} to ${what}: refuse it at once with 400 or 401`;
    case "closed":
      return `closed the connection on ${what} instead of answering: a 400 or 401 tells senders and your logs it was refused, not a crash`;
    case "redirected":
      return `answered ${status} to ${what}: senders never follow redirects, so it is neither accepted nor clearly refused; answer 400 or 401`;
    case "disable":
      return `answered 410 to ${what}, which tells Standard Webhooks senders to disable the endpoint; refuse with 400 or 401 instead`;
    case "throttled":
      return `answered 429 to ${what}, which asks the sender to try again later, but it will never verify; refuse it with 400 or 401`;
    case "unreachable":
      return `could not connect (${a.kind === "unreachable" ? a.code : "error"}): is the receiver still running?`;
  }
}

/** Advice for a delivery that should have been accepted and was not refused with a 4xx (`refused` is the check's own). */
export function acceptanceAdvice(v: Exclude<Verdict, "accepted" | "refused">, a: Answer, what: string, timeoutMs: number): string {
  const status = a.kind === "answered" ? a.status : 0;
  switch (v) {
    case "errored":
      return `answered ${status} to ${what}: the sender will retry it and may disable the endpoint; find the error in your logs`;
    case "hung":
      return `gave no answer within ${formatDuration(timeoutMs)} to ${what}: senders give up (Slack after 3 s, GitHub after 10 s) and retry; answer 2xx first, then do the work`;
    case "closed":
      return `closed the connection on ${what} without answering: the sender counts it as failed and retries`;
    case "redirected":
      return `answered ${status} to ${what}: senders count a 3xx as failed and never follow it; register the final URL`;
    case "disable":
      return `answered 410 to ${what}, which tells Standard Webhooks senders to disable your endpoint for good`;
    case "throttled":
      return `answered 429 to ${what}: the sender backs off and retries later; a single delivery should not be throttled`;
    case "unreachable":
      return `could not connect (${a.kind === "unreachable" ? a.code : "error"}): is the receiver still running?`;
  }
}

/** Text from the receiver (a header, a body) bounded and without control characters before it reaches a terminal or a report. */
export function printable(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
