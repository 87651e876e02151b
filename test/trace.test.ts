import { afterEach, describe, expect, it, vi } from "vitest";
import { renderTraceHeader, renderTraceLine, traceTime, type TraceEntry } from "../src/render/trace-line.js";
import type { RunEvent } from "../src/contract/events.js";
import { traceListener } from "../src/views/trace.js";
import { pollingResultFor3, recordedRun, pollingEvents, webhookResultFor3 } from "./helpers/recorded-run.js";
import { coloured, plain, strip } from "./render-fixtures.js";

function trace(events: RunEvent[], options: { filter?: string; color?: boolean } = {}): string[] {
  const lines: string[] = [];
  const listener = traceListener((line) => lines.push(line), { color: options.color ?? false, speed: 1, filter: options.filter });
  for (const e of events) listener(e);
  return lines;
}

describe("trace (from a recorded event stream)", () => {
  it("narrates every exchange in time order, a header per strategy", () => {
    expect(trace(recordedRun).join("\n")).toMatchInlineSnapshot(`
      "── polling · 3 payments ────────────────────────────────────────────────────────
      +0.001s  client → provider  POST /payments  201 created pay_1
      +0.002s  client → provider  POST /payments  201 created pay_2
      +0.002s  client → provider  POST /payments  201 created pay_3
      +1.001s  client → provider  GET /payments/pay_1  200 pending  0.4 ms
      +1.001s  client → provider  GET /payments/pay_2  200 pending  0.4 ms
      +1.002s  client → provider  GET /payments/pay_3  200 pending  0.4 ms
      +1.500s  provider           pay_1 settled: succeeded
      +1.800s  provider           pay_2 settled: failed
      +2.001s  client → provider  GET /payments/pay_1  200 succeeded  0.4 ms
      +2.001s  client             pay_1 known: succeeded  501.0 ms after settlement
      +2.001s  client → provider  GET /payments/pay_2  200 failed  0.4 ms
      +2.001s  client             pay_2 known: failed  201.3 ms after settlement
      +2.002s  client → provider  GET /payments/pay_3  200 pending  0.4 ms
      +3.002s  client → provider  GET /payments/pay_3  200 pending  0.4 ms
      +3.200s  provider           pay_3 settled: succeeded
      +4.002s  client → provider  GET /payments/pay_3  200 succeeded  0.4 ms
      +4.002s  client             pay_3 known: succeeded  801.5 ms after settlement
      ── webhook · 3 payments ────────────────────────────────────────────────────────
      -0.004s  client → provider  POST /webhook-endpoints  201 registered  1.2 ms
      +0.001s  client → provider  POST /payments  201 created pay_1
      +0.002s  client → provider  POST /payments  201 created pay_2
      +0.002s  client → provider  POST /payments  201 created pay_3
      +1.500s  provider           pay_1 settled: succeeded
      +1.501s  provider → client  POST /webhook  payment.succeeded pay_1  204  0.7 ms
      +1.501s  client             pay_1 known: succeeded  0.75 ms after settlement
      +1.800s  provider           pay_2 settled: failed
      +1.800s  provider → client  POST /webhook  pay_2 attempt 1  no answer  3.0 ms
      +3.200s  provider           pay_3 settled: succeeded
      +3.200s  provider → client  POST /webhook  payment.succeeded pay_3  204  0.5 ms
      +3.200s  client             pay_3 known: succeeded  0.50 ms after settlement
      +6.801s  provider → client  POST /webhook  payment.failed pay_2  204  0.4 ms
      +6.801s  client             pay_2 known: failed  5.00 s after settlement"
    `);
  });

  it("--trace pay_2 keeps that payment's lines and the headers", () => {
    expect(trace(recordedRun, { filter: "pay_2" }).join("\n")).toMatchInlineSnapshot(`
      "── polling · 3 payments ────────────────────────────────────────────────────────
      +0.002s  client → provider  POST /payments  201 created pay_2
      +1.001s  client → provider  GET /payments/pay_2  200 pending  0.4 ms
      +1.800s  provider           pay_2 settled: failed
      +2.001s  client → provider  GET /payments/pay_2  200 failed  0.4 ms
      +2.001s  client             pay_2 known: failed  201.3 ms after settlement
      ── webhook · 3 payments ────────────────────────────────────────────────────────
      +0.002s  client → provider  POST /payments  201 created pay_2
      +1.800s  provider           pay_2 settled: failed
      +1.800s  provider → client  POST /webhook  pay_2 attempt 1  no answer  3.0 ms
      +6.801s  provider → client  POST /webhook  payment.failed pay_2  204  0.4 ms
      +6.801s  client             pay_2 known: failed  5.00 s after settlement"
    `);
  });

  it("a filter that matches nothing leaves the headers only", () => {
    expect(trace(recordedRun, { filter: "pay_99" }).map((l) => l.slice(0, 12))).toEqual(["── polling ·", "── webhook ·"]);
  });

  it("every line fits 80 columns", () => {
    for (const line of trace(recordedRun)) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it("colour changes nothing but the escape codes", () => {
    const colouredLines = trace(recordedRun, { color: true });
    expect(colouredLines.join("\n")).toMatch(/\x1b\[/);
    expect(colouredLines.map(strip)).toEqual(trace(recordedRun));
  });

  it("writes nothing before the first strategy starts", () => {
    expect(trace(pollingEvents.slice(1, 5))).toEqual([]);
  });

  it("a strategy's exchanges before its start (the registration) follow its header, at a negative time", () => {
    const lines = trace(recordedRun);
    const header = lines.findIndex((l) => l.startsWith("── webhook"));
    expect(lines[header + 1]).toBe("-0.004s  client → provider  POST /webhook-endpoints  201 registered  1.2 ms");
  });

  it("every exchange the table counts has a line: the trace's requests add up to the result's", () => {
    const lines = trace(recordedRun);
    const requests = (from: number, to: number) =>
      lines.slice(from, to).filter((l) => /client → provider {2}(GET|POST \/webhook-endpoints)|provider → client {2}POST \/webhook {2}payment\./.test(l)).length;
    const split = lines.findIndex((l) => l.startsWith("── webhook"));
    expect(requests(0, split)).toBe(pollingResultFor3.requests.total);
    expect(requests(split, lines.length)).toBe(webhookResultFor3.requests.total);
  });
});

describe("trace view timing", () => {
  afterEach(() => void vi.useRealTimers());

  it("holds lines until the provider's later batches can have arrived, then writes them in order", () => {
    vi.useFakeTimers();
    let now = 1_000;
    const lines: string[] = [];
    const listener = traceListener((l) => lines.push(l), { color: false, speed: 1, holdMs: 100, clock: { now: () => now } });
    for (const e of pollingEvents.slice(0, 8)) listener(e);
    now = 2_050;
    vi.advanceTimersByTime(50);
    // The header and the creations are old enough; the polls at 1.0 s are not yet.
    expect(lines.map((l) => l.trim().slice(0, 7))).toEqual(["── poll", "+0.001s", "+0.002s", "+0.002s"]);
    now = 2_600;
    vi.advanceTimersByTime(50);
    expect(lines.slice(4).map((l) => strip(l).replace(/ {2,}/g, "  ").split("  ").slice(0, 3).join("  "))).toEqual([
      "+1.001s  client → provider  GET /payments/pay_1",
      "+1.001s  client → provider  GET /payments/pay_2",
      "+1.002s  client → provider  GET /payments/pay_3",
      "+1.500s  provider  pay_1 settled: succeeded",
    ]);
    listener.flush();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("renderTraceLine", () => {
  const at = 1_203.4;
  const cases: Array<[string, TraceEntry]> = [
    ["conditional, unchanged", { kind: "poll", atMs: at, id: "pay_3", strategy: "conditional", http: 304, paymentStatus: "", durationMs: 0.4 }],
    ["rate limited", { kind: "poll", atMs: at, id: "pay_3", strategy: "polling", http: 429, paymentStatus: "", durationMs: 0.3 }],
    ["server error", { kind: "poll", atMs: at, id: "pay_3", strategy: "polling", http: 503, paymentStatus: "", durationMs: 0.3 }],
    ["no answer", { kind: "poll", atMs: at, id: "pay_3", strategy: "polling", http: 0, paymentStatus: "", durationMs: 15_000 }],
    ["long poll", { kind: "poll", atMs: at, id: "pay_3", strategy: "long-polling", http: 200, paymentStatus: "succeeded", durationMs: 812 }],
    ["sse event", { kind: "delivery", atMs: at, id: "pay_3", strategy: "sse", http: 200, type: "payment.succeeded", duplicate: false }],
    ["duplicate delivery", { kind: "delivery", atMs: at, id: "pay_3", strategy: "webhook", http: 204, type: "payment.succeeded", duplicate: true, durationMs: 0.3 }],
    ["untimed delivery", { kind: "delivery", atMs: at, id: "pay_3", strategy: "hybrid", type: "payment.failed", duplicate: false }],
    ["503 attempt", { kind: "attempt", atMs: at, id: "pay_3", attempt: 2, http: 503, durationMs: 1.2 }],
    ["disabled endpoint", { kind: "attempt", atMs: at, id: "pay_3", attempt: 3, http: 410, durationMs: 1.2 }],
    ["detected, no settlement seen", { kind: "detected", atMs: at, id: "pay_3", status: "failed" }],
    ["registration, before start", { kind: "register", atMs: -3.6, http: 201, durationMs: 1.2 }],
    ["registration refused", { kind: "register", atMs: -3.6, http: 0, durationMs: 5_000 }],
    ["list page", { kind: "list", atMs: at, http: 200, found: 3, page: 2, durationMs: 0.8 }],
    ["list page rate limited", { kind: "list", atMs: at, http: 429, found: 0, page: 3, durationMs: 0.8 }],
    ["stream opened", { kind: "connect", atMs: -2, http: 200, connection: 1, durationMs: 1.1 }],
    ["stream reopened", { kind: "connect", atMs: at, http: 200, connection: 2, lastEventId: 4, durationMs: 0.9 }],
  ];
  it("names each answer in words", () => {
    expect(cases.map(([name, entry]) => `${name.padEnd(28)} ${renderTraceLine(entry, plain)}`).join("\n")).toMatchInlineSnapshot(`
      "conditional, unchanged       +1.203s  client → provider  GET /payments/pay_3  304 not modified  0.4 ms
      rate limited                 +1.203s  client → provider  GET /payments/pay_3  429 rate limited  0.3 ms
      server error                 +1.203s  client → provider  GET /payments/pay_3  503 server error  0.3 ms
      no answer                    +1.203s  client → provider  GET /payments/pay_3  no answer  15.00 s
      long poll                    +1.203s  client → provider  GET /payments/pay_3?wait=…  200 succeeded  812 ms
      sse event                    +1.203s  provider → client  event on GET /events  payment.succeeded pay_3
      duplicate delivery           +1.203s provider → client POST /webhook payment.succeeded pay_3 (duplicate) 204 0.3 ms
      untimed delivery             +1.203s  provider → client  POST /webhook  payment.failed pay_3
      503 attempt                  +1.203s  provider → client  POST /webhook  pay_3 attempt 2  503  1.2 ms
      disabled endpoint            +1.203s  provider → client  POST /webhook  pay_3 attempt 3  410 gone  1.2 ms
      detected, no settlement seen +1.203s  client             pay_3 known: failed
      registration, before start   -0.004s  client → provider  POST /webhook-endpoints  201 registered  1.2 ms
      registration refused         -0.004s  client → provider  POST /webhook-endpoints  no answer  5.00 s
      list page                    +1.203s  client → provider  GET /payments?status=…  200 lists 3 settled  0.8 ms
      list page rate limited       +1.203s  client → provider  GET /payments?status=…  429 rate limited  0.8 ms
      stream opened                -0.002s  client → provider  GET /events  200 stream open  1.1 ms
      stream reopened              +1.203s client → provider GET /events (Last-Event-ID 4) 200 stream reopened 0.9 ms"
    `);
  });

  it("times read +s.mmm from the strategy's start", () => {
    expect([0, 1_203.4, 12_000, 99_999].map(traceTime)).toEqual(["+0.000s", "+1.203s", "+12.000s", "+99.999s"]);
    // Before the start (a registration): negative; a rounding sliver of it is not.
    expect([-3.6, -0.2].map(traceTime)).toEqual(["-0.004s", "+0.000s"]);
  });

  it("the header takes the strategy's colour and fills the width", () => {
    expect(strip(renderTraceHeader("webhook", 1_200, coloured, 60))).toBe(`── webhook · 1,200 payments ${"─".repeat(32)}`);
    expect(renderTraceHeader("webhook", 1, coloured)).toMatch(/^\x1b\[32m── webhook · 1 payment ─/);
  });
});
