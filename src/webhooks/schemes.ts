/**
 * Signing and verifying a delivery in each provider's scheme, table-driven: one entry per scheme,
 * each reading its header names and tolerance from the profile's SignatureSpec (src/api/
 * profiles.ts), so Svix is Standard Webhooks under other names. The secret is the endpoint's
 * `whsec_…` string: Standard Webhooks keys its HMAC with the decoded bytes after the prefix; every
 * other scheme keys with the whole string as UTF-8, as Stripe does with its `whsec_` and GitHub,
 * Shopify, Slack and Square do with their opaque secrets.
 *
 * Verification compares in constant time, refuses a timestamp outside the scheme's tolerance where
 * the scheme signs one, accepts any of several signatures where the header carries a list (secret
 * rotation), and answers with the reasons the receiver counts.
 */
import { createHmac } from "node:crypto";
import type { SchemeName, SignatureSpec } from "../api/profile.js";
import { first } from "./headers.js";
import { safeEqual, signStandard, signStripe, standardKey, verifyStandard, verifyStripe, type VerifyFailure } from "./signature.js";

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface SignInput {
  /** The endpoint's signing secret, `whsec_…`. */
  secret: string;
  /** The event's id (Standard Webhooks signs it). */
  eventId: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  /** The raw body, exactly as sent. */
  body: string;
  /** The endpoint's URL as registered (Square signs it). */
  url: string;
}

export interface VerifyInput {
  secret: string;
  headers: HeaderBag;
  body: string;
  /** The URL the endpoint was registered with, which Square signs. */
  url: string;
  nowSeconds: number;
}

interface Scheme {
  sign(spec: SignatureSpec, input: SignInput): Record<string, string>;
  verify(spec: SignatureSpec, input: VerifyInput): VerifyFailure | null;
}

const hmac = (key: string, content: string, encoding: "hex" | "base64") => createHmac("sha256", key).update(content).digest(encoding);

/** Compares the text of two signatures as bytes, in constant time. */
const sameText = (given: string, expected: string) => safeEqual(Buffer.from(given, "utf8"), Buffer.from(expected, "utf8"));

/** A signature over the body alone (or the URL and body), with no timestamp: nothing can be stale. */
function bodyOnly(prefix: string, content: (input: { body: string; url: string }) => string, encoding: "hex" | "base64"): Scheme {
  return {
    sign: (spec, input) => ({ [spec.headers.signature]: prefix + hmac(input.secret, content(input), encoding) }),
    verify(spec, input) {
      const header = first(input.headers[spec.headers.signature]);
      if (!header) return "missing-headers";
      return header.startsWith(prefix) && sameText(header.slice(prefix.length), hmac(input.secret, content(input), encoding)) ? null : "bad-signature";
    },
  };
}

/** Unix seconds as a scheme writes them; anything else (a sign, a fraction, a date) is no timestamp at all. */
function outside(timestamp: string, nowSeconds: number, toleranceSeconds: number | null): boolean {
  return !/^\d{1,12}$/.test(timestamp) || (toleranceSeconds !== null && Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds);
}

const slackBase = (timestamp: string | number, body: string) => `v0:${timestamp}:${body}`;

const SCHEMES: Record<SchemeName, Scheme> = {
  "standard-webhooks": {
    sign: ({ headers }, { secret, eventId, timestamp, body }) => ({
      [headers.id!]: eventId,
      [headers.timestamp!]: String(timestamp),
      [headers.signature]: signStandard(standardKey(secret), eventId, timestamp, body),
    }),
    verify: ({ headers: h, toleranceSeconds }, { secret, headers, body, nowSeconds }) =>
      verifyStandard(
        standardKey(secret),
        { id: first(headers[h.id!]), timestamp: first(headers[h.timestamp!]), signature: first(headers[h.signature]) },
        body,
        nowSeconds,
        toleranceSeconds ?? undefined,
      ),
  },
  stripe: {
    sign: ({ headers }, { secret, timestamp, body }) => ({ [headers.signature]: signStripe(secret, timestamp, body) }),
    verify: ({ headers: h, toleranceSeconds }, { secret, headers, body, nowSeconds }) => verifyStripe(secret, first(headers[h.signature]), body, nowSeconds, toleranceSeconds ?? undefined),
  },
  github: bodyOnly("sha256=", ({ body }) => body, "hex"),
  shopify: bodyOnly("", ({ body }) => body, "base64"),
  square: bodyOnly("", ({ url, body }) => url + body, "base64"),
  slack: {
    sign: ({ headers }, { secret, timestamp, body }) => ({
      [headers.timestamp!]: String(timestamp),
      [headers.signature]: `v0=${hmac(secret, slackBase(timestamp, body), "hex")}`,
    }),
    verify({ headers: h, toleranceSeconds }, { secret, headers, body, nowSeconds }) {
      const timestamp = first(headers[h.timestamp!]);
      const signature = first(headers[h.signature]);
      if (!timestamp || !signature) return "missing-headers";
      if (outside(timestamp, nowSeconds, toleranceSeconds)) return "stale-timestamp";
      return signature.startsWith("v0=") && sameText(signature.slice(3), hmac(secret, slackBase(timestamp, body), "hex")) ? null : "bad-signature";
    },
  },
};

/** The signature headers of one attempt in `spec`'s scheme (Standard Webhooks' id and timestamp included, as it signs them). */
export function signWith(spec: SignatureSpec, input: SignInput): Record<string, string> {
  return SCHEMES[spec.scheme].sign(spec, input);
}

/** Null when the delivery verifies in `spec`'s scheme, else why not. */
export function verifyWith(spec: SignatureSpec, input: VerifyInput): VerifyFailure | null {
  return SCHEMES[spec.scheme].verify(spec, input);
}
