import { describe, expect, it } from "vitest";
import type { ProbeResult } from "../src/contract/probe.js";
import { summarize } from "../src/contract/probe.js";
import { makePalette } from "../src/render/color.js";
import { renderProbeJson, renderProbeMarkdown, renderProbeTable } from "../src/render/probe.js";
import { renderProbeJUnit } from "../src/render/probe-junit.js";

// Layout from a hand-built result: live numbers vary, the layout should not.
function result(): ProbeResult {
  const checks: ProbeResult["checks"] = [
    { name: "valid", grade: "pass", sent: "a correctly signed payment.succeeded", received: "204 in 1.21 ms", ms: 1.2149, advice: "a correctly signed delivery is acknowledged with 2xx" },
    {
      name: "wrong-secret",
      grade: "fail",
      sent: "signed with another secret",
      received: "200 in 0.80 ms",
      ms: 0.8,
      advice: "your endpoint accepted a body signed with the wrong secret: verify `webhook-signature` over the raw body before parsing",
    },
    {
      name: "replay",
      grade: "warn",
      sent: "the same webhook-id twice, re-signed as a retry is",
      received: "204 in 1.11 ms, then 204 in 1.04 ms",
      ms: 1.04,
      advice: "acknowledged both; whether the event was processed once cannot be observed from outside: serve an observe endpoint and pass --observe",
    },
    {
      name: "slow-path",
      grade: "pass",
      sent: "50 correctly signed deliveries, one at a time",
      received: "50 of 50 2xx; p50 0.71 ms, p99 1.19 ms",
      ms: 1.19,
      advice: "p99 1.19 ms is well inside every provider's delivery timeout (Slack 3 s, Shopify 5 s, GitHub 10 s, Svix 15 s; Stripe publishes none)",
      times: { count: 50, ok: 50, p50: 0.71, p99: 1.19, max: 1.19 },
    },
    { name: "out-of-order", grade: "pass", sent: "a | pipe and <tag>", received: "204 in 1.00 ms", ms: 1, advice: "fine", observed: "processed 1, status succeeded" },
  ];
  return {
    schemaVersion: 1,
    tool: { name: "apiwh", version: "0.1.0" },
    target: "http://127.0.0.1:3000/webhooks",
    signature: "standard-webhooks",
    observe: null,
    timeoutMs: 10_000,
    partial: false,
    checks,
    summary: summarize(checks, 87, 712.4),
  };
}

describe("apiwh probe renderers", () => {
  it("table: mark and name, what was sent → what came back, the advice beneath; wrapped to 80 columns; summary", () => {
    expect(renderProbeTable(result(), makePalette(false))).toBe(
      [
        "apiwh probe http://127.0.0.1:3000/webhooks",
        "standard-webhooks signatures · timeout 10s · no --observe",
        "",
        "✓ valid         a correctly signed payment.succeeded → 204 in 1.21 ms",
        "    a correctly signed delivery is acknowledged with 2xx",
        "✗ wrong-secret  signed with another secret → 200 in 0.80 ms",
        "    your endpoint accepted a body signed with the wrong secret: verify",
        "    `webhook-signature` over the raw body before parsing",
        "⚠ replay        the same webhook-id twice, re-signed as a retry is → 204 in",
        "                1.11 ms, then 204 in 1.04 ms",
        "    acknowledged both; whether the event was processed once cannot be observed",
        "    from outside: serve an observe endpoint and pass --observe",
        "✓ slow-path     50 correctly signed deliveries, one at a time → 50 of 50 2xx;",
        "                p50 0.71 ms, p99 1.19 ms",
        "    p99 1.19 ms is well inside every provider's delivery timeout (Slack 3 s,",
        "    Shopify 5 s, GitHub 10 s, Svix 15 s; Stripe publishes none)",
        "✓ out-of-order  a | pipe and <tag> → 204 in 1.00 ms; observe: processed 1,",
        "                status succeeded",
        "    fine",
        "",
        "✗ 1 failed · ⚠ 1 warning · ✓ 3 passed · 87 requests in 0.7 s",
      ].join("\n"),
    );
  });

  it("table in colour: the marks and the failed summary painted, passing advice dimmed; nothing painted without colour", () => {
    const coloured = renderProbeTable(result(), makePalette(true));
    expect(coloured).toContain("\x1b[32m✓\x1b[39m valid");
    expect(coloured).toContain("\x1b[31m✗\x1b[39m wrong-secret");
    expect(coloured).toContain("\x1b[33m⚠\x1b[39m replay");
    expect(coloured).toContain("\x1b[2m    a correctly signed delivery is acknowledged with 2xx\x1b[22m");
    expect(coloured).toContain("\x1b[31m✗ 1 failed");
    expect(renderProbeTable(result(), makePalette(false))).not.toContain("\x1b[");
  });

  it("with --observe, the observe URL gets a heading line of its own", () => {
    const lines = renderProbeTable({ ...result(), observe: "http://127.0.0.1:3000/observe" }, makePalette(false)).split("\n");
    expect(lines.slice(1, 4)).toEqual(["standard-webhooks signatures · timeout 10s", "observe http://127.0.0.1:3000/observe", ""]);
  });

  it("an interrupted run says so in the summary", () => {
    const r = { ...result(), partial: true };
    expect(renderProbeTable(r, makePalette(false)).split("\n").at(-1)).toBe("✗ 1 failed · ⚠ 1 warning · ✓ 3 passed · 87 requests in 0.7 s (interrupted after 5 checks)");
  });

  it("markdown: a heading with the outcome, one escaped row per check", () => {
    const md = renderProbeMarkdown(result());
    expect(md.split("\n\n")[0]).toBe("## ❌ apiwh probe failed");
    expect(md).toContain("| :-: | :-- | :-- | :-- | :-- |");
    expect(md).toContain("| ❌ | wrong-secret | signed with another secret | 200 in 0.80 ms |");
    expect(md).toContain("| ⚠️ | replay | the same webhook-id twice");
    expect(md).toContain("a \\| pipe and \\<tag\\>");
    expect(md).toContain("204 in 1.00 ms; observe: processed 1, status succeeded");
    const ok = { ...result(), checks: result().checks.filter((c) => c.grade !== "fail") };
    ok.summary = summarize(ok.checks, 3, 10);
    expect(renderProbeMarkdown(ok).split("\n\n")[0]).toBe("## ✅ apiwh probe passed");
  });

  it("JUnit: one testcase per check; ✗ a failure with what was sent and received, ⚠ not a failure", () => {
    const xml = renderProbeJUnit(result());
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="apiwh probe" tests="5" failures="1" errors="0" time="0\.712">/);
    expect(xml).toContain('<testsuite name="apiwh probe http://127.0.0.1:3000/webhooks" tests="5" failures="1" errors="0" skipped="0" time="0.712">');
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('<testcase classname="apiwh.probe" name="valid" time="0.001"/>');
    expect(xml).toContain(
      '<failure message="your endpoint accepted a body signed with the wrong secret: verify `webhook-signature` over the raw body before parsing" type="probe">sent: signed with another secret\nreceived: 200 in 0.80 ms\nyour endpoint',
    );
    expect(xml).toMatch(/name="replay" time="0\.001">\n {6}<system-out>warning: sent: the same webhook-id twice/);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    const odd = { ...result(), checks: [{ ...result().checks[4]!, grade: "fail" as const }] };
    expect(renderProbeJUnit(odd)).toContain("sent: a | pipe and &lt;tag&gt;\nreceived: 204 in 1.00 ms\nobserve: processed 1, status succeeded\nfine</failure>");
  });

  it("JSON: the contract's fields, fractions rounded to microseconds", () => {
    const json = JSON.parse(renderProbeJson(result()));
    expect(Object.keys(json)).toEqual(["schemaVersion", "tool", "target", "signature", "observe", "timeoutMs", "partial", "checks", "summary"]);
    expect(Object.keys(json.checks[0])).toEqual(["name", "grade", "sent", "received", "ms", "advice"]);
    expect(json.checks[0].ms).toBe(1.215);
    expect(json.summary).toEqual({ pass: 3, fail: 1, warn: 1, requests: 87, durationMs: 712.4, ok: false });
  });
});
