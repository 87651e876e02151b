import type { Server } from "node:http";

/**
 * Server timeouts shared by the provider and the receiver: idle keep-alive sockets stay 30 s,
 * a client gets 10 s to send its headers and 30 s for the whole request (a slow-drip client
 * cannot hold a socket for Node's default five minutes). Long polls are unaffected: the timeout
 * covers receiving the request, not waiting for the answer.
 */
export const SERVER_TIMEOUTS = { keepAliveTimeout: 30_000, headersTimeout: 10_000, requestTimeout: 30_000 } as const;

/**
 * Connections the kernel may hold waiting for accept(). Node's default, 511, drops the SYNs of a
 * burst of 1,000 concurrent deliveries past it, and each dropped client retries a second later
 * (measured by `npm run bench`); Linux caps this at net.core.somaxconn (4096 by default).
 */
const LISTEN_BACKLOG = 2048;

/** Listens, turning EADDRINUSE and friends into a rejected promise instead of an 'error' event. */
export function listen(server: Server, port: number, host: string): Promise<void> {
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
