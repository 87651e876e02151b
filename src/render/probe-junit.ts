import type { ProbeCheck, ProbeResult } from "../contract/probe.js";
import { attrs, escapeXml, seconds } from "./junit.js";

/**
 * `apiwh probe --junit`: one testsuite for the receiver, one testcase per check. ✗ is a
 * `<failure>`; ⚠ is not a failure, so it passes with its warning in `<system-out>`. A testcase's
 * time is the check's deciding exchange (`ms`).
 */
export function renderProbeJUnit(result: ProbeResult): string {
  const failures = result.summary.fail;
  const tests = result.checks.length;
  const time = seconds(result.summary.durationMs);
  const suite = `apiwh probe ${result.target}`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: "apiwh probe", tests, failures, errors: 0, time })}>`,
    `  <testsuite${attrs({ name: suite, tests, failures, errors: 0, skipped: 0, time })}>`,
    ...result.checks.flatMap((c) => testcase(c).map((l) => `    ${l}`)),
    `  </testsuite>`,
    `</testsuites>`,
  ].join("\n");
}

function testcase(c: ProbeCheck): string[] {
  const open = `<testcase${attrs({ classname: "apiwh.probe", name: c.name, time: seconds(c.ms ?? 0) })}`;
  const details = [`sent: ${c.sent}`, `received: ${c.received}`, ...(c.observed !== undefined ? [`observe: ${c.observed}`] : []), c.advice].join("\n");
  if (c.grade === "pass") return [`${open}/>`];
  if (c.grade === "warn") return [`${open}>`, `  <system-out>${escapeXml(`warning: ${details}`)}</system-out>`, `</testcase>`];
  return [`${open}>`, `  <failure${attrs({ message: c.advice, type: "probe" })}>${escapeXml(details)}</failure>`, `</testcase>`];
}
