/**
 * Checks of verification: the signature (missing, made up, wrong secret, tampered body, cut
 * short, rotated) and the timestamp (too old, too new, old but within tolerance).
 */
import { acceptanceCheck, refusalCheck } from "./check-kinds.js";
import type { Check, ProbeContext } from "./context.js";
import { TOLERANCE_SECONDS } from "./sign.js";

/** Offsets of the timestamp checks: a minute either side of the ±5 min tolerance (TOLERANCE_SECONDS). */
const OUTSIDE_S = TOLERANCE_SECONDS + 60;
const INSIDE_S = TOLERANCE_SECONDS - 60;
const minutes = (s: number) => `${s / 60} min`;

/** What the HMAC covers in the chosen scheme, for advice. */
function signedContent(ctx: ProbeContext): string {
  return ctx.signature === "stripe" ? "`t.body`" : "`id.timestamp.body`";
}

export const validCheck: Check = acceptanceCheck((ctx) => ({
  sent: "a correctly signed payment.succeeded",
  what: "a correctly signed delivery",
  build: (d) => d.request(d.event()),
  accepted: "a correctly signed delivery is acknowledged with 2xx",
  refused: (status) =>
    `your endpoint refused a correctly signed delivery (${status}): check it holds this secret and computes HMAC-SHA256 of ${signedContent(ctx)} over the raw body, ${
      ctx.signature === "stripe" ? "keyed with the whole whsec_ string" : "keyed with the base64-decoded part after whsec_"
    }`,
}));

export const missingSignatureCheck: Check = refusalCheck((ctx) => ({
  sent: `no ${ctx.deliveries.header} header`,
  what: "a delivery with no signature",
  build: (d) => d.request(d.event(), { kind: "missing" }),
  refused: "a delivery without a signature is refused",
  accepted: `your endpoint accepted a delivery with no ${ctx.deliveries.header}: refuse (401) every delivery whose signature is missing, before reading the event`,
}));

export const badSignatureCheck: Check = refusalCheck((ctx) => ({
  sent: `${ctx.deliveries.header} of random bytes`,
  what: "a made-up signature",
  build: (d) => d.request(d.event(), { kind: "random" }),
  refused: "a made-up signature is refused",
  accepted: `your endpoint accepted a made-up signature: compute HMAC-SHA256 of ${signedContent(ctx)} and refuse (401) a mismatch`,
}));

export const wrongSecretCheck: Check = refusalCheck((ctx) => ({
  sent: "signed with another secret",
  what: "a body signed with another secret",
  build: (d) => d.request(d.event(), { kind: "wrong-secret" }),
  refused: "a body signed with another secret is refused",
  accepted: `your endpoint accepted a body signed with the wrong secret: verify \`${ctx.deliveries.header}\` over the raw body before parsing`,
}));

export const tamperedBodyCheck: Check = refusalCheck(() => ({
  sent: "one body byte changed after signing",
  what: "a body changed after signing",
  build: (d) => d.tampered(d.event()),
  refused: "a body changed after signing is refused: the HMAC covers the raw bytes",
  accepted: "your endpoint accepted a body changed after it was signed: compute the HMAC over the raw bytes received, never over re-serialised JSON",
}));

export const truncatedSignatureCheck: Check = refusalCheck(() => ({
  sent: "the right signature cut to half its length",
  what: "half a signature",
  build: (d) => d.request(d.event(), { kind: "truncated" }),
  refused: "half a signature is refused: the whole value is compared",
  accepted: "your endpoint accepted half a signature: compare the whole decoded signature in constant time (a length check, then crypto.timingSafeEqual), never a prefix",
}));

export const staleTimestampCheck: Check = refusalCheck(() => ({
  sent: `correctly signed, timestamp ${minutes(OUTSIDE_S)} old`,
  what: `a delivery signed ${minutes(OUTSIDE_S)} ago`,
  build: (d) => d.request(d.event(), { kind: "valid" }, { offsetSeconds: -OUTSIDE_S }),
  refused: `a delivery signed ${minutes(OUTSIDE_S)} ago is refused, so a captured one cannot be replayed later`,
  accepted: `your endpoint accepted a delivery signed ${minutes(OUTSIDE_S)} ago: refuse timestamps more than ${minutes(TOLERANCE_SECONDS)} old, or anyone who captures a delivery can replay it for ever`,
}));

/**
 * Stripe's libraries refuse only timestamps that are too old (stripe-node `constructEvent`,
 * FACTS.md), so in that scheme a timestamp ahead is accepted by a correct receiver: the check
 * then only asks for an answer that is not a 5xx or a hang.
 */
export const futureTimestampCheck: Check = refusalCheck((ctx) => ({
  sent: `correctly signed, timestamp ${minutes(OUTSIDE_S)} ahead`,
  what: `a delivery signed ${minutes(OUTSIDE_S)} in the future`,
  build: (d) => d.request(d.event(), { kind: "valid" }, { offsetSeconds: OUTSIDE_S }),
  refused: `a timestamp ${minutes(OUTSIDE_S)} ahead is refused, as the Standard Webhooks reference library does`,
  ...(ctx.signature === "stripe"
    ? { accepted: `accepted, as Stripe's own libraries do: they refuse only timestamps more than ${minutes(TOLERANCE_SECONDS)} old`, acceptedGrade: "pass" as const }
    : { accepted: `your endpoint accepted a timestamp ${minutes(OUTSIDE_S)} in the future: refuse those more than ${minutes(TOLERANCE_SECONDS)} ahead too, or a signed delivery stays replayable for longer` }),
}));

export const withinToleranceCheck: Check = acceptanceCheck(() => ({
  sent: `correctly signed, timestamp ${minutes(INSIDE_S)} old`,
  what: `a delivery signed ${minutes(INSIDE_S)} ago`,
  build: (d) => d.request(d.event(), { kind: "valid" }, { offsetSeconds: -INSIDE_S }),
  accepted: `a delivery signed ${minutes(INSIDE_S)} ago is accepted: the tolerance leaves room for queues and clock skew`,
  refused: (status) =>
    `your endpoint refused (${status}) a delivery signed ${minutes(INSIDE_S)} ago: its tolerance is tighter than the ${minutes(TOLERANCE_SECONDS)} senders and libraries use, so delayed retries and skewed clocks will be refused`,
}));

export const rotatedSecretCheck: Check = acceptanceCheck((ctx) => ({
  sent: ctx.signature === "stripe" ? "two v1= signatures: another secret's, then the right one" : "two signatures: another secret's, then the right one",
  what: "a header with two signatures, the second one right",
  build: (d) => d.request(d.event(), { kind: "rotated" }),
  accepted: "a header with several signatures is accepted when any one matches, so secrets can rotate without downtime",
  refused: (status) =>
    `your endpoint refused (${status}) a header holding two signatures where the second matched: try every ${ctx.signature === "stripe" ? "v1= entry of Stripe-Signature" : "space-separated v1, entry of webhook-signature"}, so secrets can rotate`,
}));
