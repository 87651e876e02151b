import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { Deliveries, malformedBody, OVERSIZED_BYTES, type ProbeRequest, type Signing } from "../src/probe/deliveries.js";
import { acceptanceGrade, refusalGrade, verdictOf } from "../src/probe/grade.js";
import { readObservation } from "../src/probe/observe.js";
import { checkTimeout, maxDeliveries, parseOnly } from "../src/probe/options.js";
import { CHECK_NAMES } from "../src/contract/probe.js";
import { shownUrl } from "../src/probe/run.js";
import type { Answer } from "../src/probe/wire.js";
import { generateSecret } from "../src/webhooks/signature.js";

const secret = generateSecret();

// The deliveries are what each check says they are, as judged by someone else's code: the
// `standardwebhooks` reference library and Stripe's `constructEvent`.
describe("the probe's deliveries, checked by the independent verifiers", () => {
  const standard = new Deliveries(secret, "standard-webhooks");
  const wh = new Webhook(secret);
  const verifyStandard = (r: ProbeRequest) => () => wh.verify(r.body, r.headers);

  it.each<[string, Signing]>([
    ["missing", { kind: "missing" }],
    ["random", { kind: "random" }],
    ["wrong-secret", { kind: "wrong-secret" }],
    ["truncated", { kind: "truncated" }],
  ])("standard-webhooks: a %s signature is refused by standardwebhooks", (_name, signing) => {
    expect(verifyStandard(standard.request(standard.event(), signing))).toThrow(WebhookVerificationError);
  });

  it("standard-webhooks: valid and rotated verify; tampered does not; the timestamps land either side of ±5 min", () => {
    expect(verifyStandard(standard.request(standard.event()))()).toMatchObject({ type: "payment.succeeded", data: { status: "succeeded" } });
    const rotated = standard.request(standard.event(), { kind: "rotated" });
    expect(rotated.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verifyStandard(rotated)).not.toThrow();
    const tampered = standard.tampered(standard.event());
    expect([...tampered.body].filter((c, i) => c !== standard.request(tampered.event).body[i])).toHaveLength(1);
    expect(verifyStandard(tampered)).toThrow(WebhookVerificationError);
    expect(verifyStandard(standard.request(standard.event(), { kind: "valid" }, { offsetSeconds: -360 }))).toThrow(/too old/);
    expect(verifyStandard(standard.request(standard.event(), { kind: "valid" }, { offsetSeconds: 360 }))).toThrow(/too new/);
    expect(verifyStandard(standard.request(standard.event(), { kind: "valid" }, { offsetSeconds: -240 }))).not.toThrow();
  });

  it("standard-webhooks: the malformed body verifies, then fails to parse; the oversized one is exactly 2 MiB of valid JSON", () => {
    const event = standard.event();
    const malformed = standard.request(event, { kind: "valid" }, { body: malformedBody(event) });
    expect(verifyStandard(malformed)).toThrow(SyntaxError);
    const big = standard.request(standard.event("succeeded", { padToBytes: OVERSIZED_BYTES }));
    expect(Buffer.byteLength(big.body)).toBe(OVERSIZED_BYTES);
    expect(verifyStandard(big)()).toMatchObject({ type: "payment.succeeded" });
  });

  it("every event has a fresh event id and payment id; out-of-order pairs share the payment", () => {
    // A fixed clock: two events made a few ms apart must not blur the 60 s backdating compared below.
    const fixed = new Deliveries(secret, "standard-webhooks", () => 1_796_070_959_000);
    const a = fixed.event();
    const b = fixed.event("failed", { payment: a.paymentId, ageMs: 60_000 });
    expect(b.eventId).not.toBe(a.eventId);
    expect(b.paymentId).toBe(a.paymentId);
    expect(Date.parse(JSON.parse(b.body).timestamp)).toBe(Date.parse(JSON.parse(a.body).timestamp) - 60_000);
    expect(fixed.event().paymentId).not.toBe(a.paymentId);
  });

  it("only deliveries a correct receiver accepts are marked genuine (worth re-sending after Retry-After)", () => {
    const e = standard.event();
    expect(standard.request(e).genuine).toBe(true);
    expect(standard.request(e, { kind: "rotated" }).genuine).toBe(true);
    expect(standard.request(e, { kind: "wrong-secret" }).genuine).toBe(false);
    expect(standard.request(e, { kind: "valid" }, { offsetSeconds: -360 }).genuine).toBe(false);
    expect(standard.request(e, { kind: "valid" }, { contentType: "text/plain" }).genuine).toBe(false);
    expect(standard.tampered(e).genuine).toBe(false);
  });

  const stripeDeliveries = new Deliveries(secret, "stripe");
  const stripe = new Stripe("sk_test_apiwh_probe");
  const construct = (r: ProbeRequest) => () => stripe.webhooks.constructEvent(r.body, r.headers["stripe-signature"] ?? "", secret);

  it("stripe: valid and rotated pass constructEvent; made-up, wrong-secret, truncated, missing, tampered and stale do not; a timestamp ahead passes, as in Stripe's library", () => {
    const ok = construct(stripeDeliveries.request(stripeDeliveries.event()))() as unknown as { id: string; type: string };
    expect(ok.id).toMatch(/^evt_probe_/);
    expect(ok.type).toBe("payment.succeeded");
    expect(construct(stripeDeliveries.request(stripeDeliveries.event(), { kind: "rotated" }))).not.toThrow();
    for (const kind of ["random", "wrong-secret", "truncated", "missing"] as const) expect(construct(stripeDeliveries.request(stripeDeliveries.event(), { kind }))).toThrow();
    expect(construct(stripeDeliveries.tampered(stripeDeliveries.event()))).toThrow();
    expect(construct(stripeDeliveries.request(stripeDeliveries.event(), { kind: "valid" }, { offsetSeconds: -360 }))).toThrow(/tolerance/);
    expect(construct(stripeDeliveries.request(stripeDeliveries.event(), { kind: "valid" }, { offsetSeconds: 360 }))).not.toThrow();
    expect(stripeDeliveries.request(stripeDeliveries.event()).headers["webhook-id"]).toBeUndefined();
  });
});

describe("grading one answer", () => {
  const answered = (status: number): Answer => ({ kind: "answered", status, ms: 1, body: "" });
  it.each<[Answer, string, string, string]>([
    [answered(204), "accepted", "fail", "pass"],
    [answered(401), "refused", "pass", "fail"],
    [answered(413), "refused", "pass", "fail"],
    [answered(410), "disable", "warn", "fail"],
    [answered(429), "throttled", "warn", "fail"],
    [answered(302), "redirected", "warn", "fail"],
    [answered(500), "errored", "fail", "fail"],
    [{ kind: "timeout", ms: 500 }, "hung", "fail", "fail"],
    [{ kind: "closed", ms: 1, code: "ECONNRESET" }, "closed", "warn", "fail"],
    [{ kind: "unreachable", ms: 1, code: "ECONNREFUSED" }, "unreachable", "fail", "fail"],
  ])("%j is %s: %s where it must be refused, %s where it must be accepted", (answer, verdict, refusal, acceptance) => {
    const v = verdictOf(answer);
    expect(v).toBe(verdict);
    expect(refusalGrade(v)).toBe(refusal);
    expect(acceptanceGrade(v)).toBe(acceptance);
  });
});

describe("the --observe protocol", () => {
  const reply = (status: number, body: string): Answer => ({ kind: "answered", status, ms: 1, body });
  it.each<[Answer, unknown]>([
    [reply(200, '{"processed": 1, "status": "succeeded"}'), { ok: true, value: { processed: 1, status: "succeeded" } }],
    [reply(200, '{"processed": 0}'), { ok: true, value: { processed: 0, status: null } }],
    [reply(404, ""), { ok: true, value: { processed: 0, status: null } }],
    [reply(200, '{"processed": "1"}'), { ok: false, problem: 'the observe endpoint\'s answer has no whole-number "processed"' }],
    [reply(200, '{"processed": 1.5}'), { ok: false, problem: 'the observe endpoint\'s answer has no whole-number "processed"' }],
    [reply(200, '{"processed": 1, "status": 3}'), { ok: false, problem: 'the observe endpoint\'s "status" is not a string or null' }],
    [reply(200, "processed=1"), { ok: false, problem: "the observe endpoint's answer is not JSON" }],
    [reply(500, ""), { ok: false, problem: "the observe endpoint answered 500" }],
    [{ kind: "timeout", ms: 1 }, { ok: false, problem: "the observe endpoint did not answer in time" }],
  ])("%j → %j", (answer, expected) => expect(readObservation(answer)).toEqual(expected));
});

describe("probe flags", () => {
  it("--only: known names in any order, refused with the list otherwise", () => {
    expect(parseOnly(" burst ,replay")).toEqual(["burst", "replay"]);
    expect(() => parseOnly("replay,nope")).toThrow(UsageError);
    expect(() => parseOnly(",")).toThrow(/names no check/);
  });

  it("--timeout: 100 ms to 60 s", () => {
    expect(checkTimeout(100)).toBe(100);
    expect(checkTimeout(60_000)).toBe(60_000);
    expect(() => checkTimeout(99)).toThrow(/--timeout 99ms: out of range; expected a duration from 100ms to 1m/);
    expect(() => checkTimeout(60_001)).toThrow(UsageError);
  });

  it("the bound on deliveries: 17 for the single checks, plus --deliveries, --concurrency and one re-send", () => {
    const singles = CHECK_NAMES.filter((n) => !["slow-path", "burst", "retry-after"].includes(n));
    expect(maxDeliveries(singles, 50, 20)).toBe(17);
    expect(maxDeliveries(null, 50, 20)).toBe(17 + 50 + 20 + 1);
    expect(maxDeliveries(["burst"], 50, 7)).toBe(7);
  });

  it("a password in a URL is never shown", () => {
    expect(shownUrl(new URL("https://hook:s3cret@example.com/webhooks?x=1"))).toBe("https://hook:***@example.com/webhooks?x=1");
    expect(shownUrl(new URL("http://127.0.0.1:3000/webhooks"))).toBe("http://127.0.0.1:3000/webhooks");
  });
});

describe("the README's section on apiwh probe", () => {
  const root = new URL("..", import.meta.url);
  const readme = readFileSync(new URL("README.md", root), "utf8");

  it("shows examples/receivers/receiver.mjs verbatim (the file the end-to-end tests probe)", () => {
    expect(readme).toContain("```js\n" + readFileSync(new URL("examples/receivers/receiver.mjs", root), "utf8"));
  });

  it("describes every check, in the order they run", () => {
    const table = /### What each check sends[^]*?\n\n(\|[^]*?)\n\n/.exec(readme)![1]!;
    expect([...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1])).toEqual([...CHECK_NAMES]);
  });
});
