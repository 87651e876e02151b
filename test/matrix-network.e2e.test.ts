import { beforeAll, describe, it } from "vitest";
import { checkRun, runCase, type MatrixRun } from "./helpers/matrix.js";
import { LATENCY, WEBHOOK_FAULTS } from "./helpers/matrix-cases.js";

/** The verification matrix (test/helpers/matrix.ts): latency and jitter; webhook faults. */
describe("real and virtual clocks, under latency and jitter; webhook faults", () => {
  const runs: MatrixRun[] = [];
  beforeAll(async () => {
    // One after the other: two real runs at once would add to each other's machine time.
    for (const c of [LATENCY, WEBHOOK_FAULTS]) runs.push(await runCase(c));
  }, 120_000);

  for (const c of [LATENCY, WEBHOOK_FAULTS]) it(c.label, () => checkRun(runs.find((r) => r.c === c)!));
});
