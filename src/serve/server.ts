import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "../http/body.js";
import { HttpError, sendError, sendJson } from "../http/errors.js";
import { closeServer, listen, SERVER_TIMEOUTS } from "../http/server.js";

/** A re-run asks for little: `{"intervalMs": 500}`. Anything longer is refused unread. */
export const MAX_RUN_BODY_BYTES = 1024;

/**
 * Only what the tool serves itself: its page, its script and the stream. No fetch, no frame, no
 * plugin; the page may open its own event stream and post its own re-runs, nothing else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

export interface ClassroomRoutes {
  page(): string;
  script(): string;
  style(): string;
  /** A new event-stream client: `lastEventId` when it resumes. Returns what to call when it goes. */
  subscribe(stream: EventStream, lastEventId: string | undefined): () => void;
  /** `POST /run`: the parsed body; answers the status and JSON to send. */
  run(body: unknown): { status: number; body: unknown };
}

/** One open `GET /events`: messages go out as `id:` and `data:` lines. */
export interface EventStream {
  send(id: string, data: string): void;
}

export interface ClassroomServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The classroom's HTTP server, small and closed by design: it binds the host given (the CLI
 * passes 127.0.0.1), answers GET of its own page, script, stylesheet and event stream and a POST
 * of a re-run with a body of at most a kilobyte, and nothing else. A request whose Host is not
 * this server (a DNS-rebinding page) or whose Origin is another site is refused.
 */
export async function startClassroomServer(routes: ClassroomRoutes, host: string, port: number): Promise<ClassroomServer> {
  const streams = new Set<ServerResponse>();
  let origin = "";
  const server: Server = createServer(SERVER_TIMEOUTS, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendError(res, err instanceof HttpError ? err : new HttpError(500, "internal_error", "internal error"));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    const pathname = (req.url ?? "/").split("?")[0]!;
    if (!allowedHost(req.headers.host, server)) throw new HttpError(421, "misdirected_request", "this server answers only for its own address");
    const method = req.method ?? "GET";
    const route = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    if (!route) throw new HttpError(404, "not_found", "no such page");
    if (method !== route) {
      res.setHeader("allow", route);
      throw new HttpError(405, "method_not_allowed", `${pathname} answers ${route} only`);
    }
    switch (pathname) {
      case "/":
        return send(res, 200, "text/html; charset=utf-8", routes.page(), { "content-security-policy": CONTENT_SECURITY_POLICY, "x-frame-options": "DENY" });
      case "/classroom.js":
        return send(res, 200, "text/javascript; charset=utf-8", routes.script());
      case "/classroom.css":
        return send(res, 200, "text/css; charset=utf-8", routes.style());
      case "/favicon.ico":
        res.writeHead(204).end();
        return;
      case "/events":
        return openStream(req, res);
      case "/run": {
        const from = req.headers.origin;
        if (from !== undefined && from !== origin && from !== origin.replace("127.0.0.1", "localhost")) throw new HttpError(403, "forbidden", "re-runs come from the classroom page only");
        const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
        if (type !== "application/json") throw new HttpError(415, "unsupported_media_type", "content-type must be application/json");
        const text = await readBody(req, MAX_RUN_BODY_BYTES);
        let body: unknown;
        try {
          body = text === "" ? {} : JSON.parse(text);
        } catch {
          throw new HttpError(400, "invalid_json", "body is not valid JSON");
        }
        const answer = routes.run(body);
        return sendJson(res, answer.status, answer.body);
      }
    }
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write(": apiwh classroom\n\n");
    streams.add(res);
    const stream: EventStream = { send: (id, data) => void res.write(`id: ${id}\ndata: ${data}\n\n`) };
    const leave = routes.subscribe(stream, header(req.headers["last-event-id"]));
    // A comment now and then keeps idle proxies and the browser from closing a quiet stream.
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000).unref();
    res.on("close", () => {
      clearInterval(ping);
      streams.delete(res);
      leave();
    });
  }

  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  return {
    url: `${origin}/`,
    async close() {
      for (const res of streams) res.end();
      await closeServer(server);
    },
  };
}

const ROUTES: Record<string, "GET" | "POST"> = { "/": "GET", "/classroom.js": "GET", "/classroom.css": "GET", "/favicon.ico": "GET", "/events": "GET", "/run": "POST" };

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The Host a browser sends for this server: its own address, or `localhost` on the same port. */
function allowedHost(host: string | undefined, server: Server): boolean {
  if (!host) return false;
  const port = (server.address() as AddressInfo | null)?.port;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
