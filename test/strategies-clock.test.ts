import { describe, expect, it } from "vitest";
import type { TerminalStatus } from "../src/contract/events.js";
import { BackoffDraws, backoffCeilingMs, REFUSAL_BASE_MS } from "../src/policy/polling.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import type { Scenario, StrategyName } from "../src/scenario/types.js";
import type { PollAnswer } from "../src/strategies/api-client.js";
import { strategyFactory } from "../src/strategies/index.js";
import type { ConsumerContext, Strategy } from "../src/strategies/types.js";
import { FakeReads, FakeScheduler, failed, pending, rateLimited, settled, type FakeRequest } from "./helpers/fake-clock.js";

/**
 * The pollers' decisions on a fake clock against a fake API (src/policy/ decides, the strategies
 * schedule through ctx.clock): every time below is exact, because nothing real runs. Each fake
 * answer comes back 2 ms after its request (FakeReads' round trip).
 */

interface Harness {
  clock: FakeScheduler;
  reads: FakeReads;
  strategy: Strategy;
  detected: Array<{ id: string; status: TerminalStatus; at: number }>;
}

function harness(name: StrategyName, answer: (request: FakeRequest, k: number) => PollAnswer, patch: (s: Scenario) => void = () => {}): Harness {
  const scenario = defaultScenario();
  patch(scenario);
  const clock = new FakeScheduler();
  const reads = new FakeReads(clock, answer);
  const detected: Harness["detected"] = [];
  const ctx: ConsumerContext = {
    scenario,
    providerUrl: "http://fake",
    api: undefined as unknown as ConsumerContext["api"],
    reads,
    clock,
    listen: { host: "127.0.0.1", port: 0 },
    detect: (id, status, at) => void (detected.some((d) => d.id === id) || detected.push({ id, status, at })),
    isDetected: (id) => detected.some((d) => d.id === id),
  };
  return { clock, reads, strategy: strategyFactory(name)(ctx), detected };
}

/** Answers from a list by ordinal, the last one repeated. */
const script = (...answers: PollAnswer[]) => (_r: FakeRequest, k: number) => answers[Math.min(k, answers.length - 1)]!;

describe("fixed polling on a fake clock", () => {
  it("polls at creation and on every slot of its schedule, then stops once it knows", async () => {
    const h = harness("polling", script(pending(), pending(), pending(), settled()));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(10_000);
    expect(h.reads.timesOf("/payments/pay_1")).toEqual([0, 1000, 2000, 3000]);
    expect(h.detected).toEqual([{ id: "pay_1", status: "succeeded", at: 3002 }]);
    expect(h.clock.pending).toBe(0);
  });

  it("after a 429 holds off its Retry-After from the answer, skipping the slot that falls inside, then keeps its schedule", async () => {
    const h = harness("polling", script(pending(), rateLimited(1000), pending(), settled()));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(10_000);
    // The 429 came back at 1002; 1002 + 1000 passes slot 2 (2000): the next poll is slot 3.
    expect(h.reads.timesOf("/payments/pay_1")).toEqual([0, 1000, 3000, 4000]);
    expect(h.strategy.stats().rateLimited).toBe(1);
  });

  it("doubles its hold-off on consecutive 5xx (one interval, two, four) and resets on an answer", async () => {
    const h = harness("polling", script(failed(), failed(503), failed(), pending(), settled()));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(30_000);
    // 0 → 500 at 2, +1 s → slot 2; 2000 → 503 at 2002, +2 s → slot 5; 5000 → 500 at 5002, +4 s → slot 10; then pending → slot 11.
    expect(h.reads.timesOf("/payments/pay_1")).toEqual([0, 2000, 5000, 10_000, 11_000]);
    expect(h.strategy.stats().serverErrors).toBe(3);
  });

  it("runs its schedule at the scenario's speed: a 1 s interval at speed 10 is 100 ms of wall time", async () => {
    const h = harness("polling", script(pending(), pending(), settled()), (s) => (s.speed = 10));
    // Its id arrives at 50 ms: the schedule is anchored there.
    await h.clock.runUntil(50);
    h.strategy.track("pay_7", h.clock.now());
    await h.clock.runUntil(5_000);
    expect(h.reads.timesOf("/payments/pay_7")).toEqual([50, 150, 250]);
  });

  it("stops every timer on stop(): nothing is sent after it", async () => {
    const h = harness("polling", script(pending()));
    for (let i = 1; i <= 3; i++) h.strategy.track(`pay_${i}`, 0);
    await h.clock.runUntil(2_500);
    const before = h.reads.requests.length;
    expect(before).toBe(9);
    await h.strategy.stop();
    await h.clock.runUntil(60_000);
    expect(h.reads.requests.length).toBe(before);
  });

  it("conditional sends back the last ETag it was given", async () => {
    const h = harness("conditional", script(pending('"v1"'), { http: 304, etag: '"v1"', retryAfterMs: 0 }, settled('"v2"')));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(5_000);
    expect(h.reads.requests.map((r) => r.ifNoneMatch)).toEqual([undefined, '"v1"', '"v1"']);
    expect(h.detected).toHaveLength(1);
  });
});

describe("polling-backoff on a fake clock", () => {
  it("sleeps the seeded full-jitter draws: random(0, min(cap, interval·2^n)), the same the virtual clock draws", async () => {
    const h = harness("polling-backoff", script(pending(), pending(), pending(), pending(), pending(), pending(), settled()), (s) => (s.seed = 9));
    h.strategy.track("pay_3", 0);
    await h.clock.runUntil(120_000);
    const times = h.reads.timesOf("/payments/pay_3");
    expect(times).toHaveLength(7);
    const draws = new BackoffDraws(9, 1000, 10_000);
    for (let n = 0; n < 6; n++) {
      const sleep = times[n + 1]! - (times[n]! + 2);
      // Base: the poll interval (1 s); cap: ten times the base.
      expect(sleep).toBeCloseTo(draws.sleepMs(2, n), 9);
      expect(sleep).toBeLessThanOrEqual(backoffCeilingMs(1000, 10_000, n));
    }
  });

  it("after a 429 sleeps at least Retry-After", async () => {
    const h = harness("polling-backoff", script(rateLimited(3000), settled()));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(20_000);
    const [first, second] = h.reads.timesOf("/payments/pay_1");
    expect(second! - first! - 2).toBeGreaterThanOrEqual(3000);
  });

  it("a given base and cap bound its sleeps", async () => {
    const h = harness("polling-backoff", script(pending()), (s) => (s.pollingBackoff = { baseMs: 100, capMs: 400 }));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(10_000);
    const times = h.reads.timesOf("/payments/pay_1");
    const sleeps = times.slice(1).map((t, n) => t - times[n]! - 2);
    expect(sleeps.length).toBeGreaterThan(20);
    sleeps.forEach((sleep, n) => expect(sleep).toBeLessThanOrEqual(Math.min(400, 100 * 2 ** n)));
    await h.strategy.stop();
  });
});

describe("long polling on a fake clock", () => {
  it("asks again at once after a pending answer, and after a refusal holds off 250 ms doubling", async () => {
    const h = harness("long-polling", script(pending(), failed(), failed(), rateLimited(1000), settled()), (s) => (s.longPolling.waitMs = 30_000));
    h.strategy.track("pay_1", 0);
    await h.clock.runUntil(10_000);
    const times = h.reads.timesOf("/payments/pay_1?wait=30000ms");
    // pending at 2 → at once; 500 at 4 → +250; 500 at 256 → +500; 429 (Retry-After 1 s) at 758 → +1000.
    expect(times).toEqual([0, 2, 4 + REFUSAL_BASE_MS, 256 + 2 * REFUSAL_BASE_MS, 758 + 1000]);
    expect(h.detected.map((d) => d.at)).toEqual([1760]);
  });
});
