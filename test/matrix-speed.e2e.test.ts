import { beforeAll, describe, it } from "vitest";
import { checkRun, runCase, type MatrixRun } from "./helpers/matrix.js";
import { SPEED, DEADLINE } from "./helpers/matrix-cases.js";

/** The verification matrix (test/helpers/matrix.ts): speed 20; a deadline. */
describe("real and virtual clocks, under speed 20; a deadline", () => {
  const runs: MatrixRun[] = [];
  beforeAll(async () => {
    // One after the other: two real runs at once would add to each other's machine time.
    for (const c of [SPEED, DEADLINE]) runs.push(await runCase(c));
  }, 120_000);

  for (const c of [SPEED, DEADLINE]) it(c.label, () => checkRun(runs.find((r) => r.c === c)!));
});
