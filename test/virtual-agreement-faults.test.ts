import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../src/contract/result.js";
import { loadScenarioFile } from "../src/scenario/load.js";
import { simulateScenario } from "../src/virtual/simulate.js";
import { runCli } from "./helpers/cli.js";

/**
 * Webhook faults played by the receiver from the plan (drawn 500s, a 503 window, duplicates), in
 * both signature formats: the real run and the virtual clock must agree on every delivery count,
 * and on the bytes to within the one estimate the simulation makes (an event id's digit count,
 * taken to be its payment id's: at most a byte per delivery). No `refuse` window here: the sender
 * decides those on its real clock, and a late timer near the window's edge could move an attempt;
 * the receiver's 500s and 503s come from the plan and cannot move.
 */
function scenario(signature: "standard-webhooks" | "stripe") {
  return {
    name: `faults-${signature}`,
    seed: 11,
    payments: { count: 30, arrival: { rate: "20/s" } },
    settlement: { delay: "uniform(200ms, 2s)", failureRate: 0.1 },
    webhook: { signature, retries: ["0s", "300ms", "600ms", "1s"] },
    faults: { webhook: { failureRate: 0.3, duplicateRate: 0.2, downtime: [{ from: "500ms", to: "1500ms", mode: "503" }] } },
    deadline: "8s",
    speed: 4,
    strategies: ["webhook"],
  };
}

describe("virtual clock and real run agree under the receiver's scripted faults", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("in both signature formats: deliveries, requests, duplicates and misses equal, bytes within a byte per delivery", async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-faults-"));
    const runs = await Promise.all(
      (["standard-webhooks", "stripe"] as const).map(async (signature) => {
        const path = join(dir!, `${signature}.json`);
        await writeFile(path, JSON.stringify(scenario(signature)));
        const real = await runCli(["compare", path, "--format", "json"]);
        expect(real.code, real.stderr).toBe(0);
        return { signature, real: JSON.parse(real.stdout) as CompareResult, virtual: simulateScenario(await loadScenarioFile(path)) };
      }),
    );
    for (const { signature, real, virtual } of runs) {
      const r = real.strategies[0]!;
      const v = virtual.strategies[0]!;
      // The seed must exercise every fault it is about.
      expect(v.deliveries.retried, signature).toBeGreaterThan(5);
      expect(v.payments.duplicates, signature).toBeGreaterThan(0);
      expect(r.deliveries, signature).toEqual(v.deliveries);
      expect(r.requests, signature).toMatchObject({ total: v.requests.total, consumerToProvider: v.requests.consumerToProvider, providerToConsumer: v.requests.providerToConsumer });
      expect(r.payments.duplicates, signature).toBe(v.payments.duplicates);
      expect(r.payments.missedByReason, signature).toEqual(v.payments.missedByReason);
      expect(r.bytes.consumerToProvider, signature).toBe(v.bytes.consumerToProvider);
      expect(Math.abs(r.bytes.providerToConsumer - v.bytes.providerToConsumer), signature).toBeLessThanOrEqual(v.requests.providerToConsumer);
    }
    // Stripe sends less: no Standard Webhooks headers, its event id in the body instead.
    const [standard, stripe] = runs.map((run) => run.real.strategies[0]!);
    expect(stripe!.bytes.providerToConsumer).toBeLessThan(standard!.bytes.providerToConsumer);
  }, 60_000);
});
