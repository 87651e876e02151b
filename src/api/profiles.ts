/**
 * The provider profiles: what each provider does, each value with its source (the vocabulary is in
 * profile.ts). Every published value is quoted from the shared FACTS.md, which names the
 * provider's page; where FACTS.md has no value, the source says "not published" and the note
 * says what apiwh chose instead. Providers change their figures: check the page before relying
 * on one that matters.
 */
import { STANDARD_RETRIES_MS, STANDARD_TIMEOUT_MS } from "../scenario/fields.js";
import { MS_PER_UNIT } from "../scenario/units.js";
import type { PaymentStatus } from "./payment.js";
import { doublingOver, doublingThenEvery, doublingWithin, type EnvelopeSpec, type Profile, type ProfileName, type Source, type SuccessRule, type WireEvent } from "./profile.js";

const { s: SECOND, m: MINUTE, h: HOUR, d: DAY } = MS_PER_UNIT;

const published = (ref: string, note?: string): Source => ({ basis: "published", ref, ...(note ? { note } : {}) });
const derived = (ref: string, note: string): Source => ({ basis: "derived", ref, note });
const ours = (note: string): Source => ({ basis: "ours", ref: "not published", note });

/** The FACTS.md sections, and the provider pages they quote. */
const FACTS = {
  standard: "FACTS.md, Standard Webhooks (spec 1.0.0, standard-webhooks spec/standard-webhooks.md)",
  stripe: "FACTS.md, Stripe (stripe-node src/Webhooks.ts; docs.stripe.com)",
  stripeRetries: "docs.stripe.com/webhooks/process-undelivered-events (FACTS.md, Real providers)",
  stripeRates: "docs.stripe.com/rate-limits (FACTS.md, Stripe)",
  github: "FACTS.md, Real providers: GitHub",
  githubRetries: `docs.github.com, "Handling failed webhook deliveries" (FACTS.md, Real providers)`,
  githubPolling: "docs.github.com, REST best practices and events API (FACTS.md, Real providers; Polling done well)",
  shopify: "FACTS.md, Real providers: Shopify",
  shopifyRetries: "shopify.dev/changelog/updates-to-webhook-retry-mechanism (FACTS.md, Real providers)",
  shopifySignature: "shopify.dev/docs/apps/build/webhooks/verify-deliveries (FACTS.md, Real providers)",
  shopifyRates: "shopify.dev/docs/api/usage/rate-limits (FACTS.md, Real providers)",
  slack: "FACTS.md, Real providers: Slack Events API",
  slackSignature: "api.slack.com/docs/verifying-requests-from-slack (FACTS.md, Real providers)",
  square: "FACTS.md, Real providers: Square",
  squareRetries: "developer.squareup.com/docs/webhooks-api/delivery-sla (FACTS.md, Real providers)",
  squareSignature: "developer.squareup.com/docs/webhooks/step3validate (FACTS.md, Real providers)",
  svix: "docs.svix.com/retries (FACTS.md, Svix)",
} as const;

/** The timeout apiwh uses where a provider publishes none: its default `webhook.timeout`, the low end of Standard Webhooks' 15–30 s. */
const DEFAULT_TIMEOUT_MS = STANDARD_TIMEOUT_MS;

const TWO_XX_ONLY: SuccessRule = { statuses: "2xx", redirects: "failure", goneDisables: false };
const successOurs = (provider: string) =>
  ({
    value: TWO_XX_ONLY,
    source: ours(`FACTS.md states no rule for ${provider}: apiwh counts a 2xx as success and a 3xx as a failure (not followed), as Standard Webhooks says, and does not disable on 410`),
  }) as const;

const noRetryHeaders = { value: null, source: ours("apiwh adds none") } as const;
const noAbort = { value: null, source: ours("apiwh offers a receiver none") } as const;
const noConnectLimit = { value: null, source: ours("connecting counts within the delivery timeout") } as const;
const noPollHint = { value: null, source: ours("apiwh sends none") } as const;
const countedNotModified = (provider: string) =>
  ({ value: { notModifiedCounts: true }, source: ours(`FACTS.md has no rule for ${provider}: a 304 counts as a request like any other, as in apiwh's own provider`) }) as const;
const noRateLimit = (provider: string) =>
  ({ value: null, source: ours(`FACTS.md gives no API rate limit for ${provider}: unlimited unless the scenario's provider.rateLimit sets one`) }) as const;

/** Our payment event in the Standard Webhooks payload: `payment.<status>`, as apiwh has always sent. */
const STANDARD_EVENTS: Record<PaymentStatus, WireEvent> = {
  pending: { type: "payment.pending", status: "pending" },
  succeeded: { type: "payment.succeeded", status: "succeeded" },
  failed: { type: "payment.failed", status: "failed" },
};

const standardEnvelope = (idHeader: string, ref: string): Profile["envelope"] => ({
  value: { kind: "standard-webhooks", events: STANDARD_EVENTS, eventId: { header: idHeader } } satisfies EnvelopeSpec,
  source: published(ref, `{ "type", "timestamp", "data" } with dot-separated types; our payment event is payment.<status> with the payment as data`),
});

const standard: Profile = {
  name: "standard",
  title: "Standard Webhooks (apiwh's own)",
  signature: {
    value: {
      scheme: "standard-webhooks",
      headers: { id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" },
      form: "v1,<base64 HMAC-SHA256 of id.timestamp.body>, space-separated for rotation; key: the base64 after whsec_",
      toleranceSeconds: 300,
    },
    source: published(FACTS.standard, "the spec asks for some tolerance; the reference library uses ±300 s"),
  },
  retries: { value: [...STANDARD_RETRIES_MS], source: published(FACTS.standard, "the spec's example schedule, about 75 h in all") },
  retryHeaders: noRetryHeaders,
  abortRetries: noAbort,
  timeoutMs: { value: DEFAULT_TIMEOUT_MS, source: derived(FACTS.standard, "the spec recommends 15–30 s; apiwh takes the low end") },
  connectTimeoutMs: noConnectLimit,
  success: { value: { ...TWO_XX_ONLY, goneDisables: true }, source: published(FACTS.standard, "only 2xx succeeds; 3xx fails and is not followed; 410 disables the endpoint") },
  disabling: { value: { kind: "failing-for", ms: null }, source: published(FACTS.standard, "after long failure, with no length given; and at once on 410") },
  rateLimit: noRateLimit("Standard Webhooks, a webhook spec"),
  conditional: countedNotModified("Standard Webhooks"),
  pollHint: noPollHint,
  envelope: standardEnvelope("webhook-id", FACTS.standard),
};

const stripe: Profile = {
  name: "stripe",
  title: "Stripe",
  signature: {
    value: {
      scheme: "stripe",
      headers: { signature: "stripe-signature" },
      form: "t=<unix>,v1=<hex HMAC-SHA256 of t.body>; key: the whole whsec_ string",
      toleranceSeconds: 300,
    },
    source: published(FACTS.stripe, "constructEvent's default tolerance is 300 s"),
  },
  retries: {
    value: doublingWithin(MINUTE, 3 * DAY),
    source: {
      basis: "ours",
      ref: FACTS.stripeRetries,
      note: "Stripe publishes only 'exponential backoff for up to 3 days' in live mode (test mode: 3 times over a few hours); the waits are ours: doubling from 1 min while within 3 days, 12 retries, the last 68.25 h after the first attempt",
    },
  },
  retryHeaders: noRetryHeaders,
  abortRetries: noAbort,
  timeoutMs: { value: DEFAULT_TIMEOUT_MS, source: ours("Stripe publishes no delivery timeout (FACTS.md); apiwh uses its default, 15 s") },
  connectTimeoutMs: noConnectLimit,
  success: { value: TWO_XX_ONLY, source: published(FACTS.stripe, "receivers answer 2xx; a 3xx failing and 410 not disabling are apiwh's choice (FACTS.md states neither)") },
  disabling: { value: { kind: "never" }, source: ours("FACTS.md has no disabling rule for Stripe: apiwh does not disable") },
  rateLimit: {
    value: { perSecond: 25, stated: "25 requests/s per endpoint", scope: "GET /v1/payment_intents/{id}, one endpoint across all ids" },
    source: published(FACTS.stripeRates, "the default per endpoint; 100 requests/s globally in live mode"),
  },
  conditional: countedNotModified("Stripe"),
  pollHint: noPollHint,
  envelope: {
    value: {
      kind: "stripe-event",
      events: {
        succeeded: { type: "payment_intent.succeeded", status: "succeeded" },
        failed: { type: "payment_intent.payment_failed", status: "requires_payment_method" },
        pending: { type: "payment_intent.processing", status: "processing" },
      },
      eventId: { field: "id" },
    },
    source: published(
      FACTS.stripe,
      "{ id: evt_…, object: event, type, created, data: { object } } and payment_intent.succeeded are in FACTS.md; the failure and pending event names (Stripe's payment_intent.payment_failed and payment_intent.processing) are not, nor which status a failed intent returns to: check docs.stripe.com/api/events/types",
    ),
  },
};

const github: Profile = {
  name: "github",
  title: "GitHub",
  signature: {
    value: { scheme: "github", headers: { signature: "x-hub-signature-256" }, form: "sha256=<hex HMAC-SHA256 of the body>; key: the secret as UTF-8", toleranceSeconds: null },
    source: published(FACTS.github, "no timestamp is signed, so nothing is refused as stale"),
  },
  retries: { value: [0], source: published(FACTS.githubRetries, "never retried: redelivery is manual or through the API") },
  retryHeaders: noRetryHeaders,
  abortRetries: noAbort,
  timeoutMs: { value: 10 * SECOND, source: published(FACTS.github) },
  connectTimeoutMs: noConnectLimit,
  success: successOurs("GitHub"),
  disabling: { value: { kind: "never" }, source: ours("FACTS.md has no disabling rule for GitHub: apiwh does not disable") },
  rateLimit: { value: { perSecond: 5000 / 3600, stated: "5,000 requests/h", scope: "an authenticated client" }, source: published(FACTS.githubPolling) },
  conditional: { value: { notModifiedCounts: false }, source: published(FACTS.githubPolling, "a 304 to a conditional request does not count against the rate limit") },
  pollHint: {
    value: { header: "x-poll-interval", seconds: 60 },
    source: { basis: "ours", ref: FACTS.githubPolling, note: "the X-Poll-Interval header is published; FACTS.md gives no value, so apiwh sends 60 s" },
  },
  envelope: {
    value: {
      kind: "github",
      events: {
        succeeded: { type: "payment", status: "succeeded" },
        failed: { type: "payment", status: "failed" },
        pending: { type: "payment", status: "pending" },
      },
      eventId: { header: "x-github-delivery" },
      typeHeader: "x-github-event",
    },
    source: {
      basis: "ours",
      ref: FACTS.github,
      note: "X-GitHub-Delivery (a GUID) is in FACTS.md; X-GitHub-Event and the body are not: GitHub has no payment event, so ours is X-GitHub-Event: payment with { action: <status>, payment }, in the shape of GitHub's own events",
    },
  },
};

const shopify: Profile = {
  name: "shopify",
  title: "Shopify",
  signature: {
    value: { scheme: "shopify", headers: { signature: "x-shopify-hmac-sha256" }, form: "<base64 HMAC-SHA256 of the raw body>; key: the secret as UTF-8", toleranceSeconds: null },
    source: published(FACTS.shopifySignature, "no timestamp is signed"),
  },
  retries: {
    value: doublingOver(8, 4 * HOUR),
    source: derived(FACTS.shopifyRetries, "published: 8 tries over 4 hours, exponential; derived: 8 attempts whose waits double, the last 4 h after the first (first wait 4 h / 127 ≈ 1 min 53 s)"),
  },
  retryHeaders: noRetryHeaders,
  abortRetries: noAbort,
  timeoutMs: { value: 5 * SECOND, source: published(FACTS.shopify, "5 s in all") },
  connectTimeoutMs: { value: 1 * SECOND, source: published(FACTS.shopify, "1 s to connect") },
  success: successOurs("Shopify"),
  disabling: { value: { kind: "never" }, source: ours("FACTS.md has no disabling rule for Shopify: apiwh does not disable") },
  rateLimit: { value: { perSecond: 2, stated: "2 requests/s", scope: "the REST API" }, source: published(FACTS.shopifyRates) },
  conditional: countedNotModified("Shopify"),
  pollHint: noPollHint,
  envelope: {
    value: {
      kind: "shopify-order",
      events: {
        succeeded: { type: "orders/paid", status: "paid" },
        failed: { type: "orders/updated", status: "voided" },
        pending: { type: "orders/create", status: "pending" },
      },
      eventId: { header: "x-shopify-event-id" },
      typeHeader: "x-shopify-topic",
    },
    source: {
      basis: "ours",
      ref: FACTS.shopify,
      note: "X-Shopify-Event-Id (shared by duplicates) is in FACTS.md; the orders/paid topic is issue 15's; X-Shopify-Topic, the order body and the failed and pending topics are ours: Shopify has no payment-failed topic",
    },
  },
};

const slack: Profile = {
  name: "slack",
  title: "Slack Events API",
  signature: {
    value: {
      scheme: "slack",
      headers: { signature: "x-slack-signature", timestamp: "x-slack-request-timestamp" },
      form: "v0=<hex HMAC-SHA256 of v0:<ts>:<body>>; key: the signing secret as UTF-8",
      toleranceSeconds: 300,
    },
    source: published(FACTS.slackSignature, "a 5 min window"),
  },
  retries: {
    value: [0, 0, 1 * MINUTE, 5 * MINUTE],
    source: published(FACTS.slack, "three retries: immediately, after 1 min, after 5 min; read as waits after each failure"),
  },
  retryHeaders: { value: { number: "x-slack-retry-num", reason: "x-slack-retry-reason" }, source: published(FACTS.slack) },
  abortRetries: noAbort,
  timeoutMs: { value: 3 * SECOND, source: published(FACTS.slack) },
  connectTimeoutMs: noConnectLimit,
  success: successOurs("Slack"),
  disabling: { value: { kind: "success-below", share: 0.05, windowMs: 60 * MINUTE }, source: published(FACTS.slack, "may be disabled below about 5% success within 60 min") },
  rateLimit: noRateLimit("Slack"),
  conditional: countedNotModified("Slack"),
  pollHint: noPollHint,
  envelope: {
    value: {
      kind: "slack-event-callback",
      events: {
        succeeded: { type: "payment.succeeded", status: "succeeded" },
        failed: { type: "payment.failed", status: "failed" },
        pending: { type: "payment.pending", status: "pending" },
      },
      eventId: { field: "event_id" },
    },
    source: ours("FACTS.md has no Slack body: ours is Slack's event_callback wrapper, { type: event_callback, event_id, event_time, event }, around our payment event"),
  },
};

const square: Profile = {
  name: "square",
  title: "Square",
  signature: {
    value: { scheme: "square", headers: { signature: "x-square-hmacsha256-signature" }, form: "<base64 HMAC-SHA256 of the notification URL + the raw body>; key: the signature key as UTF-8", toleranceSeconds: null },
    source: published(FACTS.squareSignature, "no timestamp is signed"),
  },
  retries: {
    value: doublingThenEvery(MINUTE, 6, HOUR, 72 * HOUR),
    source: derived(FACTS.squareRetries, "published: after 1, 2, 4, 8, 16, 32 min, then hourly up to 72 h; read as waits after each failure: 6 doublings (63 min), then 70 hourly retries, 77 attempts in all"),
  },
  retryHeaders: noRetryHeaders,
  abortRetries: noAbort,
  timeoutMs: { value: 10 * SECOND, source: published(FACTS.square) },
  connectTimeoutMs: noConnectLimit,
  success: { value: TWO_XX_ONLY, source: published(FACTS.square, "a 3xx is a failure; 410 not disabling is apiwh's choice") },
  disabling: { value: { kind: "no-success-for", ms: 21 * DAY }, source: published(FACTS.square, "disabled after 3 weeks with no 2xx") },
  rateLimit: noRateLimit("Square"),
  conditional: countedNotModified("Square"),
  pollHint: noPollHint,
  envelope: {
    value: {
      kind: "square-event",
      events: {
        succeeded: { type: "payment.updated", status: "COMPLETED" },
        failed: { type: "payment.updated", status: "FAILED" },
        pending: { type: "payment.created", status: "PENDING" },
      },
      eventId: { field: "event_id" },
    },
    source: {
      basis: "ours",
      ref: FACTS.square,
      note: "payment.updated is issue 15's; the body { type, event_id, created_at, data: { type: payment, id, object: { payment } } } and the status words are ours, after Square's events: not in FACTS.md",
    },
  },
};

const svix: Profile = {
  name: "svix",
  title: "Svix",
  signature: {
    value: {
      scheme: "standard-webhooks",
      headers: { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" },
      form: "v1,<base64 HMAC-SHA256 of id.timestamp.body>, space-separated; key: the base64 after whsec_",
      toleranceSeconds: 300,
    },
    source: published("FACTS.md, Real providers: Svix; Standard Webhooks", "Standard Webhooks with svix-* header names; the 300 s tolerance is the Standard Webhooks reference library's"),
  },
  retries: { value: [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR], source: published(FACTS.svix, "8 attempts, about 27.6 h") },
  retryHeaders: noRetryHeaders,
  abortRetries: { value: { header: "webhook-delivery", value: "abort-message" }, source: published(FACTS.svix) },
  timeoutMs: { value: 15 * SECOND, source: published(FACTS.svix, "the self-hosted server's default is 30 s") },
  connectTimeoutMs: noConnectLimit,
  success: { value: TWO_XX_ONLY, source: published(FACTS.svix, "a 2xx within the timeout; a 3xx fails; 410 not disabling is apiwh's choice") },
  disabling: { value: { kind: "failing-for", ms: 5 * DAY }, source: published(FACTS.svix, "disabled after 5 days of failures") },
  rateLimit: noRateLimit("Svix"),
  conditional: countedNotModified("Svix"),
  pollHint: noPollHint,
  envelope: standardEnvelope("svix-id", "FACTS.md, Real providers: Svix; Standard Webhooks"),
};

/** Every profile, by name, in the order people read them. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = { standard, stripe, github, shopify, slack, square, svix };

export function profileNamed(name: ProfileName): Profile {
  return PROFILES[name];
}
