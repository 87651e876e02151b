import type { Grade, ProbeCheck, ProbeResult } from "../contract/probe.js";
import type { Palette } from "./color.js";
import { formatDurationShort } from "../scenario/duration.js";
import { formatCount, formatSeconds } from "../contract/format.js";
import { toJson } from "./json.js";
import { escapeText, markdownTable } from "./markdown.js";
import { MAX_WIDTH, truncate, wrapHanging } from "./text.js";

const MARK: Record<Grade, string> = { pass: "✓", fail: "✗", warn: "⚠" };
const EMOJI: Record<Grade, string> = { pass: "✅", fail: "❌", warn: "⚠️" };

/** `apiwh probe --format json`: the contract of src/contract/probe.ts, pretty-printed. */
export function renderProbeJson(result: ProbeResult): string {
  return toJson(result);
}

/** What came back, with what the observe endpoint said when it was asked. */
function receivedText(c: ProbeCheck): string {
  return c.observed !== undefined ? `${c.received}; observe: ${c.observed}` : c.received;
}

/** `✗ 2 failed · ⚠ 1 warning · ✓ 15 passed · 88 requests in 1.9 s` */
export function probeSummary(result: ProbeResult): string {
  const s = result.summary;
  const parts = [
    s.fail ? `✗ ${s.fail} failed` : "",
    s.warn ? `⚠ ${s.warn} warning${s.warn === 1 ? "" : "s"}` : "",
    s.pass ? `✓ ${s.pass} passed` : "",
    `${formatCount(s.requests)} request${s.requests === 1 ? "" : "s"} in ${formatSeconds(s.durationMs)}`,
  ].filter(Boolean);
  const interrupted = result.partial ? ` (interrupted after ${result.checks.length} check${result.checks.length === 1 ? "" : "s"})` : "";
  return parts.join(" · ") + interrupted;
}

function settings(result: ProbeResult): string {
  return [`${result.signature} signatures`, `timeout ${formatDurationShort(result.timeoutMs)}`, result.observe ? `observe ${result.observe}` : "no --observe"].join(" · ");
}

/** The table's heading: the target, then the settings (the observe URL on a line of its own, as URLs run long). */
function heading(result: ProbeResult, p: Palette): string[] {
  const line = (text: string) => truncate(text, MAX_WIDTH);
  const shown = [`${result.signature} signatures`, `timeout ${formatDurationShort(result.timeoutMs)}`, result.observe ? "" : "no --observe"].filter(Boolean).join(" · ");
  return [p.bold(line(`apiwh probe ${result.target}`)), p.dim(line(shown)), ...(result.observe ? [p.dim(line(`observe ${result.observe}`))] : [])];
}

/** Advice sits under its check, indented this far. */
const ADVICE_INDENT = 4;
const NBSP = "\u00a0";

/** Wraps without parting a figure from its unit (`1.44 ms`), by gluing them for the wrap only. */
function wrapKeepingUnits(text: string, indent: number): string[] {
  const glued = text.replace(/(\d) (ms|s|min|h|B|kB|MB|MiB|bytes)\b/g, `$1${NBSP}$2`);
  return wrapHanging(glued, MAX_WIDTH, indent).map((line) => line.replaceAll(NBSP, " "));
}

/**
 * For people: per check, its mark and name, then what was sent and what came back, and beneath
 * what it means (dim when it passed). Every line fits MAX_WIDTH columns: what was sent wraps
 * under its own column, the advice under itself.
 */
export function renderProbeTable(result: ProbeResult, p: Palette): string {
  const nameWidth = Math.max(0, ...result.checks.map((c) => c.name.length));
  const column = 2 + nameWidth + 2;
  const paint: Record<Grade, (t: string) => string> = { pass: p.good, fail: p.bad, warn: p.warn };
  const lines = [...heading(result, p), ""];
  for (const c of result.checks) {
    const head = wrapKeepingUnits(`${MARK[c.grade]} ${c.name.padEnd(nameWidth)}  ${c.sent} → ${receivedText(c)}`, column);
    lines.push(paint[c.grade](head[0]!.slice(0, 1)) + head[0]!.slice(1), ...head.slice(1));
    const advice = wrapKeepingUnits(" ".repeat(ADVICE_INDENT) + c.advice, ADVICE_INDENT);
    lines.push(...(c.grade === "pass" ? advice.map((l) => p.dim(l)) : advice));
  }
  if (result.checks.length > 0) lines.push("");
  const summary = probeSummary(result);
  lines.push(result.summary.ok ? summary : p.bad(summary));
  return lines.join("\n");
}

/** For a CI job summary: a heading with the outcome, the settings, one row per check. */
export function renderProbeMarkdown(result: ProbeResult): string {
  const ok = result.summary.ok;
  const rows = result.checks.map((c) => [EMOJI[c.grade], c.name, c.sent, receivedText(c), c.advice]);
  return [
    `## ${ok ? "✅" : "❌"} apiwh probe ${ok ? "passed" : "failed"}`,
    `${escapeText(result.target)} · ${escapeText(settings(result))}`,
    markdownTable(["", "Check", "Sent", "Received", "What it means"], ["center", "left", "left", "left", "left"], rows),
    escapeText(probeSummary(result)),
  ].join("\n\n");
}
