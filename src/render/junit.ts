import type { CheckResult, ExpectationResult, ScenarioCheck } from "../contract/result.js";
import { failureBeyondExpectations, interruptedNote } from "./outcome.js";

/**
 * `apiwh check --junit`: one `<testsuite>` per scenario, one `<testcase>` per expectation, so CI
 * shows each threshold as a test. A failed expectation carries `<failure>` with its details; a
 * scenario that could not run is a single testcase with `<error>`; a scenario an interrupt cut
 * short has each expectation `<skipped>` (never a failure: it was not judged), and one that never
 * started a single skipped testcase. Times are in seconds.
 */
export function renderJUnit(check: CheckResult): string {
  const suites = check.scenarios.map(testsuite);
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  const skipped = suites.reduce((n, s) => n + s.skipped, 0);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: "apiwh check", tests, failures, errors, skipped, time: seconds(check.durationMs) })}>`,
    ...suites.flatMap((s) => s.lines),
    `</testsuites>`,
  ].join("\n");
}

interface Suite {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  lines: string[];
}

function testsuite(s: ScenarioCheck): Suite {
  const classname = `apiwh.${s.name}`;
  const cases: string[][] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const note = interruptedNote(s);
  if (note !== null) {
    const names = s.expectations.length > 0 ? s.expectations.map((e) => e.text) : ["run scenario"];
    const time = seconds(s.durationMs / names.length);
    skipped = names.length;
    for (const name of names) cases.push([`<testcase${attrs({ classname, name, time, file: s.file })}>`, `  <skipped${attrs({ message: note })}/>`, `</testcase>`]);
  } else if (s.status === "error") {
    errors = 1;
    cases.push([`<testcase${attrs({ classname, name: "run scenario", time: seconds(s.durationMs), file: s.file })}>`, `  <error${attrs({ message: s.error ?? "the scenario could not run" })}/>`, `</testcase>`]);
  } else {
    // Every expectation is judged on the same run, so the run's time is shared between them and
    // the testcase times add up to the suite's.
    const beyond = failureBeyondExpectations(s);
    const count = s.expectations.length + (beyond ? 1 : 0);
    const time = seconds(count > 0 ? s.durationMs / count : 0);
    for (const e of s.expectations) {
      if (!e.ok) failures++;
      cases.push(testcase(classname, e, time, s.file));
    }
    if (beyond) {
      failures++;
      cases.push(testcase(classname, { text: "the run completed", ok: false, details: [beyond] }, time, s.file));
    }
  }
  const open = `<testsuite${attrs({ name: s.name, tests: cases.length, failures, errors, skipped, time: seconds(s.durationMs), file: s.file })}>`;
  return { tests: cases.length, failures, errors, skipped, lines: [`  ${open}`, ...cases.flat().map((l) => `    ${l}`), `  </testsuite>`] };
}

function testcase(classname: string, e: ExpectationResult, time: string, file: string): string[] {
  const open = `<testcase${attrs({ classname, name: e.text, time, file })}`;
  if (e.ok) return [`${open}/>`];
  const message = e.details[0] ?? e.text;
  return [`${open}>`, `  <failure${attrs({ message, type: "expectation" })}>${escapeXml(e.details.join("\n"))}</failure>`, `</testcase>`];
}

export function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value), true)}"`)
    .join("");
}

/** Whole milliseconds first: 9412.5 ms / 1000 lands just below 9.4125 and would round down. */
export function seconds(ms: number): string {
  return Number.isFinite(ms) ? (Math.round(ms) / 1000).toFixed(3) : "0.000";
}

/**
 * Text safe anywhere in XML 1.0: the five markup characters as entities; in attributes also tab
 * and line breaks as character references (a parser would fold them into spaces otherwise).
 * Characters XML 1.0 forbids outright, even as references (most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF), and the C1 controls it merely discourages (U+009B is a terminal's CSI when a CI
 * log prints the file) and the marks that reorder text are shown as `\xNN` / `\uNNNN` text, so an ANSI-coloured message stays legible.
 */
export function escapeXml(text: string, attribute = false): string {
  return text.replace(/[&<>"']|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      case "\t":
      case "\n":
        return attribute ? `&#${c.charCodeAt(0)};` : c;
      case "\r":
        // A bare carriage return would rewrite a terminal line when a CI log prints the file.
        return "&#13;";
      default: {
        const code = c.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
      }
    }
  });
}
