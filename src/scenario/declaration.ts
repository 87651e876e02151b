/**
 * The scenario file, declared once. Its types (types.ts), its defaults (defaults.ts), its
 * validation (validate.ts) and its JSON Schema (json-schema.ts, examples/scenario.schema.json)
 * all come from here. A new field is one line in its section: a field from fields.ts, its default
 * and its description.
 *
 * Each section reads the file's own words (`polling.interval: "1s"`) and resolves them to what the
 * runners use (`polling.intervalMs: 1000`). Rules that span fields are refinements of their
 * section; the ones JSON Schema cannot state are listed in the README.
 */
import { z } from "zod";
import { show } from "./echo.js";
import { explainValue, Invalid, notAnObject, objectError, type ErrorParam, type Field } from "./field.js";
import * as F from "./fields.js";

const explain = (field: Field<unknown>): ErrorParam => ({ error: (issue) => (issue.input === undefined ? undefined : explainValue(field, issue.input)) });

/** One field: zod checks what JSON Schema can say, then the field's own `read` resolves the value. */
function leaf<T>(field: Field<T>) {
  return field.shape(z, explain).transform((value, ctx): T => {
    try {
      return field.read(value);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      ctx.addIssue({ code: "custom", message: err.message, path: [...err.path], params: { invalid: err }, input: value });
      return z.NEVER;
    }
  });
}

/** An object of fields; a key it does not know is an error, with the nearest known key as a suggestion. */
function section<S extends z.core.$ZodLooseShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, objectError(keys, notAnObject(keys)));
}

const notAScenario = (v: unknown) => `the scenario must be an object of fields such as "payments" and "webhook", not ${Array.isArray(v) ? "a list" : show(v)}`;

const fields = {
      $schema: leaf(F.text).optional().describe("The JSON Schema this file follows, for editors: ./scenario.schema.json."),
      name: leaf(F.name).optional().describe("A short name shown in reports (at most 100 printable characters). Defaults to the file's name without its extension."),
      description: leaf(F.text).prefault("").describe("What this scenario teaches, in a sentence or two."),
      profile: leaf(F.profile)
        .prefault("standard")
        .describe(`Whose webhook and API habits the provider takes on: ${F.PROFILE_NAMES.map((n) => `"${n}"`).join(", ")}. "standard" is apiwh's own (Standard Webhooks). A flag or another field of this file overrides any value the profile sets.`),
      seed: leaf(F.seed).prefault(42).describe("Seed for every random draw (settlement delays, failures, arrivals, faults): 0 to 4294967295. The same seed gives the same run."),

      payments: section({
        count: leaf(F.paymentCount).prefault(20).describe("How many payments to create: 1 to 10,000,000 (the real clock runs at most 1,000,000)."),
        arrival: leaf(F.arrival)
          .prefault("burst")
          .describe(`When payments are created: "burst" creates them all at once; { "rate": "50/s" } spreads them as a Poisson process (1/h to 1000000/s, all within 7 days).`),
      })
        .superRefine(({ count, arrival }, ctx) => {
          const problem = F.arrivalSpanProblem(count, arrival);
          if (problem) ctx.addIssue({ code: "custom", message: problem, path: ["arrival", "rate"] });
        })
        .prefault({})
        .describe("The payments the provider creates."),

      settlement: section({
        delay: leaf(F.delay)
          .prefault("uniform(500ms, 4s)")
          .describe("How long a payment takes to settle after creation: fixed(2s), uniform(500ms, 4s), exponential(mean=2s), lognormal(median=2s, p95=8s) or a bare duration. Parameters from 0 to 7d."),
        failureRate: leaf(F.fraction).prefault(0.05).describe("Share of payments that fail rather than succeed, from 0 to 1."),
      })
        .prefault({})
        .describe("How payments settle at the provider."),

      polling: section({
        interval: leaf(F.pollInterval).prefault("1s").describe("Time between polls of each pending payment: above 0, at most 7d."),
      })
        .transform(({ interval }) => ({ intervalMs: interval }))
        .prefault({})
        .describe("Used by polling and conditional: every pending payment is polled at creation and then every interval."),

      webhook: section({
        retries: leaf(F.retries)
          .optional()
          .describe(
            `Delivery schedule; defaults to the profile's (the standard profile's is "standard"): "standard" (the Standard Webhooks schedule: immediately, 5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h), "none" (one attempt), or a list of 1 to 100 waits before each attempt, first attempt included, each from 0 to 7d, that never decrease, such as ["0s", "5s", "5m"].`,
          ),
        timeout: leaf(F.webhookTimeout)
          .optional()
          .describe("How long the provider waits for the receiver to answer one delivery: above 0, at most 7d. Defaults to the profile's (the standard profile's is 15s)."),
        signature: leaf(F.signature).prefault("standard-webhooks").describe("How deliveries are signed: Standard Webhooks (webhook-signature) or Stripe (stripe-signature)."),
      })
        // `given` remembers what the file set itself, which a profile (src/api/profile-scenario.ts) must not override.
        .transform(({ retries, timeout, signature }) => ({
          retriesMs: retries ?? [...F.STANDARD_RETRIES_MS],
          timeoutMs: timeout ?? F.STANDARD_TIMEOUT_MS,
          signature,
          given: { retries: retries !== undefined, timeout: timeout !== undefined },
        }))
        .prefault({})
        .describe("How the provider delivers webhooks: used by webhook and hybrid."),

      network: section({
        latency: leaf(F.networkDelay).prefault("0ms").describe("One-way delay added to every message: 0 to 1m."),
        jitter: leaf(F.networkDelay).prefault("0ms").describe("Random extra delay, up to this much, added to every message: 0 to 1m."),
      })
        .transform(({ latency, jitter }) => ({ latencyMs: latency, jitterMs: jitter }))
        .prefault({})
        .describe("Simulated loopback network conditions, applied to every message."),

      deadline: leaf(F.deadline).prefault("30s").describe("How long (scenario time) a strategy may run before unsettled payments count as missed: above 0, at most 7d."),
      speed: leaf(F.speed).prefault(1).describe("Scenario time runs this many times faster than wall time: 1 (real time) to 10000. Reported figures are in scenario time."),
      strategies: leaf(F.strategies)
        .prefault(["polling", "webhook"])
        .describe("Which strategies to run and compare, each at most once: polling, polling-backoff, conditional, long-polling, sse (no parameters of its own), webhook, hybrid."),
      expect: leaf(F.expectations)
        .prefault([])
        .describe(`Up to 100 assertions on the results, checked after the run, such as "webhook.latencyMs.p95 < 50ms" or "*.payments.missed == 0".`),

      "polling-backoff": section({
        base: leaf(F.backoffBase)
          .optional()
          .describe("The ceiling of the first sleep between polls; each sleep is random(0, min(cap, base·2^n)) (full jitter) while the payment stays pending. Defaults to polling.interval. Above 0, at most 7d."),
        cap: leaf(F.backoffCap).optional().describe("The largest ceiling a sleep between polls can reach; defaults to 10 × base. At least base, at most 7d."),
      })
        .superRefine(({ base, cap }, ctx) => {
          if (base !== undefined && cap !== undefined && base > cap)
            ctx.addIssue({ code: "custom", path: ["cap"], params: { otherwise: ["base"] }, message: "leaves the base above the cap; expected base <= cap, such as base 1s and cap 10s" });
        })
        .prefault({})
        .describe("The polling-backoff strategy: a poll at creation, then after the n-th answer without news a sleep of random(0, min(cap, base·2^n)) (exponential backoff, full jitter); base defaults to polling.interval."),

      "long-polling": section({
        wait: leaf(F.longPollWait).prefault("30s").describe("How long the server holds a request open waiting for a change: above 0, at most 1m (the provider's cap)."),
      })
        .transform(({ wait }) => ({ waitMs: wait }))
        .prefault({})
        .describe("The long-polling strategy: GET /payments/:id?wait=…, held by the provider until the payment changes or the wait ends, then asked again."),

      hybrid: section({
        reconcileEvery: leaf(F.reconcileEvery).prefault("30s").describe("How often to poll for payments the webhooks may have missed: above 0, at most 7d."),
      })
        .transform(({ reconcileEvery }) => ({ reconcileEveryMs: reconcileEvery }))
        .prefault({})
        .describe("The hybrid strategy: webhooks (with the webhook section's settings) plus a reconciliation poll of the payment list every reconcileEvery, which finds what the webhooks missed."),

      provider: section({
        rateLimit: leaf(F.rate).optional().describe("Requests per unit of time the provider's API allows, such as 25/s (1/h to 1000000/s); when absent, the profile's (unlimited in the standard profile)."),
      })
        .transform(({ rateLimit }) => ({ rateLimitPerSecond: rateLimit ?? null, rateLimitGiven: rateLimit !== undefined }))
        .prefault({})
        .describe("Limits of the provider's API."),

      faults: section({
        webhook: section({
          downtime: leaf(F.downtime)
            .prefault([])
            .describe("Up to 100 windows (scenario time from the start, each bound from 0 to 7d) when the receiver is down. Windows must not overlap; from < to."),
          failureRate: leaf(F.fraction).prefault(0).describe("Share of delivery attempts the receiver fails, from 0 to 1."),
          duplicateRate: leaf(F.fraction).prefault(0).describe("Share of events delivered twice, from 0 to 1."),
          reorder: leaf(F.boolean).prefault(false).describe("Whether deliveries may arrive out of order."),
          delay: leaf(F.delay).optional().describe("Extra delay added to each delivery, such as uniform(0ms, 50ms). Parameters from 0 to 7d."),
        })
          .transform((w) => ({ ...w, delay: w.delay ?? null }))
          .prefault({})
          .describe("Faults in webhook delivery."),
        api: section({
          errorRate: leaf(F.fraction).prefault(0).describe("Share of API requests answered with an error, from 0 to 1."),
          latency: leaf(F.delay).optional().describe("Extra latency added to each API request, such as uniform(5ms, 30ms). Parameters from 0 to 7d."),
        })
          .transform((a) => ({ errorRate: a.errorRate, latency: a.latency ?? null }))
          .prefault({})
          .describe("Faults in the provider's API."),
      })
        .prefault({})
        .describe("Failures injected into deliveries and API calls."),
};

export const declaration = z
  .strictObject(fields, objectError(Object.keys(fields), notAScenario))
  .superRefine((doc, ctx) => {
    // The base defaults to the poll interval, which the cap given must not undercut.
    const { base, cap } = doc["polling-backoff"];
    if (base === undefined && cap !== undefined && doc.polling.intervalMs > cap)
      ctx.addIssue({
        code: "custom",
        path: ["polling-backoff", "cap"],
        message: "is below the backoff's base, which defaults to polling.interval; expected cap >= polling.interval, or a polling-backoff.base <= cap",
      });
  })
  .describe(
    "A scenario for apiwh: what payments happen, how they settle, and how polling and webhooks learn about them. Every field is optional; missing fields take the built-in defaults.",
  )
  .transform(({ $schema, name, deadline, "polling-backoff": backoff, "long-polling": longPolling, ...rest }) => {
    void $schema; // the editor's business, not the run's
    // Null follows the poll interval as it is at run time (a flag or a sweep may change it): see src/policy/polling.ts.
    const pollingBackoff: { baseMs: number | null; capMs: number | null } = { baseMs: backoff.base ?? null, capMs: backoff.cap ?? null };
    // A file without a name is named after itself; validateScenario knows the file.
    return { ...rest, name: name ?? "", deadlineMs: deadline, pollingBackoff, longPolling };
  });

/** A scenario file's contents, as its author writes them. */
export type ScenarioDocument = z.input<typeof declaration>;
