import type { IncomingMessage, ServerResponse } from "node:http";

/** An HTTP error answer with a JSON body naming what was wrong. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The answer to a body over the limit. It closes the connection: the rest of the body is never
 * read, so a client streaming gigabytes costs the server one megabyte and one socket.
 */
function tooLarge(limit: number): HttpError {
  return new HttpError(413, "payload_too_large", `body over ${limit} bytes`, undefined, { connection: "close" });
}

/** Stops reading a request: no more bytes leave the kernel's buffer, and the response will close the connection. */
function stopReading(req: IncomingMessage): void {
  req.removeAllListeners("data");
  req.pause();
}

/** Reads a request body, stopping (413) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      stopReading(req);
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stopReading(req);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    // A client that goes away mid-body: settle, so the handler never waits on a dead socket.
    req.on("close", () => {
      if (!req.complete) reject(new HttpError(400, "incomplete_body", "the request body ended early"));
    });
  });
}

/**
 * Discards the body of a request answered without reading it (404, 405, 415, 401…). Up to `limit`
 * bytes are drained so a keep-alive connection stays usable; past that, or when a larger body is
 * declared, the connection is closed rather than read to the end.
 */
export function discardBody(req: IncomingMessage, res: ServerResponse, limit = MAX_BODY_BYTES): void {
  if (req.complete) return;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    if (!res.headersSent) res.setHeader("connection", "close");
    stopReading(req);
    return;
  }
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) req.socket.destroy();
  });
  req.on("error", () => undefined);
  req.resume();
}

/** Parses a JSON request body after checking its content type (415) and syntax (400). */
export async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    discardBody(req, res);
    throw new HttpError(415, "unsupported_media_type", `content-type must be application/json, got "${type.slice(0, 64) || "none"}"`, "content-type");
  }
  const text = await readBody(req);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "invalid_json", "body is not valid JSON", "body");
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { type: err.type, message: err.message, ...(err.field ? { field: err.field } : {}) } }, err.headers);
}

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
 * `new URL` for them was a measurable share of the provider's cost per request.
 */
const PLAIN_TARGET = /^\/(?!\/)[\w\-/]*$/;

export function isPlainTarget(target: string): boolean {
  return PLAIN_TARGET.test(target);
}

/** Parses the request target; a target the URL parser refuses is the client's mistake (400), never a 500. */
export function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://provider");
  } catch {
    throw new HttpError(400, "invalid_request", "the request target is not a valid path", "path");
  }
}
