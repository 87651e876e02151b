import { describe, expect, it } from "vitest";
import { envelope, stamp } from "../src/contract/envelope.js";
import { OPEN_FIELD_PREFIXES, STRATEGY_FIELD_PATHS } from "../src/contract/fields.js";
import { DeliveryFate, missReason, noMisses } from "../src/contract/miss.js";
import { missFor } from "../src/policy/outcome.js";
import type { StrategyResult } from "../src/contract/result.js";
import { defaultScenario } from "../src/scenario/defaults.js";
import { VERSION } from "../src/version.js";
import { polling, webhook } from "./render-fixtures.js";

/** Every dotted path to a number in a value, as a script reading the JSON would find them. */
function numericPaths(value: unknown, prefix = ""): string[] {
  if (typeof value === "number") return [prefix];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => numericPaths(child, prefix ? `${prefix}.${key}` : key));
}

describe("the contract's field paths", () => {
  // tsc holds the list to the StrategyResult interface; this holds it to a real result object.
  it("name exactly the numbers of a full strategy result, open-ended groups aside", () => {
    const full: StrategyResult = {
      ...webhook,
      errors: { rateLimited: 1, server: 2, rejected: 0 },
      health: { provider: null, consumer: { eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, utilization: 0 } },
      projection: { requestsPerDay: 1, requestsPerMonth: 30, bytesPerDay: 1, bytesPerMonth: 30 },
      cost: { perDay: 1, perMonth: 30 },
    };
    const found = numericPaths(full).filter((p) => !OPEN_FIELD_PREFIXES.some((prefix) => p.startsWith(prefix)));
    expect([...found].sort()).toEqual([...STRATEGY_FIELD_PATHS].sort());
    // A run without --per-day or --price has no projection or cost; every other path is always there.
    const always = STRATEGY_FIELD_PATHS.filter((p) => !p.startsWith("projection.") && !p.startsWith("cost."));
    expect(numericPaths(polling).filter((p) => !p.startsWith("errors.") && !p.startsWith("payments.missedByReason."))).toHaveLength(always.length);
  });
});

describe("miss classification", () => {
  it("names the webhook's fate, and the deadline for anything else", () => {
    expect(missReason(DeliveryFate.exhausted)).toBe("retries-exhausted");
    expect(missReason(DeliveryFate.disabled)).toBe("endpoint-disabled");
    expect(missReason(DeliveryFate.none)).toBe("deadline");
    // A delivered webhook whose payment was still missed came too late: the deadline's doing.
    expect(missReason(DeliveryFate.delivered)).toBe("deadline");
    const counts = noMisses();
    for (const fate of [DeliveryFate.exhausted, DeliveryFate.exhausted, DeliveryFate.disabled, DeliveryFate.none]) counts[missReason(fate)]++;
    expect(counts).toEqual({ "retries-exhausted": 2, deadline: 1, "endpoint-disabled": 1, interrupted: 0 });
    expect(Object.keys(noMisses())).toEqual(["retries-exhausted", "deadline", "endpoint-disabled", "interrupted"]);
  });

  it("an interrupted run names the interruption, not the deadline, unless the webhook's fate or a passed deadline says otherwise", () => {
    expect(missFor(DeliveryFate.none, true)).toBe("interrupted");
    expect(missFor(DeliveryFate.delivered, true)).toBe("interrupted");
    expect(missFor(DeliveryFate.none, false)).toBe("deadline");
    // The webhook's own fate was observed before the interruption: it stands.
    expect(missFor(DeliveryFate.exhausted, true)).toBe("retries-exhausted");
    expect(missFor(DeliveryFate.disabled, true)).toBe("endpoint-disabled");
  });
});

describe("the envelope", () => {
  it("opens every result the same way, in the JSON's order", () => {
    const s = defaultScenario();
    const head = envelope(s, "virtual", true);
    expect(Object.keys(head)).toEqual(["schemaVersion", "tool", "clock", "partial", "scenario"]);
    expect(head).toMatchObject({ schemaVersion: 1, tool: { name: "apiwh", version: VERSION }, clock: "virtual", partial: true });
    expect(head.scenario).toMatchObject({ name: s.name, payments: s.payments.count, seed: s.seed, pollIntervalMs: s.polling.intervalMs, strategies: s.strategies });
    // A sweep names what it ran; the scenario's own list is left alone.
    expect(envelope(s, "real", false, ["polling", "webhook"]).scenario.strategies).toEqual(["polling", "webhook"]);
    expect(head.scenario.strategies).not.toBe(s.strategies);
    expect(stamp()).toEqual({ schemaVersion: 1, tool: { name: "apiwh", version: VERSION } });
  });
});
