import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../src/contract/result.js";
import { PlanAnswer, walkDeliveries } from "../src/policy/delivery.js";
import { loadScenarioFile } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/types.js";
import { simulateScenario, simulateStrategy } from "../src/virtual/simulate.js";
import { World } from "../src/virtual/world.js";
import { runCli } from "./helpers/cli.js";

/**
 * Webhook faults played by the receiver from the plan (drawn 500s, a 503 window, duplicates), in
 * both signature formats: the real run and the virtual clock must agree on every delivery count,
 * and on the bytes to within the one estimate the simulation makes (an event id's digit count,
 * taken to be its payment id's: at most a byte per delivery). No `refuse` window here: the sender
 * decides those on its real clock, and a late timer near the window's edge could move an attempt;
 * the receiver's 500s and 503s come from the plan and cannot move.
 *
 * They cannot move, but the real attempts can: each retry timer starts when the previous answer
 * is back, so a chain's lateness accumulates, and the run ends when the last outcome is learned.
 * Seed 11 had payment 20's third attempt 34 ms (scenario time) before the attempt that ended the
 * run: under load the two swapped and the real run counted 63 deliveries to the simulation's 64.
 * So the seed is the first from BASE_SEED whose plan keeps every attempt CLEAR_MS from the run's
 * end, and one payment's two chains' attempts tied or CLEAR_MS apart (the receiver answers the
 * k-th delivery of a payment to arrive as the k-th of its plan, so two chains swapping would
 * swap their answers): see nearAttempts.
 */
const BASE_SEED = 11;
/**
 * Clearance in scenario ms, which at speed 1 is wall ms. An attempt's lateness is the sum of the
 * lateness of the timers before it: the creation, the settlement, the first attempt and up to
 * three retries, each a timer on a loop sharing 2 cores with the other run's processes, vitest
 * and whatever else runs. Beside a CPU hog (2 cores), two real runs of this scenario reported
 * each loop's worst lateness at 12–25 ms (their health figures) and ended 12 ms after the plan:
 * 250 ms is ten times the worst single delay and several times any plausible sum. It is also
 * below the schedule's shortest retry wait (300 ms): with no jitter and no reorder hold, a
 * payment's two chains leave together and stay tied or a whole wait apart (that rule rejected
 * none of seeds 11–59).
 */
const CLEAR_MS = 250;

/**
 * Planned attempts, as text, that a late timer could carry across what the comparison depends on:
 * any attempt other than the one ending the run within CLEAR_MS of the run's end (or the run ends
 * at the cutoff rather than on an attempt), and two chains of one payment within CLEAR_MS of each
 * other without being tied. Empty: the counts cannot depend on the machine's lateness.
 */
function nearAttempts(s: Scenario): string[] {
  const world = new World(s);
  const rules = { seed: s.seed, faults: s.faults.webhook, retriesMs: s.webhook.retriesMs, oneWay: (i: number, m: number) => world.oneWay(i, m) };
  const attempts: Array<{ payment: number; chain: number; attempt: number; at: number }> = [];
  for (let i = 0; i < world.n; i++) {
    walkDeliveries(rules, i, world.settleAt[i]!, world.createdAt[0]!, Infinity, (chain, attempt, at) => attempts.push({ payment: i, chain, attempt, at }));
  }
  const end = simulateStrategy(s, "webhook").durationMs;
  const name = (a: (typeof attempts)[number]) => `payment ${a.payment} chain ${a.chain} attempt ${a.attempt} at ${a.at.toFixed(2)} ms`;
  const ending = attempts.findIndex((a) => a.at === end);
  const near: string[] = [];
  if (ending < 0) near.push(`the run ends at ${end.toFixed(2)} ms, on no attempt (the cutoff)`);
  attempts.forEach((a, k) => {
    if (k !== ending && Math.abs(a.at - end) < CLEAR_MS) near.push(`${name(a)}: within ${CLEAR_MS} ms of the run's end at ${end.toFixed(2)} ms`);
  });
  for (const a of attempts) {
    for (const b of attempts) {
      if (a.payment === b.payment && a.chain < b.chain && a.at !== b.at && Math.abs(a.at - b.at) < CLEAR_MS) near.push(`${name(a)} and ${name(b)}: not tied, within ${CLEAR_MS} ms`);
    }
  }
  return near;
}

/** Whether the plan exercises every fault the test is about: a 503 of the window and a drawn 500. */
function exercisesFaults(s: Scenario): boolean {
  const world = new World(s);
  const rules = { seed: s.seed, faults: s.faults.webhook, retriesMs: s.webhook.retriesMs, oneWay: (i: number, m: number) => world.oneWay(i, m) };
  const answers = new Set<number>();
  for (let i = 0; i < world.n; i++) walkDeliveries(rules, i, world.settleAt[i]!, world.createdAt[0]!, Infinity, (_c, _a, _at, answer) => answers.add(answer));
  return answers.has(PlanAnswer.outage) && answers.has(PlanAnswer.failure);
}

function scenario(signature: "standard-webhooks" | "stripe", seed: number) {
  return {
    name: `faults-${signature}`,
    seed,
    payments: { count: 30, arrival: { rate: "20/s" } },
    settlement: { delay: "uniform(200ms, 2s)", failureRate: 0.1 },
    webhook: { signature, retries: ["0s", "300ms", "600ms", "1s"] },
    faults: { webhook: { failureRate: 0.3, duplicateRate: 0.2, downtime: [{ from: "500ms", to: "1500ms", mode: "503" }] } },
    deadline: "8s",
    // Speed 1: the clearance is as long in wall time as in scenario time (a run lasts about 5 s).
    speed: 1,
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
    const signatures = ["standard-webhooks", "stripe"] as const;
    // The first seed whose plan is clear in both formats (the signature changes no draw, only bytes).
    const planFor = async (signature: (typeof signatures)[number], seed: number) => {
      const path = join(dir!, `${signature}.json`);
      await writeFile(path, JSON.stringify(scenario(signature, seed)));
      return { path, scenario: await loadScenarioFile(path) };
    };
    const clear = async (seed: number) => {
      const plans = await Promise.all(signatures.map((signature) => planFor(signature, seed)));
      return plans.every((p) => exercisesFaults(p.scenario) && nearAttempts(p.scenario).length === 0);
    };
    let seed = BASE_SEED;
    while (seed < BASE_SEED + 200 && !(await clear(seed))) seed++;
    // Loud when the seeded draws change and no seed near the base is clear any more: the list says why.
    for (const signature of signatures) {
      const { scenario: planned } = await planFor(signature, seed);
      expect(nearAttempts(planned), `${signature}, seed ${seed}: attempts a late timer could reorder`).toEqual([]);
      expect(exercisesFaults(planned), `${signature}, seed ${seed}: a 503 and a 500 planned`).toBe(true);
    }
    const runs = await Promise.all(
      signatures.map(async (signature) => {
        const { path } = await planFor(signature, seed);
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
      // The runs' own loop lateness (max, ms) in the message: what a failure here would have to be explained by.
      const late = `${signature}, loop lateness max: provider ${r.health?.provider?.eventLoopDelayMs.max} ms, consumer ${r.health?.consumer?.eventLoopDelayMs.max} ms`;
      expect(r.deliveries, late).toEqual(v.deliveries);
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
