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
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): each poll also pays the request's round trip and timer drift.",
      "polling: 118 requests vs 117 modelled: a poll that lands exactly on a settlement boundary sees it one interval early or late.",
    ]],
    ["polling quicker than modelled", [{ ...polling, latencyMs: { ...polling.latencyMs!, mean: 430 } }], [
      "polling: measured 430.0 ms mean vs 455.2 ms modelled (-5.5%): settlement timers fired late, leaving less of the wait to sit through.",
      "polling: 118 requests vs 117 modelled: a poll that lands exactly on a settlement boundary sees it one interval early or late.",
    ]],
    ["polling as modelled", [{ ...polling, requests: { ...polling.requests, total: 117 }, latencyMs: { ...polling.latencyMs!, mean: 455.9 } }], [
      "polling: measured 455.9 ms mean vs 455.2 ms modelled (+0.2%): they agree.",
    ]],
    ["polling far more requests than boundaries explain", [{ ...polling, requests: { ...polling.requests, total: 190 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): each poll also pays the request's round trip and timer drift.",
      "polling: 190 requests vs 117 modelled: more than one extra request per payment: answers came back late or timers drifted.",
    ]],
    ["polling refused by the provider", [{ ...polling, requests: { ...polling.requests, total: 190 }, errors: { rateLimited: 64, server: 3, rejected: 0 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): each poll also pays the request's round trip and timer drift.",
      "polling: 190 requests vs 117 modelled: 67 requests were refused (429 or 5xx), and each refusal costs another request.",
    ]],
    ["conditional reads like polling", [{ ...polling, name: "conditional" }], [
      "conditional: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): each poll also pays the request's round trip and timer drift.",
      "conditional: 118 requests vs 117 modelled: a poll that lands exactly on a settlement boundary sees it one interval early or late.",
    ]],
    ["long-polling", [{ ...webhook, name: "long-polling", requests: { ...webhook.requests, total: 26 }, model: { ...modelOf(webhook), requests: { total: 24, wasted: 4 }, latencyMs: { mean: 0.2 } } }], [
      "long-polling: measured 0.68 ms mean vs 0.20 ms modelled (+241%): the held request is answered only once the provider has noticed and written the answer.",
      "long-polling: 26 requests vs 24 modelled: a wait window that ends just as a payment settles costs one held request more or less.",
    ]],
    ["sse that reconnected", [{ ...webhook, name: "sse", requests: { ...webhook.requests, total: 3 }, model: { requests: { total: 1, wasted: 0 }, latencyMs: { mean: 0 }, basis: "one stream" } }], [
      "sse: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is writing and parsing the event.",
      "sse: 3 requests vs 1 modelled: the stream dropped and was opened again.",
    ]],
    ["webhook with more retries than the fault plan", [{ ...webhook, requests: { ...webhook.requests, total: 27 }, deliveries: { attempted: 26, succeeded: 20, retried: 6 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is signing, sending and verifying.",
      "webhook: 27 requests vs 21 modelled: 6 deliveries were retried; the model expects none.",
    ]],
    ["webhook with planned retries and an extra one", [{ ...webhook, requests: { ...webhook.requests, total: 27 }, deliveries: { attempted: 26, succeeded: 20, retried: 6 }, model: { ...modelOf(webhook), requests: { total: 26, wasted: 6 } } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is signing, sending and verifying.",
      "webhook: 27 requests vs 26 modelled: 6 deliveries were retried; the model expects 5.",
    ]],
    ["polling fewer requests with missed payments", [{ ...variant(polling, "polling", { detected: 15 }), requests: { ...polling.requests, total: 80 } }], [
      "polling: measured 471.9 ms mean vs 455.2 ms modelled (+3.7%): each poll also pays the request's round trip and timer drift.",
      "polling: 80 requests vs 117 modelled: 5 payments were missed, and the model counts polls until every payment is detected.",
    ]],
    ["webhook with retries", [webhook], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is signing, sending and verifying.",
      "webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model expects none.",
    ]],
    ["webhook with a duplicate but no retry", [{ ...webhook, deliveries: { ...webhook.deliveries, retried: 0 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is signing, sending and verifying.",
      "webhook: 23 requests vs 21 modelled: some payments were delivered twice, more often than the model plans.",
    ]],
    ["webhook missing deliveries", [{ ...variant(webhook, "webhook", { detected: 17 }), requests: { ...webhook.requests, total: 18 } }], [
      "webhook: measured 0.68 ms mean vs 0.00 ms modelled: the model counts only the network; the rest is signing, sending and verifying.",
      "webhook: 18 requests vs 21 modelled: 3 payments were never delivered before the deadline.",
    ]],
    ["webhook that detected nothing", [variant(webhook, "webhook", { p50: null, detected: 0 })], [
      "webhook: detected nothing, so there is no latency to set beside the 0.00 ms modelled.",
      "webhook: 23 requests vs 21 modelled: 2 deliveries were retried; the model expects none.",
    ]],
    ["webhook with network delay modelled above the measurement", [{ ...webhook, requests: { ...webhook.requests, total: 21 }, model: { ...modelOf(webhook), latencyMs: { mean: 20 } } }], [
      "webhook: measured 0.68 ms mean vs 20.0 ms modelled (-97%): the simulated network delays came out shorter than the model's average (latency plus half the jitter).",
    ]],
    ["a strategy without a model", [variant(polling, "long-polling")], []],
  ])("%s", (_label, strategies, expected) => {
    expect(modelNotes({ strategies })).toEqual(expected);
  });
});
