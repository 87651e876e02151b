import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExpectationResult } from "../src/contract/result.js";
import { renderCheckTable } from "../src/render/check.js";
import { renderCheckHtmlReport, renderHtmlReport } from "../src/render/html.js";
import { renderJUnit } from "../src/render/junit.js";
import { renderCheckMarkdown, renderMarkdown } from "../src/render/markdown.js";
import { renderSweepTable } from "../src/render/sweep.js";
import { renderTable } from "../src/render/table.js";
import { runCli } from "./helpers/cli.js";
import { checkResult, coloured, compareResult, plain, polling, scenarioCheck, webhook } from "./render-fixtures.js";
import { sweep } from "./sweep-fixtures.js";

// Issue 13, S6: a user's strings (scenario names and descriptions, expectation texts, file names,
// error messages) never reach a terminal, a Markdown summary or a report with a character that
// acts: CSI and OSC sequences (ESC [ …, ESC ] …, the C1 CSI U+009B), bell, carriage return, and
// bidirectional overrides that reorder what a reader sees.

const HOSTILE = "evil\u001b[31mRED\u001b]0;pwned\u0007\u009b2J\r\u202egnp.exe\u2066";

/** Every character that acts on a terminal or reorders text; newlines and tabs are layout and pass. */
const ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The renderers' own colours (ESC [ … m) are theirs: strip them, then nothing acting may remain. */
const acting = (text: string) => ACTING.exec(text.replace(/\x1b\[[0-9;]*m/g, ""))?.[0];

const expectation: ExpectationResult = { text: `webhook.latencyMs.p95 < 50ms ${HOSTILE}`, ok: false, details: [`detail ${HOSTILE}`] };

describe("a hostile string, rendered every way", () => {
  const result = compareResult([polling, webhook], { scenario: { ...compareResult([polling, webhook]).scenario, name: HOSTILE, description: HOSTILE }, expectations: [expectation] });
  const check = checkResult([
    scenarioCheck(HOSTILE, [expectation], { file: `examples/${HOSTILE}.json`, description: HOSTILE }),
    { file: HOSTILE, name: HOSTILE, description: "", status: "error", error: `${HOSTILE}: cannot read\nsecond ${HOSTILE}`, durationMs: 1, expectations: [] },
  ]);

  it.each([
    ["compare table", () => renderTable(result, plain)],
    ["compare table, coloured", () => renderTable(result, coloured)],
    ["compare markdown", () => renderMarkdown(result)],
    ["compare HTML", () => renderHtmlReport(result, [])],
    ["check table", () => renderCheckTable(check, plain)],
    ["check table, coloured", () => renderCheckTable(check, coloured)],
    ["check markdown", () => renderCheckMarkdown(check)],
    ["check HTML", () => renderCheckHtmlReport(check)],
    ["check JUnit", () => renderJUnit(check)],
    ["sweep table", () => renderSweepTable({ ...sweep, scenario: { ...sweep.scenario, name: HOSTILE } }, plain)],
  ])("%s", (_what, render) => {
    const text = render();
    expect(acting(text)).toBeUndefined();
    // Escaped, not dropped: a reader still sees what was there.
    expect(text).toMatch(/\\u001b\[31mRED|\\x1b\[31mRED/);
  });
});

describe("the CLI with a scenario file whose name holds an escape sequence", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "apiwh-escape-"));
    writeFileSync(join(dir, "evil\u001b[2Jname.json"), "{ not json");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([["table"], ["markdown"]])("check --format %s prints it escaped", async (format) => {
    const r = await runCli(["check", dir, "--format", format]);
    expect(r.code).toBe(2);
    expect(acting(r.stdout + r.stderr)).toBeUndefined();
    expect(r.stdout).toContain("evil\\u001b[2Jname.json");
  });
});
