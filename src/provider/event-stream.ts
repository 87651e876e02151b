import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { HEARTBEAT_MS } from "../api/limits.js";
import type { ExchangeCount } from "../measure/meter.js";
import { HttpError } from "../http/errors.js";


interface LoggedEvent {
  seq: number;
  frame: string;
}

interface OpenStream {
  res: ServerResponse;
  socket: Socket;
  startWritten: number;
  sent: number;
  heartbeat: NodeJS.Timeout;
}

export interface StreamOptions {
  speed: number;
  /** Test knob: end each stream after this many events, to exercise reconnection; null = never. */
  dropAfterEvents: number | null;
}

/**
 * `GET /events`: a Server-Sent Events stream of every settlement, with `id:` on each event so a
 * client that lost its stream reconnects with `Last-Event-ID` and gets the events it missed.
 *
 * Counting: a stream is one request per connection, however long it stays open. Its bytes are
 * the socket's bytes from the moment the stream starts, read live for streams still open, because
 * a stream the client abandons never "finishes" the way the shared meter expects.
 */
export class EventStream {
  private readonly log: LoggedEvent[] = [];
  private readonly open = new Set<OpenStream>();
  private readonly count: ExchangeCount = { requests: 0, bytesIn: 0, bytesOut: 0 };
  private closedBytesOut = 0;

  constructor(private readonly options: StreamOptions) {}

  /** Appends `payment.<status>` to the log and sends it to every open stream. */
  publish(type: string, data: unknown): void {
    const seq = this.log.length + 1;
    const event = { seq, frame: `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n` };
    this.log.push(event);
    for (const stream of this.open) this.send(stream, event);
  }

  /** Serves one stream request; the response stays open until the client leaves or the provider closes. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const lastId = lastEventId(req);
    this.count.requests++;
    this.count.bytesIn += requestHeadBytes(req);
    const socket = req.socket;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
    const stream: OpenStream = {
      res,
      socket,
      startWritten: socket.bytesWritten,
      sent: 0,
      heartbeat: setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS / this.options.speed),
    };
    this.open.add(stream);
    res.once("close", () => this.retire(stream));
    // Opening the stream flushes the headers, so the client sees it connected even before an event.
    res.write(": connected\n\n");
    for (const event of this.log) if (event.seq > lastId && this.open.has(stream)) this.send(stream, event);
  }

  private send(stream: OpenStream, event: LoggedEvent): void {
    stream.res.write(event.frame);
    stream.sent++;
    const limit = this.options.dropAfterEvents;
    if (limit !== null && stream.sent >= limit) {
      this.retire(stream);
      stream.res.end();
    }
  }

  private retire(stream: OpenStream): void {
    if (!this.open.delete(stream)) return;
    clearInterval(stream.heartbeat);
    // Bytes queued by res.end() land on the socket a tick later; count what was handed over.
    const written = stream.socket.bytesWritten + (stream.socket.writableLength ?? 0);
    this.closedBytesOut += written - stream.startWritten;
  }

  snapshot(): ExchangeCount {
    let live = 0;
    for (const s of this.open) live += s.socket.bytesWritten + s.socket.writableLength - s.startWritten;
    return { requests: this.count.requests, bytesIn: this.count.bytesIn, bytesOut: this.closedBytesOut + live };
  }

  close(): void {
    for (const stream of [...this.open]) {
      this.retire(stream);
      stream.res.end();
    }
  }
}

function lastEventId(req: IncomingMessage): number {
  const raw = req.headers["last-event-id"];
  if (raw === undefined || raw === "") return 0;
  const text = Array.isArray(raw) ? raw[0]! : raw;
  if (!/^\d{1,15}$/.test(text.trim())) throw new HttpError(400, "invalid_request", `Last-Event-ID "${text.slice(0, 32)}" is not an event id; expected the integer of the last event received`, "Last-Event-ID");
  return Number(text.trim());
}

/** The request line and headers exactly as the parser received them (a GET has no body). */
function requestHeadBytes(req: IncomingMessage): number {
  let n = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) + 2;
  for (let i = 0; i < req.rawHeaders.length; i += 2) n += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
  return n;
}
