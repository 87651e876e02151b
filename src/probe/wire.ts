/**
 * How the probe talks to a receiver: one request at a time on a keep-alive pool, every exchange
 * bounded by the timeout and classified by how it ended, request starts spaced so a probe never
 * floods someone's server.
 */
import { connect, isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Pool } from "undici";
import { monotonicNow, sleep } from "../measure/clock.js";

/** How one exchange ended. `ms` is the time from sending to the complete answer, or until it was given up. */
export type Answer =
  | { kind: "answered"; status: number; ms: number; retryAfter?: string; body: string }
  /** No complete answer within the timeout: a hang, as a sender sees it. */
  | { kind: "timeout"; ms: number }
  /** The connection was closed or reset before an answer came. */
  | { kind: "closed"; ms: number; code: string }
  /** No connection: refused, unknown host, TLS failure. */
  | { kind: "unreachable"; ms: number; code: string };

/** Bytes of an answer's body kept by default (for messages); reading stops and the connection is dropped past READ_LIMIT. */
const SNIPPET_BYTES = 200;
const READ_LIMIT = 64 * 1024;

/** At most this many request starts per second outside the burst, whatever the receiver's speed. */
export const MAX_REQUESTS_PER_SECOND = 100;

const UNREACHABLE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

export interface Target {
  url: URL;
  pool: Pool;
  /** `Authorization: Basic …` when the URL carries a user name. */
  authorization?: string;
}

export function openTarget(url: URL, connections: number, timeoutMs: number): Target {
  const authorization = url.username ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}` : undefined;
  return {
    url,
    pool: new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 4_000, connect: { timeout: timeoutMs } }),
    authorization,
  };
}

export function closeTarget(target: Target): Promise<void> {
  return target.pool.destroy().catch(() => undefined);
}

/**
 * One exchange. The timeout covers everything (connect, send, answer, body) and is enforced by
 * our own timer: a receiver that reads nothing, answers nothing, or dribbles its answer all end as
 * `timeout`. `signal` (Ctrl-C) aborts it too; the caller checks the signal before grading.
 */
export async function exchange(
  target: Target,
  request: { method: "GET" | "POST"; headers: Record<string, string>; body?: string; query?: Record<string, string>; keepBytes?: number },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Answer> {
  // Interrupted already: send nothing (an abort listener added now would never fire).
  if (signal?.aborted) return { kind: "closed", ms: 0, code: "interrupted" };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const url = new URL(target.url);
  for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
  const headers = target.authorization ? { ...request.headers, authorization: target.authorization } : request.headers;
  const start = monotonicNow();
  try {
    const res = await target.pool.request({
      method: request.method,
      path: url.pathname + url.search,
      headers,
      body: request.body,
      signal: controller.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const keep = Math.min(request.keepBytes ?? SNIPPET_BYTES, READ_LIMIT);
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size < keep) kept.push(chunk.subarray(0, keep - size));
      size += chunk.length;
      if (size > READ_LIMIT) {
        res.body.destroy();
        break;
      }
    }
    const body = Buffer.concat(kept).toString("utf8");
    const retryAfter = res.headers["retry-after"];
    return { kind: "answered", status: res.statusCode, ms: monotonicNow() - start, body, ...(retryAfter !== undefined ? { retryAfter: String(retryAfter) } : {}) };
  } catch (err) {
    const ms = monotonicNow() - start;
    if (timedOut) return { kind: "timeout", ms };
    const code = errorCode(err);
    if (UNREACHABLE.test(code)) return { kind: "unreachable", ms, code };
    return { kind: "closed", ms, code };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.cause?.code === "string") return e.cause.code;
  return typeof e?.message === "string" ? e.message.slice(0, 60) : "error";
}

/** Spaces request starts at least 1/MAX_REQUESTS_PER_SECOND apart. */
export class Pacer {
  private next = 0;
  constructor(private readonly intervalMs = 1000 / MAX_REQUESTS_PER_SECOND) {}

  async wait(signal?: AbortSignal): Promise<void> {
    const now = monotonicNow();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    await sleep(at - now, signal);
  }
}

/**
 * A bare TCP connect (with the TLS handshake for https) to the URL's host and port, so an address
 * where nothing listens, or a certificate Node will not trust, is a usage error before any check
 * runs, and the receiver logs nothing. Resolves null, or why it failed.
 */
export function reachable(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve) => {
    const socket =
      url.protocol === "https:" ? tlsConnect({ host, port, timeout: timeoutMs, ...(isIP(host) ? {} : { servername: host }) }) : connect({ host, port, timeout: timeoutMs });
    const done = (why: string | null) => {
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(why);
    };
    const onAbort = () => done("interrupted");
    socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => done(null));
    socket.once("timeout", () => done(`no connection within ${timeoutMs} ms`));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
