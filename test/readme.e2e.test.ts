import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PRICE_PRESETS } from "../src/contract/projection.js";
import { strategyParameters } from "../src/scenario/parameters.js";
import { runCli } from "./helpers/cli.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

/** The text between a heading and the next heading of any level. */
function section(heading: string): string {
  const start = readme.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + heading.length + 1);
  const end = rest.search(/^#{2,4} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Every key of a JSON value, as dotted-free names, skipping what varies by run (per-reason maps, health, details). */
function keys(value: unknown, into = new Set<string>(), parent = ""): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keys(item, into, parent);
    return into;
  }
  if (value === null || typeof value !== "object") return into;
  for (const [k, v] of Object.entries(value)) {
    // Keyed by reason or documented in their own sections.
    if (["missedByReason", "rejectedByReason", "details", "health", "stddev"].includes(parent)) continue;
    into.add(k);
    keys(v, into, k);
  }
  return into;
}

describe("the README", () => {
  it("documents every field of the JSON contract that a run writes", async () => {
    const block = /### The JSON contract[^\n]*\n[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)![1]!;
    const documented = new Set([...block.matchAll(/"([A-Za-z][\w]*)"/g)].map((m) => m[1]!));
    // A real run with every optional part: --repeat, --details, a projection with a price, expectations.
    const run = await runCli([
      "compare",
      "--payments",
      "3",
      "--delay",
      "fixed(150ms)",
      "--interval",
      "100ms",
      "--repeat",
      "2",
      "--details",
      "--per-day",
      "1000",
      "--price",
      "api-gateway-http",
      "--expect",
      "*.payments.missed == 0",
      "--format",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const written = keys(JSON.parse(run.stdout));
    const missing = [...written].filter((k) => !documented.has(k));
    expect(missing, "fields a run writes that the README's contract does not name").toEqual([]);
  }, 60_000);

  it("lists each strategy's parameters with the defaults the scenario's declaration gives them", () => {
    const table = section("## Strategies");
    for (const { strategy, parameters } of strategyParameters()) {
      const row = table.split("\n").find((line) => line.startsWith(`| \`${strategy}\` |`));
      expect(row, strategy).toBeDefined();
      const cell = row!.split(" | ").at(-1)!;
      const named = Object.fromEntries([...cell.matchAll(/`([\w.-]+)` = `([^`]+)`/g)].map((m) => [m[1]!, m[2]!]));
      // hybrid names the webhook's parameters by reference; its own are spelled out.
      const own = strategy === "hybrid" ? parameters.filter((p) => !p.path.startsWith("webhook.")) : parameters;
      expect(named, strategy).toEqual(Object.fromEntries(own.map((p) => [p.path, p.default])));
      if (own.length === 0 && strategy !== "hybrid") expect(cell.trim()).toMatch(/^none/);
    }
  });

  it("cites the price presets as the code prices them", () => {
    const table = section("## Load, projections and cost");
    for (const [name, preset] of Object.entries(PRICE_PRESETS)) {
      const row = table.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      const per = preset.unit === "bytes" ? "per GB" : "per million requests";
      expect(row, name).toContain(`$${preset.amount.toFixed(2)} ${per}`);
    }
  });
});

describe("apiwh compare --help", () => {
  it("ends with every strategy's parameters and their defaults, within 80 columns", async () => {
    const run = await runCli(["compare", "--help"]);
    expect(run.code).toBe(0);
    for (const { strategy, parameters } of strategyParameters()) {
      expect(run.stdout, strategy).toMatch(new RegExp(`^  ${strategy.replace("-", "\\-")} `, "m"));
      for (const p of strategy === "hybrid" ? parameters.filter((x) => !x.path.startsWith("webhook.")) : parameters) expect(run.stdout).toContain(`${p.path} = ${p.default}`);
    }
    expect(run.stdout).toContain("polling.interval = 1s [--interval]");
    for (const line of run.stdout.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
  });
});
