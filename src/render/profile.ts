/**
 * `--profile <name> --explain`: every value a profile sets, in words, with where it comes from.
 * Pure: a profile in, text out. The terminal form fits MAX_WIDTH columns; the Markdown form is
 * what the README's "Profiles" section holds (a test keeps the two the same).
 */
import type { Profile, Source, Sourced } from "../api/profile.js";
import type { Palette } from "./color.js";
import { escapeText, markdownTable } from "./markdown.js";
import { MAX_WIDTH, wrapHanging } from "./text.js";

export interface ProfileRow {
  setting: string;
  value: string;
  source: Source;
}

const UNITS: Array<[string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
];

/** A wait for people, to the second, in its two largest units: `0s`, `1m 53s`, `68h 15m`, `21d`. */
export function span(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  if (rest === 0) return "0s";
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    // Within a week, hours read better than days unless the days are whole ("75h 35m", but "5d").
    if (unit === "d" && rest % size !== 0 && rest <= 7 * size) continue;
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

/** `8 attempts; waits 1m 53s, 3m 47s, …; the last 4h after the first`, runs of one wait as `1h ×70`. */
export function scheduleText(waits: readonly number[]): string {
  if (waits.length <= 1) return "1 attempt: never retried";
  const runs: Array<{ ms: number; times: number }> = [];
  for (const ms of waits.slice(1)) {
    const last = runs[runs.length - 1];
    if (last && last.ms === ms) last.times++;
    else runs.push({ ms, times: 1 });
  }
  const total = waits.slice(1).reduce((sum, w) => sum + w, 0);
  const shown = runs.map((r) => (r.times > 2 ? `${span(r.ms)} ×${r.times}` : Array(r.times).fill(span(r.ms)).join(", ")));
  return `${waits.length} attempts; waits after each failure ${shown.join(", ")}; the last ${span(total)} after the first`;
}

function disablingText(rule: Profile["disabling"]["value"]): string {
  switch (rule.kind) {
    case "never":
      return "never";
    case "failing-for":
      return rule.ms === null ? "after long failure (no length published)" : `after ${span(rule.ms)} of failures`;
    case "no-success-for":
      return `after ${span(rule.ms)} with no 2xx`;
    case "success-below":
      return `below ${Math.round(rule.share * 100)}% success within ${span(rule.windowMs)}`;
  }
}

function signatureText({ headers, form, toleranceSeconds }: Profile["signature"]["value"]): string {
  const extra = [headers.id, headers.timestamp].filter(Boolean).join(", ");
  const window = toleranceSeconds === null ? "no signed timestamp" : `timestamps within ±${toleranceSeconds} s`;
  return `${headers.signature}: ${form}${extra ? `; with ${extra}` : ""}; ${window}`;
}

function envelopeText({ events, eventId, typeHeader }: Profile["envelope"]["value"]): string {
  const names = (["succeeded", "failed", "pending"] as const).map((s) => `${s}: ${events[s].type}${events[s].type.endsWith(events[s].status) ? "" : ` (${events[s].status})`}`);
  const id = "header" in eventId ? `header ${eventId.header}` : `body field ${eventId.field}`;
  return `${names.join("; ")}; type in ${typeHeader ? `header ${typeHeader}` : "the body"}; id in ${id}`;
}

const row = <T>(setting: string, sourced: Sourced<T>, text: (value: T) => string): ProfileRow => ({ setting, value: text(sourced.value), source: sourced.source });

/** The profile's values as rows, in the order of issue 15's list. */
export function profileRows(p: Profile): ProfileRow[] {
  return [
    row("signature", p.signature, signatureText),
    row("retries", p.retries, scheduleText),
    row("retry headers", p.retryHeaders, (h) => (h ? `${h.number}, ${h.reason}` : "none")),
    row("stop retries", p.abortRetries, (a) => (a ? `answer with ${a.header}: ${a.value}` : "no way published")),
    row("timeout", p.timeoutMs, span),
    row("connect timeout", p.connectTimeoutMs, (ms) => (ms === null ? "within the timeout" : span(ms))),
    row("success", p.success, (s) => `2xx only; a 3xx fails (not followed); 410 ${s.goneDisables ? "disables the endpoint" : "is a failure like any other"}`),
    row("disabling", p.disabling, disablingText),
    row("API rate limit", p.rateLimit, (r) => (r ? `${r.stated} (${r.scope})` : "none")),
    row("conditional", p.conditional, (c) => (c.notModifiedCounts ? "a 304 counts as a request" : "a 304 is free: not counted against the rate limit, counted apart")),
    row("poll hint", p.pollHint, (h) => (h ? `${h.header}: ${h.seconds}` : "none")),
    row("events", p.envelope, envelopeText),
  ];
}

/** `source: <page>`, `derived from <page>: <how>`, `not published: <our choice>`. */
export function sourceText({ basis, ref, note }: Source): string {
  if (basis === "ours") return ref === "not published" ? `not published: ${note}` : `ours, after ${ref}: ${note}`;
  return `${basis === "derived" ? "derived from" : "source:"} ${ref}${note ? `: ${note}` : ""}`;
}

const LABEL = 19;

/** For people: each setting, its value, and beneath it (dim) where the value comes from. */
export function renderProfileExplain(p: Profile, palette: Palette): string {
  const lines = [
    palette.bold(`apiwh profile ${p.name}: ${p.title}`),
    ...wrapHanging("A flag or scenario field overrides any value here (flag > scenario field > profile > default).", MAX_WIDTH, 0).map(palette.dim),
    "",
  ];
  for (const r of profileRows(p)) {
    lines.push(...wrapHanging(`  ${r.setting.padEnd(LABEL - 2)}${r.value}`, MAX_WIDTH, LABEL));
    lines.push(...wrapHanging(`${" ".repeat(LABEL)}${sourceText(r.source)}`, MAX_WIDTH, LABEL).map(palette.dim));
  }
  return `${lines.join("\n")}\n`;
}

/** The profile's values as a Markdown table: setting, value, source. */
export function renderProfileMarkdown(p: Profile): string {
  return markdownTable(
    ["setting", "value", "source"],
    ["left", "left", "left"],
    profileRows(p).map((r) => [r.setting, r.value, sourceText(r.source)]),
  );
}

/** A value with how far to trust it: `15s (ours)`, `… (derived)`; a published value stands alone. */
const marked = <T>(sourced: Sourced<T>, text: (value: T) => string) => `${text(sourced.value)}${sourced.source.basis === "published" ? "" : ` (${sourced.source.basis})`}`;

/** The README's overview: one row per profile, the figures issue 15 compares, each marked when it is not the provider's own. */
export function renderProfilesOverview(profiles: readonly Profile[]): string {
  return markdownTable(
    ["profile", "retries", "timeout", "signature", "disabling", "polling"],
    ["left", "left", "left", "left", "left", "left"],
    profiles.map((p) => {
      const { rateLimit, conditional, pollHint } = p;
      const polling = [
        rateLimit.value ? marked(rateLimit, (r) => r!.stated) : "",
        conditional.value.notModifiedCounts ? "" : marked(conditional, () => "304s free"),
        pollHint.value ? marked(pollHint, (h) => `${h!.header}: ${h!.seconds}`) : "",
      ].filter(Boolean);
      return [
        p.name,
        marked(p.retries, scheduleText),
        marked(p.timeoutMs, span),
        marked(p.signature, (s) => s.headers.signature),
        marked(p.disabling, disablingText),
        polling.join("; ") || "–",
      ];
    }),
  );
}

/** The README's "Profiles" tables: the overview, then each profile's values with their sources. */
export function renderProfilesMarkdown(profiles: readonly Profile[]): string {
  const details = profiles.map((p) => [`<details><summary>${escapeText(p.name)}: ${escapeText(p.title)}</summary>`, "", renderProfileMarkdown(p), "", "</details>"].join("\n"));
  return [renderProfilesOverview(profiles), "", ...details.flatMap((d) => [d, ""])].join("\n");
}
