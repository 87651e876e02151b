import { idOf } from "../api/payment.js";
import type { ConsumerEvent, RunEvent } from "../contract/events.js";
import type { StrategyName } from "../scenario/types.js";
import { strategyColor, type Palette } from "./color.js";
import { formatCount, formatMs } from "../contract/format.js";
import { MAX_WIDTH, visibleWidth } from "./text.js";

/**
 * One narrated exchange or happening, in scenario ms from its strategy's start. Durations are in
 * scenario ms too, so a trace reads the same at any `speed`.
 */
export type TraceEntry =
  | { kind: "created"; atMs: number; id: string }
  | { kind: "poll"; atMs: number; id: string; strategy: StrategyName; http: number; paymentStatus: string; durationMs: number }
  | { kind: "delivery"; atMs: number; id: string; strategy: StrategyName; http?: number; type: string; duplicate: boolean; durationMs?: number }
  | { kind: "attempt"; atMs: number; id: string; attempt: number; http: number; durationMs: number }
  | { kind: "register"; atMs: number; http: number; durationMs: number }
  | { kind: "list"; atMs: number; http: number; found: number; page: number; durationMs: number }
  | { kind: "connect"; atMs: number; http: number; connection: number; lastEventId?: number; durationMs: number }
  | { kind: "settled"; atMs: number; id: string; status: "succeeded" | "failed" }
  | { kind: "detected"; atMs: number; id: string; status: "succeeded" | "failed"; afterSettleMs?: number };

/** Where a strategy started on the monotonic clock, and how fast scenario time runs. */
export interface TraceOrigin {
  t0: number;
  speed: number;
}

/**
 * The entries a run event brings. Provider-side deliveries are kept as attempts; the view pairs
 * the successful ones with the consumer's delivery and shows only the failed ones on their own.
 */
export function traceEntries(event: RunEvent, origin: TraceOrigin): TraceEntry[] {
  if (event.kind === "consumer") return consumerEntries(event.event, origin);
  return otherEntries(event, origin);
}

/** A payment's id, when the entry is about one payment (the registration, list pages and stream openings are not). */
export function entryId(entry: TraceEntry): string | undefined {
  return "id" in entry ? entry.id : undefined;
}

function otherEntries(event: Exclude<RunEvent, { kind: "consumer" }>, origin: TraceOrigin): TraceEntry[] {
  const rel = (at: number) => (at - origin.t0) * origin.speed;
  const scaled = (ms: number) => ms * origin.speed;
  switch (event.kind) {
    case "created":
      return [{ kind: "created", atMs: rel(event.at), id: event.id }];
    case "provider": {
      const out: TraceEntry[] = [];
      for (const e of event.events) {
        if (e.kind === "settled") out.push({ kind: "settled", atMs: rel(e.at), id: idOf(e.index), status: e.status });
        else if (e.kind === "delivery") {
          const a = e.attempt;
          out.push({ kind: "attempt", atMs: rel(a.startedAt), id: idOf(a.paymentIndex), attempt: a.attempt, http: a.status, durationMs: scaled(a.durationMs) });
        }
      }
      return out;
    }
    default:
      return [];
  }
}

function consumerEntries(e: ConsumerEvent, origin: TraceOrigin): TraceEntry[] {
  const rel = (at: number) => (at - origin.t0) * origin.speed;
  const scaled = (ms: number) => ms * origin.speed;
  switch (e.kind) {
    case "register":
      return [{ kind: "register", atMs: rel(e.at), http: e.status, durationMs: scaled(e.durationMs) }];
    case "list":
      return [{ kind: "list", atMs: rel(e.at), http: e.status, found: e.found, page: e.page, durationMs: scaled(e.durationMs) }];
    case "connect":
      return [{ kind: "connect", atMs: rel(e.at), http: e.status, connection: e.connection, lastEventId: e.lastEventId, durationMs: scaled(e.durationMs) }];
    // The provider's own attempt line tells of a refused delivery, with its status and duration.
    case "refused":
      return [];
    default: {
      if (e.kind === "poll") return [{ kind: "poll", atMs: rel(e.at), id: e.id, strategy: e.strategy, http: e.status, paymentStatus: e.paymentStatus, durationMs: scaled(e.durationMs) }];
      if (e.kind === "delivery") {
        // The receiver does not time its own answer; the provider's attempt brings that.
        const timed = e.durationMs > 0;
        return [{ kind: "delivery", atMs: rel(e.at), id: e.id, strategy: e.strategy, http: timed ? e.status : undefined, type: e.type, duplicate: e.duplicate, durationMs: timed ? scaled(e.durationMs) : undefined }];
      }
      return [{ kind: "detected", atMs: rel(e.at), id: e.id, status: e.status }];
    }
  }
}

const TO_PROVIDER = "client → provider";
const TO_CLIENT = "provider → client";

/** One line per entry: `+1.203s  client → provider  GET /payments/pay_3  200 pending  0.4 ms`. */
export function renderTraceLine(entry: TraceEntry, palette: Palette): string {
  const time = palette.dim(traceTime(entry.atMs));
  const cols = (who: string, ...rest: string[]) => {
    const parts = [time, who.padEnd(TO_PROVIDER.length), ...rest.filter((s) => s !== "")];
    const line = parts.join("  ");
    // Long ids and late times would push a line past 80 columns: such a line closes up its gaps instead.
    return visibleWidth(line) <= MAX_WIDTH ? line : [time, who, ...parts.slice(2)].join(" ");
  };
  switch (entry.kind) {
    case "created":
      return cols(TO_PROVIDER, "POST /payments", `201 created ${entry.id}`);
    case "poll": {
      const path = `GET /payments/${entry.id}${entry.strategy === "long-polling" ? "?wait=…" : ""}`;
      return cols(TO_PROVIDER, path, pollAnswer(entry.http, entry.paymentStatus, palette), exchangeTime(entry.durationMs));
    }
    case "delivery": {
      const paint = strategyColor(palette, entry.strategy);
      const what = `${paint(entry.type)} ${entry.id}` + (entry.duplicate ? palette.warn(" (duplicate)") : "");
      if (entry.strategy === "sse") return cols(TO_CLIENT, "event on GET /events", what);
      return cols(TO_CLIENT, "POST /webhook", what, entry.http === undefined ? "" : String(entry.http), entry.durationMs === undefined ? "" : exchangeTime(entry.durationMs));
    }
    case "attempt": {
      // Status 0: the connection was refused or the attempt timed out.
      const answer = entry.http === 0 ? "no answer" : entry.http === 410 ? "410 gone" : String(entry.http);
      return cols(TO_CLIENT, "POST /webhook", `${entry.id} attempt ${formatCount(entry.attempt)}`, palette.bad(answer), exchangeTime(entry.durationMs));
    }
    case "register":
      return cols(TO_PROVIDER, "POST /webhook-endpoints", entry.http === 201 ? "201 registered" : palette.bad(answerOf(entry.http)), exchangeTime(entry.durationMs));
    case "list":
      return cols(TO_PROVIDER, "GET /payments?status=…", entry.http === 200 ? `200 lists ${formatCount(entry.found)} settled` : pollAnswer(entry.http, "", palette), exchangeTime(entry.durationMs));
    case "connect": {
      const path = entry.lastEventId === undefined ? "GET /events" : `GET /events (Last-Event-ID ${entry.lastEventId})`;
      const opened = entry.connection === 1 ? "200 stream open" : "200 stream reopened";
      return cols(TO_PROVIDER, path, entry.http === 200 ? opened : pollAnswer(entry.http, "", palette), exchangeTime(entry.durationMs));
    }
    case "settled":
      return cols("provider", `${entry.id} settled: ${outcome(entry.status, palette)}`);
    case "detected": {
      const after = entry.afterSettleMs === undefined ? "" : palette.dim(`${formatMs(Math.max(0, entry.afterSettleMs))} after settlement`);
      return cols("client", `${entry.id} known: ${outcome(entry.status, palette)}`, after);
    }
  }
}

/** The line that opens each strategy's part of the trace. */
export function renderTraceHeader(strategy: StrategyName, payments: number, palette: Palette, width = 80): string {
  const title = ` ${strategy} · ${formatCount(payments)} payment${payments === 1 ? "" : "s"} `;
  return strategyColor(palette, strategy)(`──${title}${"─".repeat(Math.max(2, width - title.length - 2))}`);
}

/** `+1.203s` from the strategy's start; `-0.004s` for what came before it (the registration). */
export function traceTime(ms: number): string {
  const sign = ms < 0 && Math.abs(ms) >= 0.5 ? "-" : "+";
  return `${sign}${(Math.abs(ms) / 1000).toFixed(3)}s`.padStart(7);
}

function answerOf(http: number): string {
  return http === 0 ? "no answer" : String(http);
}

/** How long an exchange took, short: `0.4 ms`, `12.3 ms`, `812 ms`, `15.0 s`. */
function exchangeTime(ms: number): string {
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return formatMs(ms);
}

function pollAnswer(http: number, paymentStatus: string, palette: Palette): string {
  if (http === 0) return palette.bad("no answer");
  if (http === 304) return "304 not modified";
  if (http === 429) return palette.warn("429 rate limited");
  if (http >= 500) return palette.bad(`${http} server error`);
  if (http !== 200) return palette.bad(String(http));
  return `200 ${paymentStatus === "succeeded" || paymentStatus === "failed" ? outcome(paymentStatus, palette) : palette.dim(paymentStatus || "?")}`;
}

function outcome(status: "succeeded" | "failed", palette: Palette): string {
  return status === "succeeded" ? palette.good(status) : palette.bad(status);
}
