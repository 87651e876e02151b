/**
 * The lines `apiwh provider` prints: its banner, one line per request it served, per settlement
 * and per delivery attempt. Pure: data in, string out.
 */
import type { Palette } from "../render/color.js";
import { formatCount, formatCounted, formatMs } from "../contract/format.js";
import { formatDurationShort } from "../scenario/duration.js";
import type { Scenario } from "../scenario/types.js";
import type { DeliveryAttempt } from "../contract/events.js";
import type { ProviderSnapshot } from "../provider/server.js";
import { scriptsFailures } from "../webhooks/fault-plan.js";
import { errorText, printable } from "./shared.js";

/** Shows a monotonic time as the lines print it (see wallStamp). */
export type Stamp = (at: number) => string;

/** One request as the provider answered it; `body` is the JSON answer when it was small enough to keep. */
export interface ServedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  body?: unknown;
  /** The response never finished: the client went away (a long poll or stream it abandoned). */
  aborted: boolean;
}

/** Said once at start-up when the scenario's fault plan fails deliveries: where those failures happen. */
export const FAULTS_AT_SENDER = "webhook faults: 500s and 503s are played at the sender; nothing is sent for them";

export function bannerLines(url: string, scenario: Scenario, source: string, p: Palette, allowHosts: readonly string[] = []): string[] {
  const s = scenario.settlement;
  const retries = scenario.webhook.retriesMs;
  const shownRetries = retries.slice(0, 4).map((ms) => (ms === 0 ? "at once" : formatDurationShort(ms))).join(", ") + (retries.length > 4 ? ", …" : "");
  const route = (method: string, path: string, what: string) => `  ${p.bold(method.padEnd(5))}${path.padEnd(20)}${p.dim(what)}`;
  return [
    `apiwh provider listening on ${p.bold(url)}`,
    p.dim(`scenario ${printable(scenario.name, 60)} (${printable(source, 80)}): settles after ${s.delay.source}, ${Math.round(s.failureRate * 100)}% fail, speed ${scenario.speed}×`),
    "",
    route("POST", "/payments", 'create: {"amount": 1000, "currency": "usd"}'),
    route("GET", "/payments/:id", "read one; ETag/If-None-Match; ?wait=30s holds"),
    route("GET", "/payments", "list: ?status= &updated_since= &limit="),
    route("GET", "/events", "server-sent events of every settlement"),
    route("POST", "/webhook-endpoints", 'subscribe: {"url": "http://127.0.0.1:4011/webhook"}'),
    "",
    p.dim(
      scenario.profile === "standard"
        ? `webhooks: ${scenario.webhook.signature} signatures, attempts ${shownRetries}`
        : `profile ${scenario.profile}: its signatures and envelope, attempts ${shownRetries}, timeout ${formatDurationShort(scenario.webhook.timeoutMs)}${scenario.provider.rateLimitPerSecond !== null ? `, API limit ${+scenario.provider.rateLimitPerSecond.toFixed(3)}/s` : ""} (--explain for sources)`,
    ),
    p.dim(`delivered to loopback only${allowHosts.length > 0 ? ` and ${allowHosts.map((h) => printable(h, 40)).join(", ")}` : " (--allow-host adds a host)"}; never link-local or metadata addresses`),
    ...(scriptsFailures(scenario.faults.webhook) ? [p.warn(FAULTS_AT_SENDER)] : []),
    p.dim("Signing secrets stay hidden unless --print-secret. Ctrl-C stops the provider."),
  ];
}

export function requestLine(r: ServedRequest, stamp: Stamp, printSecret: boolean, p: Palette): string {
  return requestLineFrom(requestWhat(r, printSecret, p), r, stamp, p);
}

/** The line's middle: what was asked and answered, the same for every poll that got the same answer. */
export function requestWhat(r: ServedRequest, printSecret: boolean, p: Palette): string {
  const status = r.aborted && !res200(r) ? p.warn("---") : r.status >= 500 ? p.bad(String(r.status)) : r.status >= 400 ? p.warn(String(r.status)) : String(r.status);
  const detail = r.aborted && !r.path.startsWith("/events") ? p.warn("client went away") : requestDetail(r, printSecret, p);
  return `client → provider  ${r.method} ${printable(r.path, 48)}  ${status}${detail ? ` ${detail}` : ""}`;
}

/** The whole line from its middle (requestWhat): when, and how long the answer took. */
export function requestLineFrom(what: string, r: Pick<ServedRequest, "at" | "durationMs">, stamp: Stamp, p: Palette): string {
  return `${p.dim(stamp(r.at))}  ${what}  ${p.dim(formatMs(r.durationMs))}`;
}

const res200 = (r: ServedRequest) => r.path.startsWith("/events") && r.status === 200;

function requestDetail(r: ServedRequest, printSecret: boolean, p: Palette): string {
  const body = r.body as Record<string, unknown> | undefined;
  if (r.path.startsWith("/events") && r.status === 200) return p.dim("stream closed");
  if (r.status >= 400) return p.dim(errorText(body));
  if (r.status === 304) return p.dim("not modified");
  if (!body) return "";
  if (r.path.startsWith("/webhook-endpoints")) {
    // The secret is the one thing the provider log must not leak (issue 7, exposure).
    const secret = printSecret ? `  secret ${String(body.secret)}` : "";
    return `${printable(String(body.id), 16)} → ${printable(String(body.url), 60)}${secret}`;
  }
  if (body.object === "list" && Array.isArray(body.data)) return p.dim(`${body.data.length} payments${body.has_more ? ", more" : ""}`);
  if (body.object === "payment") {
    const status = paintStatus(String(body.status), p);
    return r.method === "POST" ? `${printable(String(body.id), 16)} ${status}` : status;
  }
  return "";
}

export function paintStatus(status: string, p: Palette): string {
  if (status === "succeeded") return p.good(status);
  if (status === "failed") return p.bad(status);
  return p.dim(printable(status, 32));
}

export function settledLine(id: string, status: string, at: number, stamp: Stamp, p: Palette): string {
  return `${p.dim(stamp(at))}  provider          ${id} settled ${paintStatus(status, p)}`;
}

/** The provider let go of what a client made it hold past its bounds, and why. */
export function shedLine(reason: string, at: number, stamp: Stamp, p: Palette): string {
  return `${p.dim(stamp(at))}  provider          ${p.warn(printable(reason, 160))}`;
}

export function deliveryLine(a: DeliveryAttempt, id: string, stamp: Stamp, p: Palette): string {
  const ok = a.status >= 200 && a.status < 300;
  const status = a.scripted
    ? p.bad(`${a.status === 0 ? "refused" : a.status} (fault plan, not sent)`)
    : a.status === 0
      ? p.bad("no answer")
      : ok
        ? p.good(String(a.status))
        : p.bad(String(a.status));
  const retry = a.attempt > 0 ? p.warn(` retry ${a.attempt}`) : "";
  return `${p.dim(stamp(a.startedAt))}  provider → webhook POST ${a.eventId} ${id}${retry}  ${status}  ${p.dim(formatMs(a.durationMs))}`;
}

export function stopLine(s: ProviderSnapshot, requests: number): string {
  const d = s.deliveries;
  return `stopped: ${formatCounted(s.payments, "payment")}, ${formatCounted(requests, "request")} served, ${formatCounted(d.attempted, "delivery attempt")} (${formatCount(d.succeeded)} answered 2xx, ${formatCounted(d.retried, "retry", "retries")})`;
}
