import { describe, expect, it } from "vitest";
import type { StrategyResult } from "../src/contract/result.js";
import { verdict } from "../src/contract/verdict.js";
import { modelNotes, renderTable } from "../src/render/table.js";
import { compareResult, overWide, plain, polling, seven, two, variant, webhook } from "./render-fixtures.js";

const modelOf = (s: StrategyResult) => s.model!;

describe("model beside the measurement", () => {
  it("adds a model row to requests and to detection latency, a dash where there is no formula", () => {
    const out = renderTable(seven, plain);
    const requestsRows = out.split("\n").filter((l) => l.includes("model: requests"));
    expect(requestsRows[0]).toMatchInlineSnapshot(`"│   model: requests     │      117 │               – │           – │"`);
    const latencyRows = out.split("\n").filter((l) => l.includes("model: latency mean"));
    expect(latencyRows[1]).toMatchInlineSnapshot(`"│   model: latency mean │            – │        – │ 0.00 ms │       – │"`);
  });

  it("leaves the rows out when no strategy has a model", () => {
    const out = renderTable(compareResult(seven.strategies.filter((s) => s.model === null)), plain);
    expect(out).not.toContain("model:");
    expect(out).not.toContain("Model vs measured");
  });

  it("notes where model and measurement part between the table and the verdict, each line within 80 columns", () => {
    // The notes' wording is modelNotes' (below); the table's layout is render.test.ts's snapshot.
    const out = renderTable(two, plain);
    const section = out.slice(out.indexOf("Model vs measured"), out.indexOf(verdict(two).slice(0, 20)));
    expect(out.indexOf("└")).toBeLessThan(out.indexOf("Model vs measured"));
    const flat = (text: string) => text.replace(/\s+/g, " ").trim();
    expect(flat(section)).toBe(flat(["Model vs measured", ...modelNotes(two)].join(" ")));
    // Each note starts on its own line, indented; its continuation is indented further.
    const lines = section.trimEnd().split("\n").slice(1);
    expect(lines.filter((l) => /^ {2}\S/.test(l))).toHaveLength(modelNotes(two).length);
    expect(lines.every((l) => /^ {2}\S/.test(l) || /^ {4}\S/.test(l))).toBe(true);
    expect(overWide(out)).toEqual([]);
  });
});

describe("modelNotes", () => {
  it.each<[string, StrategyResult[], string[]]>([
    ["polling slower than modelled, one poll more", [polling], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "polling: 118 requests vs 117 modelled: within one per payment; the model leaves out this machine's own time per exchange.",
    ]],
    ["polling quicker than modelled", [{ ...polling, latencyMs: { ...polling.latencyMs!, mean: 430 } }], [
      "polling: measured 430.0 ms mean vs 455.2 ms modelled (-5.5%): nothing this run recorded accounts for it.",
      "polling: 118 requests vs 117 modelled: within one per payment; the model leaves out this machine's own time per exchange.",
    ]],
    ["polling as modelled", [{ ...polling, requests: { ...polling.requests, total: 117 }, latencyMs: { ...polling.latencyMs!, mean: 455.9 } }], [
      "polling: measured 455.9 ms mean vs 455.2 ms modelled (+0.2%): they agree.",
    ]],
    ["polling far more requests than boundaries explain", [{ ...polling, requests: { ...polling.requests, total: 190 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "polling: 190 requests vs 117 modelled: more than one extra request per payment, and the run recorded no refusal.",
    ]],
    ["polling refused by the provider", [{ ...polling, requests: { ...polling.requests, total: 190 }, errors: { rateLimited: 64, server: 3, rejected: 0 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "polling: 190 requests vs 117 modelled: 67 requests were refused (429 or 5xx), and each refusal costs another request.",
    ]],
    ["conditional reads like polling", [{ ...polling, name: "conditional" }], [
      "conditional: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "conditional: 118 requests vs 117 modelled: within one per payment; the model leaves out this machine's own time per exchange.",
    ]],
    ["long-polling", [{ ...webhook, name: "long-polling", requests: { ...webhook.requests, total: 26 }, model: { ...modelOf(webhook), requests: { total: 24, wasted: 4 }, latencyMs: { mean: 0.2 } } }], [
      "long-polling: measured 0.68 ms mean vs 0.20 ms modelled (+241%): the model counts only the network; a held request is answered only once the provider has noticed and written the answer.",
      "long-polling: 26 requests vs 24 modelled: within one per payment; the model leaves out this machine's own time per exchange.",
    ]],
    ["sse that reconnected", [{ ...webhook, name: "sse", requests: { ...webhook.requests, total: 3 }, model: { requests: { total: 1, wasted: 0 }, latencyMs: { mean: 0 }, basis: "one stream" } }], [
      "sse: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "sse: 3 requests vs 1 modelled: the stream was opened more than once.",
    ]],
    ["webhook with more retries than the fault plan", [{ ...webhook, requests: { ...webhook.requests, total: 27 }, deliveries: { attempted: 26, succeeded: 20, retried: 6 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "webhook: 27 requests vs 21 modelled: 6 deliveries were retried; the model expects none.",
    ]],
    ["webhook with planned retries and an extra one", [{ ...webhook, requests: { ...webhook.requests, total: 27 }, deliveries: { attempted: 26, succeeded: 20, retried: 6 }, model: { ...modelOf(webhook), requests: { total: 26, wasted: 6 } } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "webhook: 27 requests vs 26 modelled: 6 deliveries were retried; the model expects 5.",
    ]],
    ["polling fewer requests with missed payments", [{ ...variant(polling, "polling", { detected: 15 }), requests: { ...polling.requests, total: 80 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "polling: 80 requests vs 117 modelled: 5 payments were missed.",
    ]],
    ["webhook with retries", [webhook], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model expects none.",
    ]],
    ["webhook with a duplicate but no retry", [{ ...webhook, deliveries: { ...webhook.deliveries, retried: 0 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "webhook: 23 requests vs 21 modelled: some payments were delivered twice, more often than the model plans.",
    ]],
    ["webhook missing deliveries", [{ ...variant(webhook, "webhook", { detected: 17 }), requests: { ...webhook.requests, total: 18 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network, not this machine's own time (request processing, timers, the event loop).",
      "webhook: 18 requests vs 21 modelled: 3 payments were never delivered before the deadline.",
    ]],
    ["webhook that detected nothing", [variant(webhook, "webhook", { p50: null, detected: 0 })], [
      "webhook: detected nothing, so there is no latency to set beside the 0.00 ms modelled.",
      "webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model expects none.",
    ]],
    ["webhook with network delay modelled above the measurement", [{ ...webhook, requests: { ...webhook.requests, total: 21 }, model: { ...modelOf(webhook), latencyMs: { mean: 20 } } }], [
      "webhook: measured 0.68 ms mean vs 20.0 ms modelled (-97%): nothing this run recorded accounts for it.",
    ]],
    ["a strategy without a model", [variant(polling, "long-polling")], []],
  ])("%s", (_label, strategies, expected) => {
    expect(modelNotes({ strategies })).toEqual(expected);
  });
});

describe("modelNotes name a cause only when the run recorded one", () => {
  const trips = { p50: 1.5, p90: 2, p99: 3, max: 4 };
  const calm = { eventLoopDelayMs: { p50: 0.1, p99: 1, max: 2 }, utilization: 0.05 };
  const health = (loopback: number, roundTripMs?: typeof trips) => ({ unit: "wall-clock ms" as const, provider: calm, consumer: { ...calm, ...(roundTripMs ? { roundTripMs } : {}) }, loopbackRoundTripMs: { p50: loopback, p99: loopback * 2, max: loopback * 3 }, warnings: [] });
  const scenarioAt = (speed: number, jitter = 0) => ({ ...compareResult([polling]).scenario, speed, networkJitterMs: jitter });

  it("a real poller: its own polls' round trip, measured beyond the simulated network", () => {
    const notes = modelNotes({ strategies: [{ ...polling, health: health(0.4, trips) }], clock: "real", scenario: scenarioAt(1) });
    expect(notes).toEqual([
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the model counts only the network; this run's own time is 1.50 ms per exchange (its polls' round trip beyond the simulated network, p50).",
      "polling: 118 requests vs 117 modelled: within one per payment: this run's own 1.50 ms per exchange (its polls' round trip beyond the simulated network, p50), which the model leaves out, moves a settlement that close to a poll to the next one.",
    ]);
  });

  it("a webhook at speed 100: the loopback round trip, in scenario time", () => {
    const notes = modelNotes({ strategies: [{ ...webhook, requests: { ...webhook.requests, total: 21 }, health: health(0.4) }], clock: "real", scenario: scenarioAt(100) });
    expect(notes).toEqual(["webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; this run's own time is 40.0 ms per exchange at --speed 100 (this machine's loopback round trip, p50)."]);
  });

  it("the virtual clock: the round trip it adds itself", () => {
    expect(modelNotes({ strategies: [polling], clock: "virtual", scenario: scenarioAt(1) })).toEqual([
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): the simulation adds the machine's loopback round trip to every exchange; the model counts only the network.",
      "polling: 118 requests vs 117 modelled: within one per payment: the simulation's loopback round trip, which the model leaves out, moves a settlement that close to a poll to the next one.",
    ]);
  });

  it("quicker than modelled: the jitter's draws when there is jitter, the provider's late settlement timers when it recorded them", () => {
    const quick = { ...webhook, requests: { ...webhook.requests, total: 21 }, model: { ...modelOf(webhook), latencyMs: { mean: 20 } } };
    expect(modelNotes({ strategies: [quick], clock: "real", scenario: scenarioAt(1, 30) })).toEqual([
      "webhook: measured 0.68 ms mean vs 20.0 ms modelled (-97%): the model takes every message at the network's mean delay (latency plus half the jitter); this run's draws came out shorter.",
    ]);
    const lateProvider = { ...health(0.4, trips), provider: { ...calm, eventLoopDelayMs: { p50: 3, p99: 9, max: 12 } } };
    const quickPoll = { ...polling, requests: { ...polling.requests, total: 117 }, latencyMs: { ...polling.latencyMs!, mean: 430 }, health: lateProvider };
    expect(modelNotes({ strategies: [quickPoll], clock: "real", scenario: scenarioAt(1) })).toEqual([
      "polling: measured 430.0 ms mean vs 455.2 ms modelled (-5.5%): the provider stamps a settlement when its timer fires; its loop ran timers 3.00 ms late (p50), shortening what was left to wait.",
    ]);
  });

  it("a stream refused and opened again says so", () => {
    const sse = { ...webhook, name: "sse" as const, requests: { ...webhook.requests, total: 3 }, errors: { rateLimited: 0, server: 2, rejected: 0 }, model: { requests: { total: 1, wasted: 0 }, latencyMs: { mean: 0.68 }, basis: "one stream" } };
    expect(modelNotes({ strategies: [sse] })).toEqual(["sse: measured 0.68 ms mean vs 0.68 ms modelled (+0.2%): they agree.", "sse: 3 requests vs 1 modelled: the stream was refused 2 times (429 or 5xx) and opened again."]);
  });
});
