/**
 * Checks of what the body may be: too large, labelled as something other than JSON, or not JSON
 * at all. Each is correctly signed, so only the body's own fault is being judged.
 */
import { refusalCheck, withObservation } from "./check-kinds.js";
import type { Check, Finding } from "./context.js";
import { malformedBody, OVERSIZED_BYTES } from "./deliveries.js";
import { describeAnswer, refusalAdvice, verdictOf } from "./grade.js";

const SIZE = "2 MiB";
const CAP = "cap the body (1 MiB is plenty: Standard Webhooks payloads stay under about 20 kB) and answer 413 before reading the rest";

/** A 413, or a connection closed within the timeout, passes: the body was not taken in. */
export const oversizedCheck: Check = async (ctx) => {
  const d = ctx.deliveries;
  const request = d.request(d.event("succeeded", { padToBytes: OVERSIZED_BYTES }));
  const answer = await ctx.send(request);
  const v = verdictOf(answer);
  const base = { sent: `a correctly signed ${SIZE} body (${OVERSIZED_BYTES.toLocaleString("en-US")} bytes)`, received: describeAnswer(answer, ctx.timeoutMs), ms: answer.ms };
  let finding: Finding;
  if (answer.kind === "answered" && answer.status === 413) finding = { ...base, grade: "pass", advice: `a ${SIZE} body is refused with 413` };
  else if (v === "closed") finding = { ...base, grade: "pass", advice: `the connection was closed on a ${SIZE} body within the timeout, so it was not taken in` };
  else if (v === "accepted") return { ...base, grade: "fail", advice: `your endpoint accepted a ${SIZE} body: ${CAP}` };
  else if (v === "errored") return { ...base, grade: "fail", advice: `answered ${answer.kind === "answered" ? answer.status : ""} to a ${SIZE} body, after reading it or failing on it: ${CAP}` };
  else if (v === "hung") return { ...base, grade: "fail", advice: `gave no answer to a ${SIZE} body within the timeout: ${CAP}` };
  else if (v === "unreachable") return { ...base, grade: "fail", advice: refusalAdvice(v, answer, `a ${SIZE} body`, ctx.timeoutMs) };
  else
    finding = {
      ...base,
      grade: "warn",
      advice: `refused a ${SIZE} body, but with ${answer.kind === "answered" ? answer.status : "an odd answer"} rather than 413: if it was read whole first, ${CAP}`,
    };
  return withObservation(ctx, finding, request.event.eventId, "never");
};

export const wrongContentTypeCheck: Check = refusalCheck(() => ({
  sent: "correctly signed, Content-Type: text/plain",
  what: "a body labelled text/plain",
  build: (d) => d.request(d.event(), { kind: "valid" }, { contentType: "text/plain; charset=utf-8" }),
  refused: "a body not labelled application/json is refused",
  accepted: "accepted a body labelled text/plain: harmless once verified, but answer 415 to anything not application/json so no parser has to guess",
  acceptedGrade: "warn",
  errored: (status) => `answered ${status} to a correctly signed body labelled text/plain: check the content type first and answer 415, never a 5xx that senders retry`,
}));

/** Signed over the malformed body itself, so a receiver that verifies first refuses it only for not being JSON. */
export const malformedJsonCheck: Check = refusalCheck(() => ({
  sent: "correctly signed, the body JSON cut in half",
  what: "a correctly signed body that is not JSON",
  build: (d) => {
    const event = d.event();
    return d.request(event, { kind: "valid" }, { body: malformedBody(event) });
  },
  refused: "a signed body that is not JSON is refused with 4xx",
  accepted: "accepted a body that is not JSON: if you queue raw bodies for later, make sure the worker drops it rather than failing on it for ever",
  acceptedGrade: "warn",
  errored: (status) => `answered ${status} to a correctly signed body that is not JSON: verify, then parse, and answer 400 when parsing fails (a 5xx makes senders retry it for days)`,
}));
