import type { Server } from "node:http";
import { keepTickShape } from "./tick-shape.js";

/**
 * Server timeouts shared by the provider and the receiver: idle keep-alive sockets stay 30 s,
 * a client gets 10 s to send its headers and 30 s for the whole request (a slow-drip client
 * cannot hold a socket for Node's default five minutes). Long polls are unaffected: the timeout
 * covers receiving the request, not waiting for the answer.
 *
 * Node enforces the header and request timeouts only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default): a slow-header client then kept its socket for
 * up to 40 s. Sweeping every 500 ms cuts it within half a second of the stated 10 s; a sweep walks
 * the open connections once, a few microseconds for the hundreds a run holds.
 */
export const SERVER_TIMEOUTS = { keepAliveTimeout: 30_000, headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 500 } as const;

export type ServerTimeouts = { -readonly [K in keyof typeof SERVER_TIMEOUTS]: number };

/** SERVER_TIMEOUTS with some replaced (tests shorten them to watch them fire). */
export function serverTimeouts(overrides: Partial<ServerTimeouts> = {}): ServerTimeouts {
  return { ...SERVER_TIMEOUTS, ...overrides };
}

/**
 * Connections the kernel may hold waiting for accept(). Node's default, 511, drops the SYNs of a
 * burst of 1,000 concurrent deliveries past it, and each dropped client retries a second later
 * (measured by `npm run bench`); Linux caps this at net.core.somaxconn (4096 by default).
 */
const LISTEN_BACKLOG = 2048;

/**
 * Listens, turning EADDRINUSE and friends into a rejected promise instead of an 'error' event.
 * Every server of ours is one that may sit idle before its load: see keepTickShape().
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  keepTickShape();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, LISTEN_BACKLOG, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Closes a server and every connection it holds, idle keep-alive ones included, so the port is free at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
