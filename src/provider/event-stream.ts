import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { HEARTBEAT_MS } from "../api/limits.js";
import type { ExchangeCount } from "../measure/meter.js";
import { HttpError } from "../http/errors.js";
import { grow } from "../util/grow.js";

interface OpenStream {
  res: ServerResponse;
  socket: Socket;
  startWritten: number;
  /** Sequence number of the next event this stream is to be sent. */
  next: number;
  sent: number;
  heartbeat: NodeJS.Timeout;
  /** Wall ms (performance.now) since the socket stopped taking writes; NaN while it takes them. */
  stalledSince: number;
}

export interface StreamOptions {
  speed: number;
  /** Test knob: end each stream after this many events, to exercise reconnection; null = never. */
  dropAfterEvents: number | null;
  /** The event a sequence number's payment index stands for: its type and JSON data, as it settled. */
  describe(index: number): { type: string; data: unknown };
  /** Wall ms a stream may refuse writes, with events waiting, before it is dropped (default SLOW_STREAM_MS). */
  slowAfterMs?: number;
  /** Each stream dropped for not reading, with the reason, for the provider's log. */
  onDrop?(reason: string): void;
}

/**
 * How long a client may leave its stream unread while events wait for it. A client that reads
 * at all drains a socket buffer in milliseconds; 30 s is a client that stopped, or never started.
 */
export const SLOW_STREAM_MS = 30_000;

/**
 * `GET /events`: a Server-Sent Events stream of every settlement, with `id:` on each event so a
 * client that lost its stream reconnects with `Last-Event-ID` and gets the events it missed.
 *
 * Memory stays bounded per connection however slowly a client reads (issue 13, S2): the log keeps
 * only each event's payment index (4 bytes; the frame is written again from the payment, which
 * no longer changes once settled), and each stream is a cursor into it. An event is written to a
 * stream only while its socket takes writes; when it stops (`write` returns false), the stream
 * waits for `drain` and then catches up from its cursor, replay included. So a stream costs its
 * socket buffer and a number, where a client that never read used to cost the whole event log
 * (32 such streams over 50,000 events: 466 MB). A stream that takes nothing for `slowAfterMs`
 * while events wait is dropped, with its reason logged; the client may reconnect with Last-Event-ID.
 *
 * Counting: a stream is one request per connection, however long it stays open. Its bytes are
 * the socket's bytes from the moment the stream starts, read live for streams still open, because
 * a stream the client abandons never "finishes" the way the shared meter expects.
 */
export class EventStream {
  private log = new Uint32Array(1024);
  private size = 0;
  private readonly open = new Set<OpenStream>();
  private readonly count: ExchangeCount = { requests: 0, bytesIn: 0, bytesOut: 0 };
  private closedBytesOut = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: StreamOptions) {
    const slow = options.slowAfterMs ?? SLOW_STREAM_MS;
    this.sweeper = setInterval(() => this.dropStalled(slow), Math.max(10, Math.min(1000, slow / 4)));
    this.sweeper.unref();
  }

  /** Appends the settlement of payment `index` to the log and sends it to every stream that is keeping up. */
  publish(index: number): void {
    this.log = grow(this.log, this.size + 1);
    this.log[this.size++] = index;
    for (const stream of this.open) this.pump(stream);
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
      next: lastId + 1,
      sent: 0,
      // A heartbeat only tells a reading client the stream is alive: a backed-up one gets none.
      heartbeat: setInterval(() => !res.writableNeedDrain && res.write(": heartbeat\n\n"), HEARTBEAT_MS / this.options.speed),
      stalledSince: NaN,
    };
    this.open.add(stream);
    res.once("close", () => this.retire(stream));
    res.on("drain", () => {
      stream.stalledSince = NaN;
      this.pump(stream);
    });
    // Opening the stream flushes the headers, so the client sees it connected even before an event.
    res.write(": connected\n\n");
    this.pump(stream);
  }

  /** Writes the events this stream has not had yet, until its socket stops taking them. */
  private pump(stream: OpenStream): void {
    const { res } = stream;
    while (stream.next <= this.size && this.open.has(stream)) {
      if (res.writableNeedDrain) {
        if (Number.isNaN(stream.stalledSince)) stream.stalledSince = performance.now();
        return;
      }
      const seq = stream.next++;
      const { type, data } = this.options.describe(this.log[seq - 1]!);
      res.write(`id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      stream.sent++;
      const limit = this.options.dropAfterEvents;
      if (limit !== null && stream.sent >= limit) {
        this.retire(stream);
        res.end();
      }
    }
  }

  private dropStalled(slowAfterMs: number): void {
    const now = performance.now();
    for (const stream of [...this.open]) {
      if (Number.isNaN(stream.stalledSince) || now - stream.stalledSince < slowAfterMs) continue;
      const waiting = this.size - stream.next + 1;
      const client = `${stream.socket.remoteAddress ?? "?"}:${stream.socket.remotePort ?? "?"}`;
      this.options.onDrop?.(`event stream of ${client} dropped: it read nothing for ${Math.round((now - stream.stalledSince) / 1000)} s with ${waiting} events waiting`);
      this.retire(stream);
      // Its buffer will never drain: end it without waiting for the client.
      stream.res.destroy();
    }
  }

  private retire(stream: OpenStream): void {
    if (!this.open.delete(stream)) return;
    clearInterval(stream.heartbeat);
    // Bytes queued by res.end() land on the socket a tick later; count what was handed over.
    const written = stream.socket.bytesWritten + (stream.socket.writableLength ?? 0);
    this.closedBytesOut += written - stream.startWritten;
  }

  /** Streams open now (for tests and the caps). */
  get streams(): number {
    return this.open.size;
  }

  snapshot(): ExchangeCount {
    let live = 0;
    for (const s of this.open) live += s.socket.bytesWritten + s.socket.writableLength - s.startWritten;
    return { requests: this.count.requests, bytesIn: this.count.bytesIn, bytesOut: this.closedBytesOut + live };
  }

  close(): void {
    clearInterval(this.sweeper);
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
