/**
 * Each profile's signature scheme against someone else's code: the provider's own SDK where one
 * installs on Node 20 (standardwebhooks, svix, stripe, @octokit/webhooks-methods, @slack/bolt's
 * verifySlackRequest), else the provider's documented recipe written out here with node:crypto
 * (Shopify, Square). Both directions where the SDK signs: what we send, it accepts; what it sends,
 * we accept. And a tampered body fails for each.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import Stripe from "stripe";
import { sign as githubSign, verify as githubVerify } from "@octokit/webhooks-methods";
import { verifySlackRequest } from "@slack/bolt";
import type { PaymentView } from "../src/api/payment.js";
import { PROFILES } from "../src/api/profiles.js";
import type { Profile } from "../src/api/profile.js";
import { deliveryOf, readDelivery } from "../src/webhooks/delivery.js";
import { signWith, verifyWith, type HeaderBag } from "../src/webhooks/schemes.js";
import { generateSecret } from "../src/webhooks/signature.js";

const secret = generateSecret();
const url = "http://127.0.0.1:4011/webhook?shop=a";
const now = Math.floor(Date.now() / 1000);
const payment: PaymentView = {
  id: "pay_7",
  object: "payment",
  amount: 1250,
  currency: "usd",
  status: "succeeded",
  created_at: "2026-01-02T03:04:05.678Z",
  updated_at: "2026-01-02T03:04:07.912Z",
};

function sent(profile: Profile, at = now) {
  return deliveryOf(profile, { secret, eventId: "evt_41", payment, timestamp: at, url });
}
const tamper = (body: string) => body.replace("pay_7", "pay_8");
const ours = (profile: Profile, headers: HeaderBag, body: string, nowSeconds = now) => verifyWith(profile.signature.value, { secret, headers, body, url, nowSeconds });

describe("standard: the standardwebhooks reference library", () => {
  const profile = PROFILES.standard;
  it("verifies what we sign, and refuses a tampered body", () => {
    const { headers, body } = sent(profile);
    expect(new StandardWebhook(secret).verify(body, headers)).toMatchObject({ type: "payment.succeeded", data: { id: "pay_7" } });
    expect(() => new StandardWebhook(secret).verify(tamper(body), headers)).toThrow();
  });
  it("signs what we verify", () => {
    const body = sent(profile).body;
    const signature = new StandardWebhook(secret).sign("msg_9", new Date(now * 1000), body);
    const headers = { "webhook-id": "msg_9", "webhook-timestamp": String(now), "webhook-signature": signature };
    expect(ours(profile, headers, body)).toBeNull();
    expect(ours(profile, headers, tamper(body))).toBe("bad-signature");
  });
});

describe("svix: the svix package (its own header names)", () => {
  const profile = PROFILES.svix;
  it("verifies what we sign under svix-* headers, and refuses a tampered body", () => {
    const { headers, body } = sent(profile);
    expect(Object.keys(headers).filter((h) => h.startsWith("svix-")).sort()).toEqual(["svix-id", "svix-signature", "svix-timestamp"]);
    expect(Object.keys(headers).some((h) => h.startsWith("webhook-"))).toBe(false);
    expect(new SvixWebhook(secret).verify(body, headers)).toMatchObject({ type: "payment.succeeded" });
    expect(() => new SvixWebhook(secret).verify(tamper(body), headers)).toThrow();
  });
  it("signs what we verify", () => {
    const body = sent(profile).body;
    const signature = new SvixWebhook(secret).sign("msg_9", new Date(now * 1000), body);
    const headers = { "svix-id": "msg_9", "svix-timestamp": String(now), "svix-signature": signature };
    expect(ours(profile, headers, body)).toBeNull();
    expect(ours(profile, headers, tamper(body))).toBe("bad-signature");
  });
});

describe("stripe: stripe.webhooks", () => {
  const profile = PROFILES.stripe;
  const stripe = new Stripe("sk_test_apiwh");
  it("constructEvent accepts what we sign and refuses a tampered body", () => {
    const { headers, body } = sent(profile);
    const event = stripe.webhooks.constructEvent(body, headers["stripe-signature"]!, secret);
    expect(event).toMatchObject({ id: "evt_41", object: "event", type: "payment_intent.succeeded", data: { object: { id: "pay_7", object: "payment_intent", status: "succeeded" } } });
    expect(() => stripe.webhooks.constructEvent(tamper(body), headers["stripe-signature"]!, secret)).toThrow();
  });
  it("signs (generateTestHeaderString) what we verify", () => {
    const body = sent(profile).body;
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now });
    expect(ours(profile, { "stripe-signature": header }, body)).toBeNull();
    expect(ours(profile, { "stripe-signature": header }, tamper(body))).toBe("bad-signature");
  });
});

describe("github: @octokit/webhooks-methods", () => {
  const profile = PROFILES.github;
  it("verifies what we sign, and refuses a tampered body", async () => {
    const { headers, body } = sent(profile);
    expect(headers["x-hub-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await githubVerify(secret, body, headers["x-hub-signature-256"]!)).toBe(true);
    expect(await githubVerify(secret, tamper(body), headers["x-hub-signature-256"]!)).toBe(false);
  });
  it("signs what we verify", async () => {
    const body = sent(profile).body;
    const signature = await githubSign(secret, body);
    expect(ours(profile, { "x-hub-signature-256": signature }, body)).toBeNull();
    expect(ours(profile, { "x-hub-signature-256": signature }, tamper(body))).toBe("bad-signature");
    // The legacy SHA-1 form is not the header this scheme reads.
    expect(ours(profile, { "x-hub-signature-256": signature.replace("sha256=", "sha1=") }, body)).toBe("bad-signature");
  });
});

describe("slack: @slack/bolt's verifySlackRequest, and Slack's published example", () => {
  const profile = PROFILES.slack;
  const boltAccepts = (headers: Record<string, string>, body: string, nowMs = now * 1000) =>
    verifySlackRequest({
      signingSecret: secret,
      body,
      headers: { "x-slack-signature": headers["x-slack-signature"]!, "x-slack-request-timestamp": Number(headers["x-slack-request-timestamp"]) },
      nowMilliseconds: nowMs,
    });
  it("bolt verifies what we sign, and refuses a tampered body and a stale timestamp", () => {
    const { headers, body } = sent(profile);
    expect(() => boltAccepts(headers, body)).not.toThrow();
    expect(() => boltAccepts(headers, tamper(body))).toThrow(/signature mismatch/);
    expect(() => boltAccepts(sent(profile, now - 301).headers, body)).toThrow(/stale/);
  });
  it("we verify Slack's worked example (api.slack.com/authentication/verifying-requests-from-slack)", () => {
    // The documentation's own request, secret and signature: an independent vector of the scheme.
    const example = {
      secret: "8f742231b10e8888abcd99yyyzzz85a5",
      timestamp: 1531420618,
      body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
      signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    };
    const spec = profile.signature.value;
    const headers = { "x-slack-signature": example.signature, "x-slack-request-timestamp": String(example.timestamp) };
    const input = { secret: example.secret, headers, body: example.body, url, nowSeconds: example.timestamp + 10 };
    expect(verifyWith(spec, input)).toBeNull();
    expect(signWith(spec, { secret: example.secret, eventId: "", timestamp: example.timestamp, body: example.body, url })["x-slack-signature"]).toBe(example.signature);
    expect(verifyWith(spec, { ...input, body: example.body.replace("foobar", "foobaz") })).toBe("bad-signature");
    expect(verifyWith(spec, { ...input, nowSeconds: example.timestamp + 301 })).toBe("stale-timestamp");
    // Only version v0 exists: the same digest under another version is not a signature.
    expect(verifyWith(spec, { ...input, headers: { ...headers, "x-slack-signature": example.signature.replace("v0=", "v1=") } })).toBe("bad-signature");
  });
});

describe("shopify: the documented recipe, base64 HMAC-SHA256 of the raw body (node:crypto)", () => {
  const profile = PROFILES.shopify;
  it("our header is the recipe's digest, and a tampered body fails", () => {
    const { headers, body } = sent(profile);
    expect(headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", secret).update(body, "utf8").digest("base64"));
    expect(ours(profile, headers, body)).toBeNull();
    expect(ours(profile, headers, tamper(body))).toBe("bad-signature");
  });
  it("verifies a digest computed by the recipe over a body with non-ASCII bytes", () => {
    const body = JSON.stringify({ id: "pay_1", note: "café ☕" });
    const digest = createHmac("sha256", secret).update(Buffer.from(body, "utf8")).digest("base64");
    expect(ours(profile, { "x-shopify-hmac-sha256": digest }, body)).toBeNull();
    expect(ours(profile, { "x-shopify-hmac-sha256": digest }, body.replace("é", "e"))).toBe("bad-signature");
  });
});

describe("square: the documented recipe, base64 HMAC-SHA256 of the notification URL + raw body (node:crypto)", () => {
  const profile = PROFILES.square;
  it("our header is the recipe's digest; a tampered body or another URL fails", () => {
    const { headers, body } = sent(profile);
    expect(headers["x-square-hmacsha256-signature"]).toBe(createHmac("sha256", secret).update(url + body).digest("base64"));
    expect(ours(profile, headers, body)).toBeNull();
    expect(ours(profile, headers, tamper(body))).toBe("bad-signature");
    expect(verifyWith(profile.signature.value, { secret, headers, body, url: "http://127.0.0.1:4011/webhook", nowSeconds: now })).toBe("bad-signature");
  });
});

describe("every scheme refuses what the receiver counts today", () => {
  const names = Object.keys(PROFILES) as Array<keyof typeof PROFILES>;

  it.each(names)("%s: no headers → missing-headers; a wrong secret → bad-signature", (name) => {
    const profile = PROFILES[name];
    const { headers, body } = sent(profile);
    expect(ours(profile, {}, body)).toBe("missing-headers");
    expect(verifyWith(profile.signature.value, { secret: generateSecret(), headers, body, url, nowSeconds: now })).toBe("bad-signature");
  });

  it.each(names.filter((n) => PROFILES[n].signature.value.toleranceSeconds !== null))("%s: a timestamp past the tolerance, either way, → stale-timestamp", (name) => {
    const profile = PROFILES[name];
    const tolerance = profile.signature.value.toleranceSeconds!;
    const { headers, body } = sent(profile);
    expect(ours(profile, headers, body, now + tolerance)).toBeNull();
    expect(ours(profile, headers, body, now + tolerance + 1)).toBe("stale-timestamp");
    expect(ours(profile, headers, body, now - tolerance - 1)).toBe("stale-timestamp");
  });

  it.each(names.filter((n) => PROFILES[n].signature.value.toleranceSeconds === null))("%s signs no timestamp: a day-old delivery still verifies", (name) => {
    const profile = PROFILES[name];
    const { headers, body } = sent(profile, now - 86_400);
    expect(ours(profile, headers, body)).toBeNull();
  });

  it.each(["standard", "svix"] as const)("%s: any of several space-separated signatures verifies (secret rotation)", (name) => {
    const profile = PROFILES[name];
    const { headers, body } = sent(profile);
    const h = profile.signature.value.headers;
    const old = signWith(profile.signature.value, { secret: generateSecret(), eventId: "evt_41", timestamp: now, body, url })[h.signature];
    expect(ours(profile, { ...headers, [h.signature]: `${old} ${headers[h.signature]}` }, body)).toBeNull();
    expect(ours(profile, { ...headers, [h.signature]: `${old} ${old}` }, body)).toBe("bad-signature");
  });

  it("stripe: any of several v1 entries verifies, and v0 entries are ignored", () => {
    const profile = PROFILES.stripe;
    const { headers, body } = sent(profile);
    const [t, v1] = headers["stripe-signature"]!.split(",");
    const other = "0".repeat(64);
    expect(ours(profile, { "stripe-signature": `${t},v1=${other},${v1}` }, body)).toBeNull();
    expect(ours(profile, { "stripe-signature": `${t},v0=${v1!.slice(3)},v1=${other}` }, body)).toBe("bad-signature");
  });

  it.each(names)("%s: the receiver's reading refuses a tampered body before looking at it", (name) => {
    const profile = PROFILES[name];
    const { headers, body } = sent(profile);
    expect(readDelivery(profile, { secret, headers, body: tamper(body), url, nowSeconds: now })).toEqual({ failure: "bad-signature" });
  });
});
