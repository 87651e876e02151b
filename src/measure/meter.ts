import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Requests and bytes of one kind of exchange, counted by the server that receives them. */
export interface ExchangeCount {
  requests: number;
  /** Bytes that arrived at this server (request line, headers, body). */
  bytesIn: number;
  /** Bytes this server sent back (status line, headers, body). */
  bytesOut: number;
}

export function emptyCount(): ExchangeCount {
  return { requests: 0, bytesIn: 0, bytesOut: 0 };
}

interface Marks {
  read: number;
  written: number;
}

/**
 * Attributes each exchange's bytes from its socket's counters. Requests on a keep-alive socket
 * are sequential (no pipelining), so the socket's byte counts since the previous exchange
 * finished are exactly this exchange's request and response, headers included.
 */
export class ServerMeter {
  private readonly marks = new WeakMap<Socket, Marks>();
  readonly counts = new Map<string, ExchangeCount>();

  attach(server: Server): void {
    server.on("connection", (socket: Socket) => this.marks.set(socket, { read: 0, written: 0 }));
  }

  /** Counts the exchange under `kind` once its response has been handed to the socket. */
  track(kind: string, req: IncomingMessage, res: ServerResponse): void {
    const count = this.countFor(kind);
    count.requests++;
    res.once("finish", () => {
      const socket = req.socket;
      const mark = this.marks.get(socket);
      if (!mark) return;
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      count.bytesIn += read - mark.read;
      count.bytesOut += written - mark.written;
      mark.read = read;
      mark.written = written;
    });
  }

  /** Moves the byte marks past an exchange that is not counted (payment creation), so it is not charged to the next one. */
  skip(req: IncomingMessage, res: ServerResponse): void {
    res.once("finish", () => {
      const mark = this.marks.get(req.socket);
      if (!mark) return;
      mark.read = req.socket.bytesRead;
      mark.written = req.socket.bytesWritten;
    });
  }

  countFor(kind: string): ExchangeCount {
    let count = this.counts.get(kind);
    if (!count) this.counts.set(kind, (count = emptyCount()));
    return count;
  }

  snapshot(): Record<string, ExchangeCount> {
    return Object.fromEntries([...this.counts].map(([k, v]) => [k, { ...v }]));
  }
}
