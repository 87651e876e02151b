import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { STRATEGY_FIELD_PATHS } from "../src/expect/index.js";
import { runCli, type CliResult } from "./helpers/cli.js";
import { contractBlock, parseContract, type Shape } from "./helpers/readme-contract.js";

/**
 * The contract as users meet it: the README's JSON contract block and the real CLI's output.
 * Only the list of paths the expectation language accepts comes from the source; everything else
 * is read from README.md or from `apiwh compare --format json`, so renaming a field in the code,
 * in the README or in the expectation language makes one of these tests fail.
 */

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");
/** Accepted paths below a strategy's name (`requests.total`); `*.requests.total` in an expectation. */
const ACCEPTED_PATHS: readonly string[] = STRATEGY_FIELD_PATHS;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// What the README's comments say, in terms this test can check. A comment it does not know
// fails the test: the contract grew a condition, and the test must learn it.

interface Condition {
  comment: RegExp;
  /** The documented field the comment is about; it must be on the comment's line. */
  field: string;
  /** Null allowed instead of the documented shape. */
  nullable?: boolean;
  /** Present exactly when the run had this flag. */
  flag?: string;
  /** Present exactly when this holds of the enclosing object. */
  when?: (parent: JsonObject) => boolean;
  /** What the comment says cannot be checked on an uninterrupted run. */
  note?: true;
}

const CONDITIONS: Condition[] = [
  { comment: /^true when interrupted$/, field: "partial", note: true },
  { comment: /^null if nothing detected$/, field: "strategies[].latencyMs", nullable: true },
  { comment: /^null where no formula$/, field: "strategies[].model", nullable: true },
  { comment: /^null for strategies without a receiver$/, field: "strategies[].receiver", nullable: true },
  { comment: /^only with --details$/, field: "strategies[].details", flag: "--details" },
  { comment: /^by reason only when something was rejected$/, field: "strategies[].errors.rejectedByReason", when: (errors) => (errors.rejected as number) > 0 },
  { comment: /^when there are any$/, field: "expectations", flag: "--expect" },
  { comment: /^only with --repeat$/, field: "repeat", flag: "--repeat" },
  { comment: /^perSecond \(requests in each second\) only with --details$/, field: "strategies[].load.perSecond", flag: "--details" },
  { comment: /^real clock only$/, field: "strategies[].health", flag: "real" },
  { comment: /^with a projection$/, field: "strategies[].projection", flag: "projection" },
  { comment: /^with a projection; null without --price$/, field: "strategies[].cost", flag: "projection", nullable: true },
  { comment: /^best first; decidedBy null for the first and ties$/, field: "ranking[].bytesPerPayment", note: true },
  { comment: /^with --per-day, --price or --clock virtual$/, field: "projection", flag: "projection" },
  { comment: /^null without --price$/, field: "projection.price", nullable: true },
];

/** Null allowed where the README says so in a comment about a sibling on the same line. */
const NULLABLE_TOO = new Set(["ranking[].decidedBy"]);

const contract = parseContract(contractBlock(README));

/** Paths below a strategy section that only a projection brings (`projection.requestsPerDay`, `cost.perDay`). */
function projectedOnly(path: string): boolean {
  return conditionOf(`strategies[].${path.split(".")[0]}`)?.flag === "projection";
}

function conditionOf(path: string): Condition | undefined {
  return CONDITIONS.find((c) => c.field === path);
}

interface Walk {
  flags: ReadonlySet<string>;
  problems: string[];
  /** Documented paths met with a value that was not null (or, for conditional ones, present). */
  seen: Set<string>;
}

/** Checks `value` (at `where` in the output, documented at `path`) against the README's shape. */
function check(shape: Shape, value: Json | undefined, path: string, where: string, walk: Walk): void {
  if (value === undefined) return void walk.problems.push(`${where}: documented, missing from the output`);
  if (value === null) {
    if (!conditionOf(path)?.nullable && !NULLABLE_TOO.has(path)) walk.problems.push(`${where}: null, and the README does not say it may be`);
    return;
  }
  walk.seen.add(path);
  switch (shape.kind) {
    case "any":
      return;
    case "scalar":
      if (typeof value !== shape.type) walk.problems.push(`${where}: a ${typeof value}, the README shows a ${shape.type}`);
      return;
    case "array":
      if (!Array.isArray(value)) return void walk.problems.push(`${where}: not a list`);
      if (shape.item) value.forEach((v, i) => check(shape.item!, v, `${path}[]`, `${where}[${i}]`, walk));
      return;
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return void walk.problems.push(`${where}: not an object`);
      for (const field of shape.fields) {
        const condition = conditionOf(field.path);
        const has = Object.hasOwn(value, field.key);
        const expected = condition?.flag ? walk.flags.has(condition.flag) : condition?.when ? condition.when(value) : true;
        if (expected) check(field.shape, value[field.key], field.path, `${where}.${field.key}`, walk);
        else if (has) walk.problems.push(`${where}.${field.key}: present, and the README says ${condition!.comment.source.slice(1, -1)}`);
      }
      if (!shape.open) {
        const documented = new Set(shape.fields.map((f) => f.key));
        for (const key of Object.keys(value)) if (!documented.has(key)) walk.problems.push(`${where}.${key}: in the output, not in the README's JSON contract`);
      }
    }
  }
}

function walkOutput(output: Json, flags: string[]): Walk {
  const walk: Walk = { flags: new Set(flags), problems: [], seen: new Set() };
  check(contract.root, output, "", "$", walk);
  return walk;
}

/** The value at `path` below `object`, or where the walk stopped: a null on the way, or a missing key. */
function resolve(object: JsonObject, path: string): { value: Json | undefined; nullAt?: string } {
  let node: Json | undefined = object;
  const parts = path.split(".");
  for (let i = 0; i < parts.length; i++) {
    if (node === null) return { value: null, nullAt: parts.slice(0, i).join(".") };
    if (typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, parts[i]!)) return { value: undefined };
    node = node[parts[i]!];
  }
  return { value: node };
}

// ---------------------------------------------------------------------------------------------

/** The strategies the README's flag table lists for `--strategies`. */
function documentedStrategies(): string[] {
  const row = README.split("\n").find((l) => l.startsWith("| `--strategies <list>` |"));
  if (!row) throw new Error("README.md's compare flag table has no --strategies row");
  return [...row.split("|")[2]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!);
}

const STRATEGIES = documentedStrategies();
/** Small and quick (about 2 s for all seven): four payments settling within 50–200 ms, polled every 50 ms. */
const SMALL = ["--payments", "4", "--delay", "uniform(50ms, 200ms)", "--interval", "50ms"];
/** One expectation per accepted path that holds exactly when the path reads a number: `*.p == *.p`. */
const READ_EVERY_PATH = ACCEPTED_PATHS.flatMap((p) => ["--expect", `*.${p} == *.${p}`]);

describe("the JSON contract, against a real compare of every strategy", () => {
  let run: CliResult;
  let output: JsonObject;
  let strategies: JsonObject[];
  let repeated: JsonObject;
  let projected: JsonObject;

  beforeAll(async () => {
    const [main, repeat, priced] = await Promise.all([
      runCli(["compare", "--format", "json", "--details", "--strategies", STRATEGIES.join(","), ...SMALL, ...READ_EVERY_PATH]),
      runCli(["compare", "--format", "json", "--repeat", "2", "--strategies", "polling,webhook", "--payments", "2", "--delay", "fixed(50ms)", "--interval", "50ms"]),
      // The projection and the cost: on the virtual clock, which always projects, with a price.
      runCli(["compare", "--format", "json", "--clock", "virtual", "--per-day", "10000", "--price", "3.50/M requests, 0.09/GB", "--strategies", STRATEGIES.join(","), ...SMALL]),
    ]);
    expect(priced.code, priced.stderr).toBe(0);
    projected = JSON.parse(priced.stdout) as JsonObject;
    run = main;
    expect(repeat.code, repeat.stderr).toBe(0);
    output = JSON.parse(main.stdout) as JsonObject;
    strategies = output.strategies as JsonObject[];
    repeated = JSON.parse(repeat.stdout) as JsonObject;
  }, 60_000);

  it("ran every strategy the README lists, and those are the ones the CLI knows", async () => {
    expect(STRATEGIES.length).toBeGreaterThanOrEqual(7);
    expect(strategies.map((s) => s.name)).toEqual(STRATEGIES);
    // The CLI names its own list when refusing a strategy it does not know.
    const refused = await runCli(["compare", "--strategies", "smoke-signals"]);
    expect(refused.code).toBe(2);
    const known = /expected (?:one|some) of ("[a-z-]+"(?:, "[a-z-]+")*)$/m.exec(refused.stderr.trim())?.[1]?.split(", ").map((name) => name.slice(1, -1));
    expect(known, refused.stderr).toEqual(STRATEGIES);
  });

  it("every path the expectation language accepts reads a number in every strategy's output, or a null the README allows", () => {
    expect(ACCEPTED_PATHS.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const path of ACCEPTED_PATHS) {
      // A section present only with a flag (a projection, a cost) is read where that flag was given.
      const runOf = projectedOnly(path) ? (projected.strategies as JsonObject[]) : strategies;
      for (const s of runOf) {
        const { value, nullAt } = resolve(s, path);
        if (typeof value === "number" && Number.isFinite(value)) continue;
        if (value === null && nullAt && conditionOf(`strategies[].${nullAt}`)?.nullable) continue;
        problems.push(`${s.name}.${path}: ${value === undefined ? "missing" : JSON.stringify(value)}${nullAt ? ` (${nullAt} is null)` : ""}`);
      }
      // A path null in every strategy would check nothing: each one reads a number somewhere.
      if (!runOf.some((s) => typeof resolve(s, path).value === "number")) problems.push(`${path}: a number in no strategy`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("the CLI's expectations read the same numbers the JSON prints, through --expect on every accepted path", () => {
    const results = output.expectations as Array<{ text: string; ok: boolean; details: string[] }>;
    expect(results.map((e) => e.text)).toEqual(ACCEPTED_PATHS.map((p) => `*.${p} == *.${p}`));
    results.forEach((e, i) => {
      const path = ACCEPTED_PATHS[i]!;
      expect(e.details, e.text).toHaveLength(strategies.length);
      strategies.forEach((s, k) => {
        const detail = e.details[k]!;
        const { value, nullAt } = resolve(s, path);
        if (value === undefined && projectedOnly(path)) {
          // Not in a run without a projection: the expectation says so rather than reading a number.
          expect(detail).toBe(`${s.name}.${path} is missing (not in the result)`);
          return;
        }
        if (value === null) {
          expect(detail).toBe(`${s.name}.${path} is missing (${s.name}.${nullAt} is null)`);
          return;
        }
        const shown = new RegExp(`^${s.name}: got (-?[\\d.]+)(?: ms)?, expected == .* \\(${`${s.name}.${path}`.replace(/[.*]/g, "\\$&")}\\)$`).exec(detail);
        expect(shown, detail).not.toBeNull();
        // Both round the same measurement to 3 decimals: the JSON with Math.round, the detail with toFixed.
        expect(Math.abs(Number(shown![1]) - (value as number)), detail).toBeLessThanOrEqual(0.001);
      });
    });
    // Exit 1 exactly when a check failed: here the nulls the README allows (a strategy without a model).
    const anyFailed = results.some((e) => !e.ok);
    expect(run.code, run.stderr).toBe(anyFailed ? 1 : 0);
    expect(run.stderr).toBe("");
  });

  it("has every field the README's contract block documents, and no field it does not", () => {
    // With --details and --expect; without --repeat.
    const walk = walkOutput(output, ["--details", "--expect", "real"]);
    expect(walk.problems, walk.problems.join("\n")).toEqual([]);
    // The nullable objects were checked field by field somewhere, not only seen as null.
    for (const c of CONDITIONS.filter((c) => c.nullable && !c.flag && !c.field.startsWith("projection"))) expect(walk.seen.has(c.field), c.field).toBe(true);
  });

  it("with --repeat: the repeat block, and neither details nor expectations", () => {
    const walk = walkOutput(repeated, ["--repeat", "real"]);
    expect(walk.problems, walk.problems.join("\n")).toEqual([]);
    expect(walk.seen.has("repeat")).toBe(true);
  });

  it("with a projection and a price: the projection and each strategy's cost, the ranking best first", () => {
    const walk = walkOutput(projected, ["projection"]);
    expect(walk.problems, walk.problems.join("\n")).toEqual([]);
    for (const field of ["projection", "projection.price", "strategies[].projection", "strategies[].cost"]) expect(walk.seen.has(field), field).toBe(true);
    const ranks = (projected.ranking as JsonObject[]).map((r) => r.rank as number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).toBe(1);
  });

  it("the README's block parses, and each of its comments is a condition this test checks", () => {
    expect(contract.fields.length).toBeGreaterThan(40);
    const unknown: string[] = [];
    for (const { line, text } of contract.comments) {
      const condition = CONDITIONS.find((c) => c.comment.test(text));
      const onLine = contract.fields.filter((f) => f.line === line).map((f) => f.path);
      if (!condition) unknown.push(`"${text}" on the line of ${onLine[0] ?? "nothing"}: teach test/contract.e2e.test.ts what it means`);
      else if (!onLine.includes(condition.field)) unknown.push(`"${text}" is no longer on the line of ${condition.field}`);
    }
    expect(unknown, unknown.join("\n")).toEqual([]);
    for (const c of CONDITIONS) expect(contract.comments.some((k) => c.comment.test(k.text)), `README no longer says "${c.comment.source}"`).toBe(true);
  });
});
