import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

/** A throwaway receiver on port 0 that records deliveries and answers with `statuses` in turn (then 200). */
export async function recordingServer(statuses: number[] = []): Promise<{ url: string; server: Server; deliveries: Array<{ headers: IncomingMessage["headers"]; body: string }>; close(): Promise<void> }> {
  const deliveries: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
  const server = createServer({ keepAliveTimeout: 200 }, (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      // The sender's connection warm-up at registration is not a delivery (see WARM_UP_METHOD).
      if (req.method === "OPTIONS") return void res.writeHead(204, { allow: "POST" }).end();
      deliveries.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    server,
    deliveries,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export async function json(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await request(url, {
    method: (init.method ?? "GET") as "GET",
    headers: init.body !== undefined ? { "content-type": "application/json", ...init.headers } : init.headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
