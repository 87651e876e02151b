import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/contract/events.js";
import { fanOut, Timeline } from "../src/contract/timeline.js";
import { pollingEvents, pollingResultFor3, recordedRun, webhookEvents } from "./helpers/recorded-run.js";

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
    expect(polling!.lanes.get("pay_1")).toEqual({ id: "pay_1", created: 1, settled: 1500, status: "succeeded", detected: 2001, emptyPolls: [1001], deliveries: [] });
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
    expect(webhook!.lanes.get("pay_2")).toMatchObject({ settled: 1800, status: "failed", detected: 6800.5, deliveries: [6800.5], emptyPolls: [] });
    expect(webhook!.requests).toEqual([1500.75, 3200.5, 6800.5]);
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
    both!(webhookEvents[0]!);
    expect(seen).toEqual(["a:strategy-start", "b:strategy-start"]);
    const one = (_e: RunEvent) => undefined;
    expect(fanOut(undefined, one)).toBe(one);
    expect(fanOut()).toBeUndefined();
  });
});
