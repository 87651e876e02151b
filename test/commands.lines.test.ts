import { describe, expect, it } from "vitest";
import { deliveryLine, rejectionLine, settlementLag } from "../src/commands/listen.js";
import { knockLine, summaryLines, type PaymentTally } from "../src/commands/poll.js";
import { paymentLine } from "../src/commands/pay.js";
import { bannerLines, deliveryLine as attemptLine, FAULTS_AT_SENDER, requestLine, settledLine } from "../src/commands/provider-log.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { isLoopbackHost, printable, wallStamp, wallTime } from "../src/commands/shared.js";
import { makePalette } from "../src/render/color.js";

// Lines of the standalone commands, built from hand-made data: the layout is fixed, live numbers are not.
const p = makePalette(false);
const wall = new Date(2026, 0, 31, 14, 3, 7, 215).getTime();
/** Monotonic ms as the time of day, with 0 on the monotonic clock at 14:03:06.012. */
const stamp = (at: number) => wallTime(wall - 1203 + at);

describe("standalone command lines", () => {
  it("provider: requests, settlements and delivery attempts", () => {
    const created = { at: 1203, method: "POST", path: "/payments", status: 201, durationMs: 0.42, body: { object: "payment", id: "pay_3", status: "pending" }, aborted: false };
    expect(requestLine(created, stamp, false, p)).toMatchInlineSnapshot(`"14:03:07.215  client → provider  POST /payments  201 pay_3 pending  0.42 ms"`);
    const registered = { ...created, path: "/webhook-endpoints", body: { id: "we_1", url: "http://127.0.0.1:4011/webhook", secret: "whsec_abc" } };
    expect(requestLine(registered, stamp, false, p)).not.toContain("whsec_");
    expect(requestLine(registered, stamp, true, p)).toContain("secret whsec_abc");
    const refused = { ...created, method: "GET", path: "/payments/\u001b[2Jpay_9", status: 404, body: { error: { type: "not_found", message: "no payment" } } };
    expect(requestLine(refused, stamp, false, p)).toMatchInlineSnapshot(`"14:03:07.215  client → provider  GET /payments/\\u001b[2Jpay_9  404 no payment  0.42 ms"`);
    expect(settledLine("pay_3", "failed", 2500, stamp, p)).toMatchInlineSnapshot(`"14:03:08.512  provider          pay_3 settled failed"`);
    expect(attemptLine({ eventId: "evt_3", paymentIndex: 2, attempt: 1, status: 0, startedAt: 7500, durationMs: 1.5 }, "pay_3", stamp, p)).toMatchInlineSnapshot(
      `"14:03:13.512  provider → webhook POST evt_3 pay_3 retry 1  no answer  1.50 ms"`,
    );
    // Attempts the fault plan played at the sender say so: the user's receiver never saw them.
    expect(attemptLine({ eventId: "evt_3", paymentIndex: 2, attempt: 0, status: 503, startedAt: 7500, durationMs: 0, scripted: true }, "pay_3", stamp, p)).toMatchInlineSnapshot(
      `"14:03:13.512  provider → webhook POST evt_3 pay_3  503 (fault plan, not sent)  0.00 ms"`,
    );
    expect(attemptLine({ eventId: "evt_3", paymentIndex: 2, attempt: 1, status: 0, startedAt: 7500, durationMs: 0, scripted: true }, "pay_3", stamp, p)).toContain("refused (fault plan, not sent)");
  });

  it("provider: the banner says in one line where the plan's 500s and 503s happen, when it has any", () => {
    const flaky = defaultScenario();
    flaky.faults.webhook.failureRate = 0.2;
    const lines = bannerLines("http://127.0.0.1:4010", flaky, "flaky.json", p);
    expect(lines.filter((l) => l === FAULTS_AT_SENDER)).toHaveLength(1);
    expect(FAULTS_AT_SENDER.length).toBeLessThanOrEqual(80);
    const outage = defaultScenario();
    outage.faults.webhook.downtime = [{ fromMs: 0, toMs: 1000, mode: "503" }];
    expect(bannerLines("http://127.0.0.1:4010", outage, "x", p)).toContain(FAULTS_AT_SENDER);
    // Nothing to play (refusals are always the sender's and need no note): no line.
    const refusing = defaultScenario();
    refusing.faults.webhook.downtime = [{ fromMs: 0, toMs: 1000, mode: "refuse" }];
    expect(bannerLines("http://127.0.0.1:4010", refusing, "x", p)).not.toContain(FAULTS_AT_SENDER);
    expect(bannerLines("http://127.0.0.1:4010", defaultScenario(), "built-in", p)).not.toContain(FAULTS_AT_SENDER);
  });

  it("listen: deliveries, duplicates and rejections fit 80 columns", () => {
    const event = { type: "payment.succeeded", timestamp: "", data: { id: "pay_3", status: "succeeded", updated_at: new Date(wall - 4).toISOString() } };
    const line = deliveryLine({ webhookId: "evt_3", event, at: 0, duplicate: false, stale: false }, wall, p);
    expect(line).toMatchInlineSnapshot(`"14:03:07.215  evt_3  payment.succeeded  pay_3  ✓ verified  ≈ 4 ms after settling"`);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(deliveryLine({ webhookId: "evt_3", event, at: 0, duplicate: true, stale: false }, wall, p)).toContain("duplicate, already processed");
    expect(rejectionLine({ wallMs: wall, status: 401, reason: "bad-signature", webhookId: "evt_3" }, p)).toMatchInlineSnapshot(`"14:03:07.215  evt_3  ✗ 401 bad-signature  not processed"`);
    expect(settlementLag("2026-01-31T12:00:00.000Z", Date.parse("2026-01-31T12:00:01.500Z"))).toBe("≈ 1.50 s after settling");
    expect(settlementLag(undefined, 0)).toBe("settlement time unknown");
  });

  it("pay and poll: one line per payment, per knock, and the summary", () => {
    expect(paymentLine({ id: "pay_12", amount: 125000, currency: "eur", status: "pending" }, p)).toBe("pay_12  125,000 eur  pending");
    expect(knockLine({ at: 1203, id: "pay_3", http: 200, paymentStatus: "pending", durationMs: 0.4 }, stamp, p)).toMatchInlineSnapshot(`"14:03:07.215  GET /payments/pay_3  200 pending  0.40 ms"`);
    expect(knockLine({ at: 50, id: "pay_3", http: 429, error: "too many requests; retry after 1 s", durationMs: 0.3 }, stamp, p)).toMatchInlineSnapshot(
      `"14:03:06.062  GET /payments/pay_3  429 too many requests; retry after 1 s  0.30 ms"`,
    );
    // The knock that finds the outcome says how long it had been there, as listen does.
    const found = { at: 1203, id: "pay_3", http: 200, paymentStatus: "succeeded", durationMs: 0.4, updatedAt: new Date(wall - 812).toISOString(), answeredWallMs: wall };
    expect(knockLine(found, stamp, p)).toMatchInlineSnapshot(`"14:03:07.215  GET /payments/pay_3  200 succeeded  0.40 ms  ≈ 812 ms after settling"`);
    const tallies: PaymentTally[] = [
      { id: "pay_1", requests: 3, outcome: "succeeded", knownAt: 2004, unknown: false, gaveUp: false },
      { id: "pay_2", requests: 5, outcome: "failed", knownAt: 4010, unknown: false, gaveUp: false },
    ];
    expect(summaryLines(tallies, 0, 4012, false, p).join("\n")).toMatchInlineSnapshot(`
      "
      2 of 2 payments known after 4.0 s: 8 requests, 6 wasted (75%), 4.00 per payment
        pay_1  succeeded  3 requests  known +2.004s
        pay_2  failed  5 requests  known +4.010s"
    `);
    expect(summaryLines([{ ...tallies[0]!, outcome: undefined, knownAt: undefined }], 0, 1500, true, p)[1]).toBe(
      "interrupted after 1.5 s: 0 of 1 payments known: 3 requests, 3 wasted (100%), 3.00 per payment",
    );
  });

  it("provider, listen and poll share one time format: the time of day, from one monotonic clock", () => {
    const clock = { now: () => 500 };
    const at = wallStamp(clock, wall);
    expect(at(500)).toBe("14:03:07.215");
    expect(at(1_500)).toBe("14:03:08.215");
    // The same pattern in every command's lines.
    const pattern = /^\d\d:\d\d:\d\d\.\d{3} {2}/;
    expect(settledLine("pay_1", "succeeded", 600, at, p)).toMatch(pattern);
    expect(knockLine({ at: 600, id: "pay_1", http: 200, paymentStatus: "pending", durationMs: 1 }, at, p)).toMatch(pattern);
    expect(rejectionLine({ wallMs: wall, status: 401, reason: "bad-signature" }, p)).toMatch(pattern);
  });

  it("exposure: only loopback counts as private; terminal text is made printable", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) expect(isLoopbackHost(host)).toBe(false);
    expect(printable("a\u001b[31mb\nc", 80)).toBe("a\\u001b[31mb\\u000ac");
    expect(printable("x".repeat(100), 10)).toBe("xxxxxxxxx…");
  });
});
