import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/contract/events.js";
import { countersOf, fanOut, Timeline } from "../src/contract/timeline.js";
import { pollingEvents, pollingResultFor3, recordedRun, webhookEvents, webhookResultFor3 } from "./helpers/recorded-run.js";

function record(events: RunEvent[], speed = 1): Timeline {
  const timeline = new Timeline(speed);
  for (const e of events) timeline.listener(e);
  return timeline;
}

describe("Timeline (from a hand-built event stream)", () => {
  it("keeps one story per payment in scenario ms from the strategy's start", () => {
    const [polling] = record(pollingEvents).strategies;
    expect(polling!.name).toBe("polling");
    expect([...polling!.lanes.keys()]).toEqual(["pay_1", "pay_2", "pay_3"]);
    expect(polling!.lanes.get("pay_1")).toEqual({ id: "pay_1", created: 1, settled: 1500, status: "succeeded", detected: 2001, detectedBy: "asked", emptyPolls: [1001], deliveries: [] });
    expect(polling!.lanes.get("pay_2")).toMatchObject({ settled: 1800, status: "failed", detected: 2001.25, emptyPolls: [1001.25] });
    expect(polling!.lanes.get("pay_3")).toMatchObject({ settled: 3200, detected: 4001.5, emptyPolls: [1001.5, 2001.5, 3001.5] });
  });

  it("counts requests, settlements and detections, and the latest time seen", () => {
    const [polling] = record(pollingEvents).strategies;
    expect(polling!.requests).toHaveLength(8);
    expect(polling!.settled).toBe(3);
    expect(polling!.detected).toBe(3);
    expect(polling!.latest).toBe(4001.5);
    expect(polling!.result).toBe(pollingResultFor3);
  });

  it("a poll that brings the outcome is a request but not an empty poll", () => {
    const [polling] = record(pollingEvents).strategies;
    const all = [...polling!.lanes.values()];
    expect(all.flatMap((l) => l.emptyPolls)).toHaveLength(5);
    expect(polling!.requests.filter((t) => !all.some((l) => l.emptyPolls.includes(t)))).toEqual([2001, 2001.25, 4001.5]);
  });

  it("deliveries land on their lane; a refused attempt at the provider is not one", () => {
    const [, webhook] = record(recordedRun).strategies;
    expect(webhook!.name).toBe("webhook");
    expect(webhook!.t0).toBe(20_000);
    expect(webhook!.lanes.get("pay_2")).toMatchObject({ settled: 1800, status: "failed", detected: 6800.5, detectedBy: "told", deliveries: [6800.5], emptyPolls: [] });
    // The registration, made before the strategy's clock started, is its first request.
    expect(webhook!.requests).toEqual([-4, 1500.75, 3200.5, 6800.5]);
  });

  it("keeps each strategy apart, in run order", () => {
    const timeline = record(recordedRun);
    expect(timeline.strategies.map((s) => [s.name, s.settled, s.detected, s.lanes.size])).toEqual([
      ["polling", 3, 3, 3],
      ["webhook", 3, 3, 3],
    ]);
  });

  it("a settlement repeated by the provider is counted once", () => {
    const t = record([...pollingEvents.slice(0, 8), pollingEvents[7]!]).strategies[0]!;
    expect(t.settled).toBe(1);
  });

  it("a second detection of the same payment changes nothing", () => {
    const again: RunEvent = { kind: "consumer", event: { kind: "detected", strategy: "polling", id: "pay_1", at: 9_000, status: "failed" } };
    const t = record([...pollingEvents, again]).strategies[0]!;
    expect(t.detected).toBe(3);
    expect(t.lanes.get("pay_1")).toMatchObject({ detected: 2001, status: "succeeded" });
  });

  it("scales wall time by the scenario's speed", () => {
    const t = record(pollingEvents, 10).strategies[0]!;
    expect(t.lanes.get("pay_1")).toMatchObject({ settled: 15_000, detected: 20_010 });
  });

  it("ignores events of a strategy that never started", () => {
    const stray: RunEvent = { kind: "provider", strategy: "sse", events: [{ kind: "settled", index: 0, at: 5, status: "succeeded" }] };
    const timeline = record([stray, ...pollingEvents.slice(0, 2)]);
    expect(timeline.strategies).toHaveLength(1);
    expect(timeline.strategies[0]!.settled).toBe(0);
  });

  it("fanOut passes every event to each listener, and is absent without listeners", () => {
    const seen: string[] = [];
    const both = fanOut((e) => seen.push(`a:${e.kind}`), undefined, (e) => seen.push(`b:${e.kind}`));
    both!(webhookEvents[1]!);
    expect(seen).toEqual(["a:strategy-start", "b:strategy-start"]);
    const one = (_e: RunEvent) => undefined;
    expect(fanOut(undefined, one)).toBe(one);
    expect(fanOut()).toBeUndefined();
  });

  it("counts requests and waste with the result's definitions, so the numbers at the end are the table's", () => {
    const [polling, webhook] = record(recordedRun).strategies;
    for (const [t, result] of [
      [polling!, pollingResultFor3],
      [webhook!, webhookResultFor3],
    ] as const) {
      expect(t.requests.length, t.name).toBe(result.requests.total);
      expect(t.requests.length - t.useful, t.name).toBe(result.requests.wasted);
    }
  });

  it("an event stream is one request however many events it carries; a refused delivery is one", () => {
    const events: RunEvent[] = [
      { kind: "consumer", event: { kind: "connect", strategy: "sse", at: 99, status: 200, durationMs: 1, connection: 1 } },
      { kind: "strategy-start", strategy: "sse", t0: 100, payments: 2 },
      ...[1, 2].flatMap((i): RunEvent[] => [
        { kind: "consumer", event: { kind: "delivery", strategy: "sse", id: `pay_${i}`, at: 100 + i * 100, status: 200, type: "payment.succeeded", duplicate: false, durationMs: 0, stream: true } },
        { kind: "consumer", event: { kind: "detected", strategy: "sse", id: `pay_${i}`, at: 100 + i * 100, status: "succeeded", request: "sse:1" } },
      ]),
      { kind: "consumer", event: { kind: "refused", strategy: "sse", at: 400, status: 503, reason: "outage" } },
    ];
    const t = record(events).strategies[0]!;
    expect(t.requests).toEqual([-1, 300]);
    // Both outcomes came on the one stream: one useful request.
    expect(t.useful).toBe(1);
    expect(countersOf(t)).toMatchObject({ requests: 2, wasted: 1, known: 2, done: false });
  });

  it("a list page that brings several outcomes is one useful request", () => {
    const events: RunEvent[] = [
      { kind: "strategy-start", strategy: "hybrid", t0: 0, payments: 2 },
      { kind: "consumer", event: { kind: "list", strategy: "hybrid", at: 1000, status: 200, durationMs: 1, page: 1, found: 2 } },
      { kind: "consumer", event: { kind: "detected", strategy: "hybrid", id: "pay_1", at: 1000, status: "succeeded", request: "list:1" } },
      { kind: "consumer", event: { kind: "detected", strategy: "hybrid", id: "pay_2", at: 1000, status: "failed", request: "list:1" } },
      { kind: "consumer", event: { kind: "list", strategy: "hybrid", at: 2000, status: 200, durationMs: 1, page: 2, found: 0 } },
    ];
    const t = record(events).strategies[0]!;
    expect(countersOf(t)).toMatchObject({ requests: 2, wasted: 1, known: 2 });
    expect(t.lanes.get("pay_1")!.detectedBy).toBe("asked");
  });

  it("counters while running: latencies of payments known in time, misses past the deadline; at the end, the result's", () => {
    const running = record(pollingEvents.slice(0, 12)).strategies[0]!;
    expect(countersOf(running, 2_100, 10_000)).toMatchObject({ requests: 5, wasted: 4, settled: 2, known: 1, missed: 0, p50: 501, elapsedMs: 2_100, done: false });
    // A 1 s deadline: pay_1 was known 2 s after its creation (too late), pay_2 and pay_3 not at all.
    expect(countersOf(running, 2_100, 1_000)).toMatchObject({ missed: 3, p50: null });
    const done = record(pollingEvents).strategies[0]!;
    expect(countersOf(done)).toMatchObject({ requests: 8, wasted: 5, known: 3, p50: 501, p95: 801.5, elapsedMs: 4_001, done: true });
  });

  it("what a strategy does before its start waits for it, even while another strategy runs", () => {
    const early: RunEvent = { kind: "consumer", event: { kind: "register", strategy: "webhook", at: 19_990, status: 201, durationMs: 2 } };
    const timeline = record([...pollingEvents.slice(0, 5), early, ...pollingEvents.slice(5), ...webhookEvents]);
    const [polling, webhook] = timeline.strategies;
    expect(polling!.requests).toHaveLength(8);
    expect(webhook!.requests.slice(0, 2)).toEqual([-10, -4]);
  });
});
