import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PaymentStatus, PaymentView } from "../src/api/payment.js";
import { attemptTimes, PROFILE_NAMES, type Profile } from "../src/api/profile.js";
import { PROFILES } from "../src/api/profiles.js";
import { makePalette } from "../src/render/color.js";
import { profileRows, renderProfileExplain, renderProfilesMarkdown, scheduleText, span } from "../src/render/profile.js";
import { visibleWidth } from "../src/render/text.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { retries, STANDARD_RETRIES_MS, webhookTimeout } from "../src/scenario/fields.js";
import { validateScenario } from "../src/scenario/validate.js";
import { deliveryOf, readDelivery } from "../src/webhooks/delivery.js";
import { eventIdFor, parseEnvelope } from "../src/webhooks/envelopes.js";
import { eventBody } from "../src/webhooks/event.js";
import { signedHeaders } from "../src/webhooks/headers.js";
import { signWith } from "../src/webhooks/schemes.js";
import { generateSecret, standardKey } from "../src/webhooks/signature.js";

const { s: SECOND, m: MINUTE, h: HOUR, d: DAY } = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const secret = generateSecret();
const url = "http://127.0.0.1:4011/webhook";
const now = Math.floor(Date.now() / 1000);
const ALL = Object.values(PROFILES);
const STATUSES: PaymentStatus[] = ["pending", "succeeded", "failed"];

const paymentWith = (status: PaymentStatus, over: Partial<PaymentView> = {}): PaymentView => ({
  id: "pay_3",
  object: "payment",
  amount: 1250,
  currency: "usd",
  status,
  created_at: "2026-01-02T03:04:05.678Z",
  updated_at: "2026-01-02T03:04:07.912Z",
  ...over,
});

const send = (profile: Profile, payment: PaymentView, seq = 41, retry?: { number: number; reason: string }) => {
  const eventId = eventIdFor(profile.envelope.value, seq);
  return { eventId, ...deliveryOf(profile, { secret, eventId, payment, timestamp: now, url, ...(retry ? { retry } : {}) }) };
};
const receive = (profile: Profile, headers: Record<string, string>, body: string) => readDelivery(profile, { secret, headers, body, url, nowSeconds: now });

describe("each profile's receiver reads what its sender writes", () => {
  const cases = ALL.flatMap((p) => STATUSES.map((s) => [p.name, s, p] as const));

  it.each(cases)("%s, a %s payment", (_name, status, profile) => {
    const payment = paymentWith(status);
    const { eventId, body, headers } = send(profile, payment);
    const { event, failure } = receive(profile, headers, body);
    expect(failure).toBeUndefined();
    const wire = profile.envelope.value.events[status];
    // Stripe's event states its time in whole unix seconds; every other envelope keeps the payment's own.
    const timestamp = profile.name === "stripe" ? "2026-01-02T03:04:07.000Z" : payment.updated_at;
    expect(event).toEqual({ id: eventId, type: wire.type, timestamp, data: { id: "pay_3", status } });
    expect(headers["content-type"]).toBe("application/json");
  });

  it("every header name is lower-case, as node:http hands them to a receiver", () => {
    for (const p of ALL) {
      const { headers } = send(p, paymentWith("succeeded"), 1, { number: 1, reason: "timeout" });
      for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase());
    }
  });

  it("standard sends today's bytes: the body and headers of the standard-webhooks format", () => {
    const payment = paymentWith("succeeded");
    const { body, headers } = send(PROFILES.standard, payment);
    expect(body).toBe(eventBody("standard-webhooks", "evt_41", payment));
    expect(headers).toEqual({ "content-type": "application/json", ...signedHeaders("standard-webhooks", secret, standardKey(secret), "evt_41", now, body) });
  });

  it("stripe: a payment_intent event with the intent in data.object, its id first", () => {
    const { body } = send(PROFILES.stripe, paymentWith("failed"));
    expect(body.startsWith(`{"id":"evt_41","object":"event","type":"payment_intent.payment_failed",`)).toBe(true);
    expect(JSON.parse(body).data.object).toEqual({ id: "pay_3", object: "payment_intent", amount: 1250, currency: "usd", status: "requires_payment_method", created: 1767323045 });
  });

  it("github: X-GitHub-Event names the event, X-GitHub-Delivery is a GUID, the body is { action, payment }", () => {
    const { headers, body } = send(PROFILES.github, paymentWith("succeeded"), 0x2a);
    expect(headers["x-github-event"]).toBe("payment");
    expect(headers["x-github-delivery"]).toBe("00000000-0000-4000-8000-00000000002a");
    expect(headers["x-github-delivery"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.parse(body)).toEqual({ action: "succeeded", payment: paymentWith("succeeded") });
  });

  it("shopify: orders/paid in X-Shopify-Topic, the id in X-Shopify-Event-Id, money in major units of the currency", () => {
    const { headers, body } = send(PROFILES.shopify, paymentWith("succeeded"));
    expect(headers).toMatchObject({ "x-shopify-topic": "orders/paid", "x-shopify-event-id": "evt_41" });
    expect(JSON.parse(body)).toMatchObject({ id: "pay_3", financial_status: "paid", total_price: "12.50", currency: "USD" });
    // A currency without minor units is not divided by 100.
    expect(JSON.parse(send(PROFILES.shopify, paymentWith("succeeded", { currency: "jpy" })).body).total_price).toBe("1250");
  });

  it("square: payment.updated with the payment under data.object.payment", () => {
    const body = JSON.parse(send(PROFILES.square, paymentWith("succeeded")).body);
    expect(body).toMatchObject({ type: "payment.updated", event_id: "evt_41", data: { type: "payment", id: "pay_3", object: { payment: { status: "COMPLETED", amount_money: { amount: 1250, currency: "USD" } } } } });
  });

  it("slack: an event_callback; retries carry X-Slack-Retry-Num and X-Slack-Retry-Reason, the first attempt neither", () => {
    const first = send(PROFILES.slack, paymentWith("succeeded"));
    expect(JSON.parse(first.body)).toMatchObject({ type: "event_callback", event_id: "evt_41", event: { type: "payment.succeeded" } });
    expect(Object.keys(first.headers).filter((h) => h.startsWith("x-slack-retry"))).toEqual([]);
    const retry = send(PROFILES.slack, paymentWith("succeeded"), 41, { number: 2, reason: "timeout" });
    expect(retry.headers).toMatchObject({ "x-slack-retry-num": "2", "x-slack-retry-reason": "timeout" });
    // Profiles that publish no retry headers send none.
    expect(Object.keys(send(PROFILES.svix, paymentWith("succeeded"), 41, { number: 2, reason: "timeout" }).headers).some((h) => h.includes("retry"))).toBe(false);
  });
});

describe("a verified body that is not an event of the profile's envelope is malformed", () => {
  const signedAs = (profile: Profile, body: string, extra: Record<string, string> = {}) => ({
    "content-type": "application/json",
    ...extra,
    ...signWith(profile.signature.value, { secret, eventId: "evt_9", timestamp: now, body, url }),
  });

  it.each(ALL.map((p) => [p.name, p] as const))("%s: not JSON, or another provider's event", (_name, profile) => {
    expect(receive(profile, signedAs(profile, "not json"), "not json")).toEqual({ failure: "malformed" });
    // Each profile's own event, as another profile wrote it, does not pass for its own.
    const other = profile.name === "stripe" ? PROFILES.square : PROFILES.stripe;
    const body = send(other, paymentWith("succeeded")).body;
    expect(receive(profile, signedAs(profile, body), body)).toEqual({ failure: "malformed" });
  });

  it("an event whose type and status word name none of our statuses", () => {
    const stripe = JSON.parse(send(PROFILES.stripe, paymentWith("succeeded")).body);
    stripe.data.object.status = "processing"; // payment_intent.succeeded with a processing intent
    expect(parseEnvelope(PROFILES.stripe.envelope.value, {}, JSON.stringify(stripe))).toBeNull();
    const github = JSON.stringify({ action: "refunded", payment: paymentWith("succeeded") });
    expect(parseEnvelope(PROFILES.github.envelope.value, { "x-github-event": "payment", "x-github-delivery": "g" }, github)).toBeNull();
  });

  it("an event without its id where the envelope keeps it", () => {
    const { body } = send(PROFILES.github, paymentWith("succeeded"));
    expect(parseEnvelope(PROFILES.github.envelope.value, { "x-github-event": "payment" }, body)).toBeNull();
    const square = JSON.parse(send(PROFILES.square, paymentWith("succeeded")).body);
    delete square.event_id;
    expect(parseEnvelope(PROFILES.square.envelope.value, {}, JSON.stringify(square))).toBeNull();
  });
});

describe("the profiles' values", () => {
  it("names every profile the scenario accepts, standard first", () => {
    expect(Object.keys(PROFILES)).toEqual([...PROFILE_NAMES]);
    for (const [name, p] of Object.entries(PROFILES)) expect(p.name).toBe(name);
  });

  it.each(ALL.map((p) => [p.name, p] as const))("%s: retries and timeout are values the scenario's own fields accept", (_name, p) => {
    expect(retries.read(p.retries.value.map((ms) => `${ms}ms`))).toEqual(p.retries.value);
    expect(webhookTimeout.read(`${p.timeoutMs.value}ms`)).toBe(p.timeoutMs.value);
    if (p.connectTimeoutMs.value !== null) expect(p.connectTimeoutMs.value).toBeLessThan(p.timeoutMs.value);
  });

  it("published schedules are the published figures", () => {
    expect(PROFILES.standard.retries.value).toEqual(STANDARD_RETRIES_MS);
    expect(PROFILES.github.retries.value).toEqual([0]);
    expect(PROFILES.slack.retries.value).toEqual([0, 0, MINUTE, 5 * MINUTE]);
    expect(PROFILES.svix.retries.value).toEqual([0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    // "about 27.6 h" (FACTS.md, Svix)
    expect(attemptTimes(PROFILES.svix.retries.value).at(-1)! / HOUR).toBeCloseTo(27.6, 1);
  });

  it("shopify, derived: 8 attempts whose waits double, the last 4 h after the first", () => {
    const waits = PROFILES.shopify.retries.value;
    expect(waits).toHaveLength(8);
    // Each wait is twice the one before, to the millisecond the rounding allows.
    for (let i = 2; i < waits.length; i++) expect(Math.abs(waits[i]! - 2 * waits[i - 1]!)).toBeLessThanOrEqual(1);
    expect(Math.abs(attemptTimes(waits).at(-1)! - 4 * HOUR)).toBeLessThanOrEqual(4);
  });

  it("square, derived: after 1, 2, 4, 8, 16, 32 min, then hourly while within 72 h", () => {
    const waits = PROFILES.square.retries.value;
    expect(waits.slice(0, 7)).toEqual([0, 1, 2, 4, 8, 16, 32].map((m) => m * MINUTE));
    expect(waits.slice(7).every((w) => w === HOUR)).toBe(true);
    const last = attemptTimes(waits).at(-1)!;
    expect(last).toBeLessThanOrEqual(72 * HOUR);
    expect(last + HOUR).toBeGreaterThan(72 * HOUR);
  });

  it("stripe, ours: exponential, within 3 days, and the source says the schedule is not published", () => {
    const waits = PROFILES.stripe.retries.value;
    for (let i = 2; i < waits.length; i++) expect(waits[i]).toBe(2 * waits[i - 1]!);
    const last = attemptTimes(waits).at(-1)!;
    expect(last).toBeLessThanOrEqual(3 * DAY);
    expect(last + 2 * waits.at(-1)!).toBeGreaterThan(3 * DAY);
    expect(PROFILES.stripe.retries.source.basis).toBe("ours");
    expect(PROFILES.stripe.timeoutMs.source.basis).toBe("ours");
  });

  it("every value names its source: a published or derived one cites FACTS.md, one of ours says what it chose", () => {
    for (const p of ALL) {
      for (const r of profileRows(p)) {
        const where = `${p.name} ${r.setting}`;
        if (r.source.basis === "ours") expect(r.source.note, where).toBeTruthy();
        else expect(r.source.ref, where).toContain("FACTS.md");
        if (r.source.basis === "derived") expect(r.source.note, where).toBeTruthy();
      }
    }
  });
});

describe("--explain, rendered", () => {
  it.each([
    [0, "0s"],
    [5 * SECOND, "5s"],
    [113_386, "1m 53s"],
    [HOUR + 28_000, "1h 28s"],
    [68.25 * HOUR, "68h 15m"],
    [21 * DAY, "21d"],
    [5 * DAY, "5d"],
    [75 * HOUR + 35 * MINUTE + 5 * SECOND, "75h 35m"],
    [8 * DAY + 2 * HOUR, "8d 2h"],
  ])("span(%d) = %s", (ms, text) => {
    expect(span(ms)).toBe(text);
  });

  it("schedules: one attempt, a short list, and a long run of one wait", () => {
    expect(scheduleText([0])).toBe("1 attempt: never retried");
    expect(scheduleText([0, 0, MINUTE, 5 * MINUTE])).toBe("4 attempts; waits after each failure 0s, 1m, 5m; the last 6m after the first");
    expect(scheduleText(PROFILES.square.retries.value)).toBe("77 attempts; waits after each failure 1m, 2m, 4m, 8m, 16m, 32m, 1h ×70; the last 71h 3m after the first");
  });

  it.each(ALL.map((p) => [p.name, p] as const))("%s: every setting with its value and source, within 80 columns", (_name, p) => {
    const text = renderProfileExplain(p, makePalette(false));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(`apiwh profile ${p.name}: ${p.title}`);
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
    const flat = text.replace(/\s+/g, " ");
    for (const r of profileRows(p)) {
      expect(flat).toContain(` ${r.setting} `);
      expect(flat).toContain(r.value.replace(/\s+/g, " "));
    }
    expect((text.match(/^ {19}(source:|derived from|not published|ours, after)/gm) ?? []).length).toBe(profileRows(p).length);
  });

  it("github's explanation states what issue 15 lists for it", () => {
    const flat = renderProfileExplain(PROFILES.github, makePalette(false)).replace(/\s+/g, " ");
    for (const fact of ["x-hub-signature-256: sha256=<hex HMAC-SHA256 of the body>", "1 attempt: never retried", "timeout 10s", "5,000 requests/h", "a 304 is free", "x-poll-interval: 60", "X-Poll-Interval header is published; FACTS.md gives no value"])
      expect(flat).toContain(fact);
  });

  it("colour only when the palette has it", () => {
    expect(renderProfileExplain(PROFILES.slack, makePalette(false))).not.toContain("\x1b[");
    expect(renderProfileExplain(PROFILES.slack, makePalette(true))).toContain("\x1b[");
  });

  it("the README's Profiles tables are the renderer's, from the same data", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const [, inside] = /<!-- profiles:begin[^>]*-->\n([\s\S]*?)<!-- profiles:end -->/.exec(readme) ?? [];
    expect(inside, "README.md has <!-- profiles:begin --> … <!-- profiles:end -->").toBeDefined();
    expect(inside!.trim()).toBe(renderProfilesMarkdown(ALL).trim());
  });
});

describe("the scenario's profile field", () => {
  it("defaults to standard and takes any profile's name", () => {
    expect(defaultScenario().profile).toBe("standard");
    for (const name of PROFILE_NAMES) expect(validateScenario({ profile: name }, "p.json").profile).toBe(name);
  });
});
