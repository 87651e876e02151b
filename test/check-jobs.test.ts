import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompareResult } from "../src/contract/result.js";

// The scenarios run in worker threads loaded from dist/, so the check goes through the built code.
const built = (await import(new URL("../dist/run/check.js", import.meta.url).href)) as typeof import("../src/run/check.js");

const dir = mkdtempSync(join(tmpdir(), "apiwh-jobs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const [name, payments] of [["a", 2], ["b", 3], ["c", 4]] as const) {
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ name, payments: { count: payments }, settlement: { delay: "fixed(100ms)" }, polling: { interval: "50ms" }, deadline: "3s", expect: ["*.payments.missed == 0"] }),
  );
}
/** Estimates that order the queue: c longest, a shortest. */
const estimate = (s: { name: string }) => ({ a: 100, b: 200, c: 300 })[s.name as "a" | "b" | "c"];

describe("check --jobs: side by side, and the health check's word", () => {
  it("runs every scenario, reports them in file order, and runs none again when none is distorted", async () => {
    const started: string[] = [];
    const result = await built.check([dir], { host: "127.0.0.1", webhookPort: 0, details: false, jobs: 2, estimate, distorted: () => false, onStart: (name) => started.push(name) });
    expect(result.scenarios.map((s) => [s.name, s.status])).toEqual([
      ["a", "passed"],
      ["b", "passed"],
      ["c", "passed"],
    ]);
    // Longest first.
    expect(started).toEqual(["c", "b", "a"]);
  }, 60_000);

  it("runs a distorted scenario again alone, shortest first; once a run alone is still distorted, the rest keep their side-by-side figures", async () => {
    const rerun: string[] = [];
    const kept: Array<[string, string]> = [];
    const result = await built.check([dir], {
      host: "127.0.0.1",
      webhookPort: 0,
      details: false,
      jobs: 2,
      estimate,
      // Every run is distorted, alone or not: a machine busy with other work.
      distorted: () => true,
      onRerun: (c) => rerun.push(c.name),
      onKept: (c, _i, alone) => kept.push([c.name, alone]),
    });
    expect(rerun.sort()).toEqual(["a", "b", "c"]);
    // The shortest went alone first, was still distorted, so b and c kept what they had.
    expect(kept).toEqual([
      ["b", "a"],
      ["c", "a"],
    ]);
    expect(result.scenarios.map((s) => s.name)).toEqual(["a", "b", "c"]);
    expect(result.summary).toMatchObject({ scenarios: 3, passed: 3 });
  }, 60_000);

  it("runs every flagged scenario alone while running alone helps", async () => {
    let calls = 0;
    const kept: string[] = [];
    const ends: string[] = [];
    // Distorted side by side (the first three verdicts), clean alone.
    const result = await built.check([dir], {
      host: "127.0.0.1",
      webhookPort: 0,
      details: false,
      jobs: 2,
      estimate,
      distorted: () => ++calls <= 3,
      onKept: (c) => kept.push(c.name),
      onScenario: (c) => ends.push(c.name),
    });
    expect(calls).toBe(6);
    expect(kept).toEqual([]);
    expect(ends).toEqual(["a", "b", "c"]);
    expect(result.summary).toMatchObject({ scenarios: 3, passed: 3 });
  }, 60_000);
});
