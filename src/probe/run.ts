/**
 * Runs the probe: the checks in order against one receiver, each request paced and bounded by
 * the timeout, and collects their grades. Knows no screen: progress goes to a callback.
 */
import { setMaxListeners } from "node:events";
import { monotonicNow } from "../measure/clock.js";
import type { SignatureFormat } from "../scenario/types.js";
import { VERSION } from "../version.js";
import { malformedJsonCheck, oversizedCheck, wrongContentTypeCheck } from "./checks-body.js";
import { burstCheck, retryAfterCheck, slowPathCheck } from "./checks-load.js";
import { outOfOrderCheck, replayCheck } from "./checks-order.js";
import {
  badSignatureCheck,
  futureTimestampCheck,
  missingSignatureCheck,
  rotatedSecretCheck,
  staleTimestampCheck,
  tamperedBodyCheck,
  truncatedSignatureCheck,
  validCheck,
  withinToleranceCheck,
  wrongSecretCheck,
} from "./checks-signature.js";
import type { Check, ProbeContext, Throttle } from "./context.js";
import { Deliveries, type ProbeRequest } from "./deliveries.js";
import { observe } from "./observe.js";
import { CHECK_NAMES, summarize, type CheckName, type ProbeCheck, type ProbeResult } from "../contract/probe.js";
import { closeTarget, exchange, openTarget, Pacer, type Answer } from "./wire.js";

export const CHECKS: Record<CheckName, Check> = {
  valid: validCheck,
  "missing-signature": missingSignatureCheck,
  "bad-signature": badSignatureCheck,
  "wrong-secret": wrongSecretCheck,
  "tampered-body": tamperedBodyCheck,
  "truncated-signature": truncatedSignatureCheck,
  "stale-timestamp": staleTimestampCheck,
  "future-timestamp": futureTimestampCheck,
  "within-tolerance": withinToleranceCheck,
  "rotated-secret": rotatedSecretCheck,
  replay: replayCheck,
  "out-of-order": outOfOrderCheck,
  oversized: oversizedCheck,
  "wrong-content-type": wrongContentTypeCheck,
  "malformed-json": malformedJsonCheck,
  "slow-path": slowPathCheck,
  burst: burstCheck,
  "retry-after": retryAfterCheck,
};

export interface ProbeOptions {
  url: URL;
  secret: string;
  signature: SignatureFormat;
  timeoutMs: number;
  /** Valid deliveries `slow-path` sends, one at a time. */
  deliveries: number;
  /** Deliveries `burst` sends at once. */
  concurrency: number;
  observe: URL | null;
  /** The checks to run (always in CHECK_NAMES order); null for all. */
  only: readonly CheckName[] | null;
  signal?: AbortSignal;
  onProgress?(event: ProbeProgress): void;
}

export type ProbeProgress = { kind: "start"; name: CheckName; index: number; total: number } | { kind: "done"; check: ProbeCheck; index: number; total: number };

/** What a send returns once the run is interrupted; the runner drops the check it belongs to. */
const INTERRUPTED: Answer = { kind: "closed", ms: 0, code: "interrupted" };

/** Connections kept to the receiver for the one-at-a-time checks (one suffices; a spare covers a connection the receiver closed). */
const CONNECTIONS = 2;

export async function runProbe(o: ProbeOptions): Promise<ProbeResult> {
  const started = monotonicNow();
  const target = openTarget(o.url, CONNECTIONS, o.timeoutMs);
  const observeTarget = o.observe ? openTarget(o.observe, CONNECTIONS, o.timeoutMs) : undefined;
  const pacer = new Pacer();
  const throttled: Throttle[] = [];
  let requests = 0;
  let current: CheckName = CHECK_NAMES[0];
  const post = (request: ProbeRequest) => ({ method: "POST" as const, headers: request.headers, body: request.body });
  const note = (request: ProbeRequest, answer: Answer) => {
    if (answer.kind === "answered" && (answer.status === 429 || answer.status === 503)) throttled.push({ check: current, request, answer });
  };
  const ctx: ProbeContext = {
    deliveries: new Deliveries(o.secret, o.signature),
    signature: o.signature,
    timeoutMs: o.timeoutMs,
    deliveryCount: o.deliveries,
    concurrency: o.concurrency,
    throttled,
    signal: o.signal,
    async send(request) {
      await pacer.wait(o.signal);
      if (o.signal?.aborted) return INTERRUPTED;
      requests++;
      const answer = await exchange(target, post(request), o.timeoutMs, o.signal);
      note(request, answer);
      return answer;
    },
    async burst(batch) {
      if (o.signal?.aborted) return batch.map(() => INTERRUPTED);
      // A pool of its own with a connection per delivery, so all of them are in flight at once.
      const wide = openTarget(o.url, batch.length, o.timeoutMs);
      // One listener on the run's signal for the whole batch, rather than one per delivery.
      const batchAbort = new AbortController();
      setMaxListeners(batch.length + 1, batchAbort.signal);
      const onAbort = () => batchAbort.abort();
      o.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        requests += batch.length;
        const answers = await Promise.all(batch.map((request) => exchange(wide, post(request), o.timeoutMs, batchAbort.signal)));
        answers.forEach((answer, i) => note(batch[i]!, answer));
        return answers;
      } finally {
        o.signal?.removeEventListener("abort", onAbort);
        await closeTarget(wide);
      }
    },
    observe: observeTarget
      ? async (eventId) => {
          await pacer.wait(o.signal);
          if (o.signal?.aborted) return { ok: false, problem: "interrupted" };
          requests++;
          return observe(observeTarget, eventId, o.timeoutMs, o.signal);
        }
      : undefined,
  };
  const names = CHECK_NAMES.filter((name) => o.only === null || o.only.includes(name));
  const checks: ProbeCheck[] = [];
  try {
    for (const [index, name] of names.entries()) {
      if (o.signal?.aborted) break;
      current = name;
      o.onProgress?.({ kind: "start", name, index, total: names.length });
      const finding = await CHECKS[name](ctx);
      // Interrupted mid-check: its answers would grade our own abort, not the receiver.
      if (o.signal?.aborted) break;
      // The contract's order, whatever order a check built its finding in.
      const { grade, sent, received, ms, advice, ...extra } = finding;
      const check: ProbeCheck = { name, grade, sent, received, ms, advice, ...extra };
      checks.push(check);
      o.onProgress?.({ kind: "done", check, index, total: names.length });
    }
  } finally {
    await closeTarget(target);
    if (observeTarget) await closeTarget(observeTarget);
  }
  return {
    schemaVersion: 1,
    tool: { name: "apiwh", version: VERSION },
    target: shownUrl(o.url),
    signature: o.signature,
    observe: o.observe ? shownUrl(o.observe) : null,
    timeoutMs: o.timeoutMs,
    partial: checks.length < names.length,
    checks,
    summary: summarize(checks, requests, monotonicNow() - started),
  };
}

/** The URL as given, with a password in it shown as `***`. */
export function shownUrl(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = "***";
  return copy.href;
}

/**
 * Before anything is sent: the observe endpoint must follow the protocol, answering an id never
 * sent with `processed` 0 (or 404). Resolves null, or what is wrong, for a usage error.
 */
export async function checkObserveEndpoint(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  const t = openTarget(url, 1, timeoutMs);
  try {
    const o = await observe(t, `evt_probe_never_sent_${Date.now()}`, timeoutMs, signal);
    if (!o.ok) return o.problem;
    if (o.value.processed !== 0) return `the observe endpoint says an id never sent was processed ${o.value.processed} times`;
    return null;
  } finally {
    await closeTarget(t);
  }
}
