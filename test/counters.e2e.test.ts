import { describe, expect, it } from "vitest";
import type { RunEvent } from "../src/contract/events.js";
import { countersOf, Timeline } from "../src/contract/timeline.js";
import { declaration } from "../src/scenario/declaration.js";
import { STRATEGY_NAMES } from "../src/scenario/types.js";

/**
 * The live view, the trace and the classroom page count requests from the run's events, while the
 * table counts them where they arrive (the provider's meter, the receiver's). A real run of every
 * strategy, with refused deliveries and reconciliation pages in it, must give both the same
 * numbers: events-counted requests and waste equal to the result's, strategy by strategy.
 */

// The provider runs in a worker loaded from dist/, so the run goes through the built code.
const built = (await import(new URL("../dist/run/compare.js", import.meta.url).href)) as typeof import("../src/run/compare.js");

describe("counters from events equal the table's", () => {
  it("every strategy, with failing deliveries, retries and list pages", async () => {
    const scenario = declaration.parse({
      name: "counters",
      seed: 7,
      payments: { count: 6, arrival: "burst" },
      settlement: { delay: "uniform(200ms, 800ms)", failureRate: 0.2 },
      polling: { interval: "300ms" },
      hybrid: { reconcileEvery: "400ms" },
      webhook: { retries: ["0s", "200ms", "400ms"] },
      faults: { webhook: { failureRate: 0.3 } },
      deadline: "5s",
      speed: 2,
      strategies: [...STRATEGY_NAMES],
    });
    const timeline = new Timeline(scenario.speed);
    const kinds = new Map<string, number>();
    const onEvent = (e: RunEvent) => {
      timeline.listener(e);
      if (e.kind === "consumer") kinds.set(`${e.event.strategy}:${e.event.kind}`, (kinds.get(`${e.event.strategy}:${e.event.kind}`) ?? 0) + 1);
    };
    const result = await built.compare(scenario, { host: "127.0.0.1", webhookPort: 0, details: false, onEvent });

    // The seed exercises what is counted apart: deliveries the receiver failed, list pages, a registration, a stream.
    expect(kinds.get("webhook:refused") ?? 0, "refused webhook deliveries").toBeGreaterThan(0);
    expect(kinds.get("hybrid:list") ?? 0, "hybrid's list pages").toBeGreaterThan(0);
    expect(kinds.get("webhook:register")).toBe(1);
    expect(kinds.get("sse:connect")).toBeGreaterThanOrEqual(1);

    expect(timeline.strategies.map((t) => t.name)).toEqual(result.strategies.map((s) => s.name));
    const fromEvents = timeline.strategies.map((t) => ({ name: t.name, requests: t.requests.length, wasted: t.requests.length - t.useful }));
    const fromTable = result.strategies.map((s) => ({ name: s.name, requests: s.requests.total, wasted: s.requests.wasted }));
    expect(fromEvents).toEqual(fromTable);
    // What a view shows at the end is the result's own figures.
    for (const [i, t] of timeline.strategies.entries()) {
      const s = result.strategies[i]!;
      expect(countersOf(t)).toMatchObject({ requests: s.requests.total, wasted: s.requests.wasted, known: s.payments.detected, missed: s.payments.missed, done: true });
    }
  }, 60_000);
});
