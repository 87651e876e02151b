import { describe, expect, it } from "vitest";
import type { RepeatInfo, StrategyResult } from "../src/contract/result.js";
import { decide, gap, rank, rankingLine, recommendation, verdict } from "../src/contract/verdict.js";
import { compareResult, polling, seven, two, variant, webhook } from "./render-fixtures.js";

/** A strategy with exactly the figures the decision reads. */
function strategy(name: StrategyResult["name"], f: { p95?: number | null; perPayment?: number; bytes?: number; missed?: number; held?: number; c2p?: number; loopP99?: number }): StrategyResult {
  const total = 20;
  const perPayment = f.perPayment ?? 1;
  const missed = f.missed ?? 0;
  const p95 = f.p95 === undefined ? 10 : f.p95;
  return {
    ...webhook,
    name,
    requests: { total: perPayment * total, consumerToProvider: f.c2p ?? 1, providerToConsumer: perPayment * total - (f.c2p ?? 1), wasted: 0, perPayment },
    bytes: { total: (f.bytes ?? 500) * total, consumerToProvider: 0, providerToConsumer: 0 },
    latencyMs: p95 === null ? null : { min: p95 / 4, mean: p95 / 2, p50: p95 / 2, p90: p95, p95, p99: p95, max: p95 },
    payments: { ...webhook.payments, duplicates: 0, detected: total - missed, missed, missedByReason: { "retries-exhausted": missed, deadline: 0, "endpoint-disabled": 0 } },
    load: { requestsPerSecond: 1, peakRequestsPerSecond: 2, connectionsHeld: f.held ?? 0 },
    health: f.loopP99 === undefined ? undefined : { provider: null, consumer: { eventLoopDelayMs: { p50: 0, p99: f.loopP99, max: f.loopP99 }, utilization: 0.1 } },
  };
}

const names = (strategies: StrategyResult[]) => rank(compareResult(strategies)).map((e) => `${e.rank}:${e.name}`);

describe("the ranking", () => {
  it("puts correctness first: fewer missed payments win whatever the latency or the requests", () => {
    const result = compareResult([strategy("webhook", { p95: 2, perPayment: 0.7, missed: 7 }), strategy("hybrid", { p95: 2500, perPayment: 0.9, c2p: 5 })]);
    expect(rank(result).map((e) => [e.name, e.decidedBy])).toEqual([
      ["hybrid", null],
      ["webhook", "correctness"],
    ]);
  });

  it("then latency at p95, then requests, then bytes per payment, then connections held", () => {
    expect(rank(compareResult([strategy("polling", { p95: 900 }), strategy("webhook", { p95: 3 })]))[1]).toMatchObject({ name: "polling", decidedBy: "latency" });
    expect(rank(compareResult([strategy("polling", { perPayment: 3 }), strategy("webhook", { perPayment: 1 })]))[1]).toMatchObject({ name: "polling", decidedBy: "requests" });
    expect(rank(compareResult([strategy("polling", { bytes: 1300 }), strategy("conditional", { bytes: 1000 })]))[1]).toMatchObject({ name: "polling", decidedBy: "bytes" });
    expect(rank(compareResult([strategy("long-polling", { held: 20 }), strategy("webhook", {})]))[1]).toMatchObject({ name: "long-polling", decidedBy: "connections" });
  });

  it("breaks a latency tie on requests: sse's one request beats long-polling's five at the same p95", () => {
    // The verdict once named long-polling first here.
    const result = compareResult([strategy("long-polling", { p95: 1.4, perPayment: 5 / 20 }), strategy("sse", { p95: 1.3, perPayment: 1 / 20 })]);
    expect(rank(result).map((e) => e.name)).toEqual(["sse", "long-polling"]);
    expect(recommendation(result)).toBe("subscribe to the provider's event stream (sse): long-polling needed 0.20 more requests per payment at about the same latency");
  });

  it("ties what it cannot tell apart, and puts the one with fewer moving parts first: hybrid that never reconciled is webhooks", () => {
    const hooked = strategy("webhook", { p95: 1.6, perPayment: 1.05 });
    const result = compareResult([strategy("polling", { p95: 905, perPayment: 3.05 }), { ...hooked, name: "hybrid" }, hooked]);
    expect(rank(result).map((e) => [e.rank, e.name, e.decidedBy])).toEqual([
      [1, "webhook", null],
      [1, "hybrid", null],
      [3, "polling", "latency"],
    ]);
    const { verdict: text, recommendation: advice } = decide(result);
    // Never "hybrid needed 2.9× fewer requests than polling": hybrid here was webhooks.
    expect(text).toContain("hybrid ran no reconciliation round: every outcome it learned came by webhook.");
    expect(text).toContain("about the same: hybrid");
    expect(advice).toMatch(/^use webhooks: polling learned outcomes 0\.9 s later at p95/);
  });

  it("counts a gap within 10 % (or 1 ms, or the run's event-loop delay) as the same latency on the real clock", () => {
    expect(names([strategy("webhook", { p95: 1.6, perPayment: 2 }), strategy("sse", { p95: 1.0, perPayment: 2 })])).toEqual(["1:sse", "1:webhook"]);
    expect(names([strategy("webhook", { p95: 100, perPayment: 2 }), strategy("sse", { p95: 109, perPayment: 2 })])).toEqual(["1:sse", "1:webhook"]);
    expect(names([strategy("webhook", { p95: 100, perPayment: 2 }), strategy("sse", { p95: 112, perPayment: 2 })])).toEqual(["1:webhook", "2:sse"]);
    // A loop running timers 8 ms late could have made either: the 5 ms gap is noise (and without it, not).
    expect(names([strategy("webhook", { p95: 2, loopP99: 8 }), strategy("long-polling", { p95: 7 })])).toEqual(["1:long-polling", "1:webhook"]);
    expect(names([strategy("webhook", { p95: 2, loopP99: 0.5 }), strategy("long-polling", { p95: 7 })])).toEqual(["1:webhook", "2:long-polling"]);
    // The virtual clock has no timers to blame: 1 ms apart is apart.
    const virtual = rank(compareResult([strategy("webhook", { p95: 0 }), strategy("sse", { p95: 1 })], { clock: "virtual" }));
    expect(virtual.map((e) => `${e.rank}:${e.name}`)).toEqual(["1:webhook", "2:sse"]);
  });

  it("reads the noise from --repeat when given: two standard errors of the difference", () => {
    const a = strategy("webhook", { p95: 100 });
    const b = strategy("sse", { p95: 130 });
    const spread = (sd: number): RepeatInfo => ({
      runs: 5,
      seeds: [1, 2, 3, 4, 5],
      stddev: [a, b].map((s) => ({ name: s.name, requests: { total: 0, wasted: 0 }, bytes: { total: 0 }, latencyMs: { mean: sd, p50: sd, p95: sd, p99: sd }, payments: { missed: 0 } })),
    });
    // 30 ms apart; sd 40 ms each over 5 runs: 2·√((40² + 40²)/5) ≈ 50.6 ms, so the same.
    expect(rank(compareResult([a, b], { repeat: spread(40) })).map((e) => e.rank)).toEqual([1, 1]);
    // sd 10 ms: 2·√(200/5) ≈ 12.6 ms, so 30 ms apart is a real difference (even though 10 % would be 13 ms).
    expect(rank(compareResult([a, b], { repeat: spread(10) })).map((e) => [e.name, e.rank])).toEqual([
      ["webhook", 1],
      ["sse", 2],
    ]);
  });
});

describe("the verdict", () => {
  it("leads with correctness, then names the percentile and the absolute gap, never a ratio of p50s", () => {
    const text = verdict(two);
    expect(text).toBe(
      "Both learned all 20 outcomes. Duplicate deliveries, recognised by id and processed once: webhook 1. " +
        "webhook learned outcomes sooner: p95 0.95 s sooner than polling (1.12 ms vs 951.2 ms). " +
        "webhook needed 1.15 requests per payment against polling's 5.90 (4.75 fewer), and moved 711 B per payment against polling's 1.4 kB (652 B less).",
    );
    expect(text).not.toMatch(/×|each outcome/);
  });

  it("says who missed payments, and why, before anything else", () => {
    const result = compareResult([strategy("webhook", { p95: 3000, perPayment: 0.7, missed: 7 }), strategy("hybrid", { p95: 2780, perPayment: 0.9, c2p: 5, bytes: 743 })], {
      scenario: { ...two.scenario, reconcileEveryMs: 5000 },
    });
    const { verdict: text, recommendation: advice } = decide(result);
    expect(text.startsWith("webhook missed 7 of 20 payments (retries ran out); hybrid missed none.")).toBe(true);
    expect(text).toContain("Latency about the same: p95 2.78 s (hybrid) and 3.00 s (webhook).");
    expect(advice).toBe("use webhooks and reconcile every 5 s (hybrid): webhooks alone missed 7 of 20 (retries ran out); it costs 0.20 more requests per payment");
  });

  it("lists every strategy's requests and bytes per payment when there are more than two", () => {
    const text = verdict(seven);
    expect(text).toMatch(/^All 7 learned all 20 outcomes\./);
    expect(text).toContain("Requests per payment: sse 0.05, webhook 1.15, hybrid 1.55, long-polling 2.05, polling-backoff 3.55, polling 5.90, conditional 5.90;");
    expect(text).toContain("later at p95: long-polling by 3.1 ms, conditional by 0.94 s, polling by 0.95 s, polling-backoff by 1.9 s");
  });

  it("says which requests the provider held open", () => {
    const text = verdict(compareResult([strategy("long-polling", { held: 20 }), strategy("sse", { held: 1 }), strategy("webhook", {})]));
    expect(text).toContain("Requests held open at the provider: long-polling up to 20 and sse up to 1; webhook none.");
  });

  it.each<[string, StrategyResult[], string, string]>([
    ["no strategy", [], "No strategy ran.", "nothing to recommend: no strategy ran"],
    ["one strategy", [polling], "polling learned 20 of 20 outcomes with 5.90 requests per payment, p95 951.2 ms.", "only polling ran: compare it with another (--strategies polling,webhook)"],
    [
      "nothing detected",
      [variant(polling, "polling", { p50: null, detected: 0 }), variant(webhook, "webhook", { p50: null, detected: 0 })],
      "polling detected nothing (0 of 20) and webhook detected nothing (0 of 20).",
      "nothing to recommend: no strategy learned any outcome (is the deadline long enough?)",
    ],
    [
      "one detected nothing",
      [polling, variant(webhook, "webhook", { p50: null, detected: 0 })],
      "webhook detected nothing (0 of 20); polling missed none.",
      // Polling needed more requests, and says so: a recommendation never hides its price.
      "poll every 1 s: webhook detected nothing; it costs 4.75 more requests per payment",
    ],
  ])("%s", (_label, strategies, expectedVerdict, expectedAdvice) => {
    const { verdict: text, recommendation: advice } = decide(compareResult(strategies));
    expect(text.startsWith(expectedVerdict)).toBe(true);
    expect(advice).toBe(expectedAdvice);
  });

  it("gives gaps two significant figures in the unit a person would use", () => {
    expect([gap(905.7), gap(12.34), gap(1.06), gap(0.313), gap(150_000), gap(0.001)]).toEqual(["0.91 s", "12 ms", "1.1 ms", "0.31 ms", "2.5 min", "0 ms"]);
  });
});

describe("the ranking line", () => {
  it("groups ties with =, names what put each group below the one before, and says nothing for two", () => {
    const result = compareResult([strategy("polling", { p95: 900, perPayment: 3 }), strategy("webhook", { p95: 2 }), strategy("hybrid", { p95: 2 }), strategy("sse", { p95: 2, perPayment: 0.05 })]);
    expect(rankingLine(rank(result))).toBe("Ranking: 1 sse · 2 webhook = hybrid (requests) · 4 polling (latency)");
    expect(rankingLine(rank(two))).toBeNull();
  });
});

describe("a run cut short", () => {
  it("says so in the recommendation", () => {
    expect(recommendation(compareResult([polling, webhook], { partial: true }))).toMatch(/^use webhooks: .* \(from a run cut short\)$/);
    const nothing = compareResult([variant(polling, "polling", { p50: null, detected: 0 })], { partial: true });
    expect(recommendation(nothing)).toBe("nothing to recommend: the run was interrupted before any outcome was known");
  });
});
