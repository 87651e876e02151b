/**
 * What the standalone commands (provider, listen, pay, poll) share: checking flags into one-line
 * UsageErrors, the exposure warning, and reaching a provider.
 */
import { connect } from "node:net";
import { Pool } from "undici";
import { UsageError } from "../errors.js";
import { printable as escapeControls } from "../scenario/echo.js";

const PROVIDER_FORM = "the URL of a running `apiwh provider`, such as http://127.0.0.1:4010";

export function checkPort(flag: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} ${port}: not a port; expected a whole number from 0 to 65535 (0 picks a free one)`);
}

export function checkHost(host: string): void {
  if (!host || /[\s/]/.test(host)) throw new UsageError(`--host "${printable(host, 40)}": not a host; expected an address of this machine such as 127.0.0.1, ::1 or 0.0.0.0`);
}

export function checkPositiveInteger(flag: string, n: number, what: string, max = 100_000): void {
  if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw new UsageError(`${flag} ${n}: not ${what}; expected a whole number from 1 to ${max.toLocaleString("en-US")}`);
}

/** Loopback only: 127.0.0.0/8, ::1 and localhost. Anything else may be reachable from other machines. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/** The warning a server prints when `--host` takes it off loopback (issue 7: exposure). */
export function exposureWarning(host: string, what: string): string | null {
  if (isLoopbackHost(host)) return null;
  return `warning: --host ${host} makes the ${what} reachable from other machines; it has no authentication. Use --host 127.0.0.1 unless you mean it.\n`;
}

/** Maps a failed listen to a UsageError naming the flag; other errors pass through. */
export function bindError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") return new UsageError(`--port ${port}: the port is in use on ${host}; expected a free port, or 0 to pick one`);
  if (code === "EACCES") return new UsageError(`--port ${port}: not allowed to listen on this port; expected a port above 1023, or 0 to pick one`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAFNOSUPPORT")
    return new UsageError(`--host ${host}: cannot listen there (${code}); expected an address of this machine such as 127.0.0.1, ::1 or 0.0.0.0`);
  return err;
}

/** The provider's base URL: http(s) only, no query or fragment; a path prefix is kept. */
export function parseProviderUrl(text: string | undefined, flag = "--provider"): URL {
  if (!text) throw new UsageError(`${flag} is required; expected ${PROVIDER_FORM}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${printable(text, 60)}": not a URL; expected ${PROVIDER_FORM}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${flag} "${printable(text, 60)}": must use http or https; expected ${PROVIDER_FORM}`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`${flag} "${printable(text, 60)}": has a query, fragment or credentials; expected ${PROVIDER_FORM}`);
  return url;
}

/**
 * Checks that something listens at the provider's address with a bare TCP connect, so an
 * unreachable provider is a usage error before any work starts and the provider logs nothing.
 */
export function probeProvider(url: URL, signal?: AbortSignal, flag = "--provider"): Promise<void> {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 3000 });
    const onAbort = () => fail("interrupted");
    const fail = (why: string) => {
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(new UsageError(`${flag} ${url.origin}: cannot connect (${why}); expected ${PROVIDER_FORM}`));
    };
    socket.once("connect", () => {
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => fail("timed out"));
    socket.once("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A keep-alive pool to the provider, and the path prefix its routes hang under. */
export function providerPool(url: URL, connections = 16): { pool: Pool; path: (route: string) => string } {
  // URL keeps "/" as the path of a bare origin; routes already start with one.
  const prefix = url.pathname.replace(/\/+$/, "");
  return {
    pool: new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 4_000 }),
    path: (route) => `${prefix}${route}`,
  };
}

/** The JSON error a provider answered, as one readable phrase. */
export function errorText(body: unknown): string {
  const e = (body as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e.message === "string") return printable(e.message, 100);
  return "no error message";
}

/** Request paths and headers come from whoever connects: control characters escaped (the one escaper, scenario/echo.ts) and bounded before they reach a terminal. */
export function printable(text: string, max = 80): string {
  const clean = escapeControls(String(text));
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Seconds since a start on the monotonic clock, as `+1.203s`. */
export function elapsed(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(3)}s`;
}

/**
 * Times on a monotonic clock as the local time of day (`14:03:07.215`): `provider`, `listen` and
 * `poll` all print this, so lines in three terminals line up by eye.
 */
export function wallStamp(clock: { now(): number }, wallNow = Date.now()): (at: number) => string {
  const offset = wallNow - clock.now();
  return (at) => wallTime(at + offset);
}

/** Local wall-clock time of day with milliseconds: `14:03:07.215`. */
export function wallTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Resolves when the signal aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

