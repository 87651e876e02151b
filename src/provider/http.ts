import type { IncomingMessage } from "node:http";
import { HttpError } from "../http/errors.js";

/**
 * Refuses query parameters a route does not know, and any given twice: a typo such as `?wiat=30s`
 * silently ignored would turn a long poll into a plain one, and the caller would never know why.
 */
export function checkQuery(url: URL, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    const shown = name.slice(0, 32);
    if (!allowed.includes(name))
      throw new HttpError(400, "invalid_request", allowed.length === 0 ? `unknown query parameter "${shown}"; this route takes none` : `unknown query parameter "${shown}"; expected ${allowed.join(", ")}`, shown);
    if (seen.has(name)) throw new HttpError(400, "invalid_request", `query parameter "${shown}" is given more than once`, shown);
    seen.add(name);
  }
}

/**
 * A target of letters, digits, `_`, `-` and `/` (not starting `//`) is its own pathname: no query,
 * escape or dot segment for the URL parser to resolve. Every plain poll is one, and skipping
 * `new URL` for them was a measurable share of the provider's cost per request. Checked by
 * character codes: under callgrind, the regular expressions on a plain poll's path (this one,
 * `/^\/(?!\/)[\w\-/]*$/`, and the payment id's) took about 750 instructions of the provider's
 * 55,000 per poll beyond a bare server's own (issue 18).
 */
export function isPlainTarget(target: string): boolean {
  if (target.charCodeAt(0) !== SLASH || target.charCodeAt(1) === SLASH) return false;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    // a-z, A-Z, 0-9, _, - and /
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === SLASH)) return false;
  }
  return true;
}

const SLASH = 47;

/** Parses the request target; a target the URL parser refuses is the client's mistake (400), never a 500. */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://provider");
  } catch {
    throw new HttpError(400, "invalid_request", "the request target is not a valid path", "path");
  }
}

/**
 * `If-None-Match` read from the raw header list: `req.headers` builds an object of every header on
 * first access, which a plain poll (that sends none of interest) would pay for nothing. Several
 * `If-None-Match` lines are one list (RFC 9110 §5.3), as node joins them.
 */
export function ifNoneMatchOf(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === "if-none-match") value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}
