import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";

/**
 * The composite action (action.yml) as GitHub would run it: each step's `run:` script with the
 * step's environment and working directory, `${{ … }}` replaced by the inputs and the action's
 * path, in a temporary workspace with GITHUB_* set. `uses:` steps (actions/setup-node) are
 * GitHub's: the Node that runs this test stands in for them.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Step {
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Action;

function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (name === "github.action_path") return ROOT;
    if (name.startsWith("inputs.")) return inputs[name.slice("inputs.".length)] ?? "";
    throw new Error(`action.yml uses an expression this test does not know: ${name}`);
  });
}

function runAction(given: Record<string, string>, workspace: string) {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? ""]));
  const summary = join(workspace, "summary.md");
  const env = { ...process.env, NO_COLOR: "", FORCE_COLOR: "", GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: workspace, GITHUB_ACTION_PATH: ROOT, GITHUB_STEP_SUMMARY: summary };
  const results = [];
  for (const step of action.runs.steps) {
    if (step.uses) continue;
    expect(step.shell, "a composite step must name its shell").toBe("bash");
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs)]));
    const cwd = step["working-directory"] ? expand(step["working-directory"], inputs) : workspace;
    const out = spawnSync("bash", ["-e", "-c", expand(step.run!, inputs)], { cwd, env: { ...env, ...stepEnv }, encoding: "utf8", timeout: 120_000 });
    results.push(out);
    if (out.status !== 0) break;
  }
  return { results, summary };
}

describe("action.yml", () => {
  it("is a composite action whose inputs all have defaults", () => {
    expect(action.runs.using).toBe("composite");
    for (const [name, input] of Object.entries(action.inputs)) expect(input.default, name).toBeDefined();
    // Inputs reach scripts through env, never pasted into them (a path with `$(…)` must stay a path).
    for (const step of action.runs.steps) if (step.run) expect(step.run).not.toMatch(/\$\{\{\s*inputs\./);
  });

  it("runs apiwh check in the workspace: passes on good scenarios, fails with annotations and a job summary on a bad one", () => {
    const workspace = mkdtempSync(join(tmpdir(), "apiwh-action-"));
    onTestFinished(() => rmSync(workspace, { recursive: true, force: true }));
    mkdirSync(join(workspace, "scenarios"));
    writeFileSync(join(workspace, "scenarios", "checkout.json"), readFileSync(join(ROOT, "examples", "checkout.json")));
    const good = runAction({ paths: "scenarios", clock: "virtual" }, workspace);
    expect(good.results.at(-1)!.status, good.results.at(-1)!.stderr).toBe(0);
    expect(good.results.at(-1)!.stdout).toMatch(/1 scenario: 1 passed, 0 failed/);
    expect(readFileSync(good.summary, "utf8")).toMatch(/^## ✅ apiwh check passed/);

    // A second scenario whose third expectation (line 5 of the file) cannot hold.
    writeFileSync(
      join(workspace, "scenarios", "strict.yaml"),
      ["name: strict", "expect:", '  - "*.payments.missed == 0"', '  - "webhook.requests.providerToConsumer == 20"', '  - "polling.requests.total < 5"', ""].join("\n"),
    );
    const bad = runAction({ paths: "scenarios", clock: "virtual", args: "--junit results.xml" }, workspace);
    const last = bad.results.at(-1)!;
    expect(last.status).toBe(1);
    expect(last.stderr).toContain("::error file=scenarios/strict.yaml,line=5,col=5,title=apiwh check%3A strict::polling.requests.total < 5: got 61, expected < 5");
    // The summary holds both runs, each appended once; the extra flags reached the command.
    const summary = readFileSync(bad.summary, "utf8");
    expect(summary.match(/^## .* apiwh check \w+/gm)).toEqual(["## ✅ apiwh check passed", "## ❌ apiwh check failed"]);
    expect(readFileSync(join(workspace, "results.xml"), "utf8")).toContain('<testcase classname="apiwh.strict" name="polling.requests.total &lt; 5"');
  }, 60_000);
});
