import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./errors.js";

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
