import { fileURLToPath } from "node:url";
import { cruise, format, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { describe, expect, it } from "vitest";

/**
 * The layer rules of .dependency-cruiser.cjs (drawn in the README's "Project layout"), checked on
 * every `npm test`: over the real source, and over a miniature tree whose every import breaks one
 * rule, so a rule that stopped biting would fail here too.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/layers/", import.meta.url));

async function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(`${ROOT}.dependency-cruiser.cjs`);
  const tsConfig = extractTSConfig(`${ROOT}tsconfig.json`);
  const { output } = await cruise(["src"], { ...options, baseDir, validate: true, tsConfig: { fileName: `${ROOT}tsconfig.json` } }, undefined, { tsConfig });
  return output as ICruiseResult;
}

describe("layer rules (dependency-cruiser)", () => {
  it("the source keeps every rule: no import crosses a layer the wrong way, and no cycle", async () => {
    const result = await cruiseTree(ROOT);
    // Read most of src: a mis-resolved import would make every rule pass vacuously.
    expect(result.summary.totalCruised).toBeGreaterThan(100);
    expect(result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`))).toEqual([]);
    const report = result.summary.violations.length > 0 ? ((await format(result, { outputType: "err-long" })).output as string) : "";
    expect(result.summary.violations.length, report).toBe(0);
  }, 60_000);

  it("a wrong import fails: each deliberate break in the miniature tree is caught by its rule", async () => {
    const result = await cruiseTree(FIXTURE);
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual(
      [
        "strategies-not-provider: src/strategies/poller.ts → src/provider/server.ts",
        "not-in-allowed: src/strategies/poller.ts → src/provider/server.ts",
        "render-no-io: src/render/table.ts → fs",
        "render-is-pure: src/render/table.ts → src/run/result.ts",
        "not-in-allowed: src/render/table.ts → src/run/result.ts",
        "run-knows-no-screen: src/run/compare.ts → src/render/table.ts",
        "not-in-allowed: src/run/compare.ts → src/render/table.ts",
        "engines-apart: src/run/compare.ts → src/virtual/simulate.ts",
        "not-in-allowed: src/run/compare.ts → src/virtual/simulate.ts",
        "nothing-imports-cli: src/commands/x.ts → src/cli.ts",
        "not-in-allowed: src/commands/x.ts → src/cli.ts",
        "not-in-allowed: src/contract/c.ts → src/measure/clock.ts",
        // A cycle is reported once, at the import that closes it.
        "no-circular: src/contract/a.ts → src/contract/b.ts",
      ].sort(),
    );
  }, 60_000);
});
