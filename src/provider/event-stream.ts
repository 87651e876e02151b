import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
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
  heartbeat?: NodeJS.Timeout;
  /** Wall ms (performance.now) since the socket stopped taking writes; NaN while it takes them. */
  stalledSince: number;
  /** Wall ms of the simulated network each event of this connection spends on the way (by payment). */
  delay: (index: number) => number;
  /** Events up to this sequence number were logged before the request was read: they travel with the answer's head. */
  replayed: number;
  /** Wall ms (performance.now) when the answer's head reaches the client; until then nothing is written. */
  openAt: number;
  opened: boolean;
  /** When the last event written was due: one TCP stream cannot reorder, so each is due no earlier than the one before. */
  lastDue: number;
  /** Armed for the next event (or the head) not due yet. */
  timer?: NodeJS.Timeout;
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
  /**
   * A simulated network delays the frames (see serve): the log then keeps each event's time of
   * publication too (8 bytes an event more), from which each stream's frames fall due.
   */
  timed?: boolean;
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
 * The simulated network (issue 11) holds each stream's answer head, and each event on its way, as
 * serve() says: an event falls due when it was published plus its delay, and never before the one
 * ahead of it. Due times are worked out from the cursor as the stream reaches each event, so a
 * delayed stream costs no queue either.
 *
 * Counting: a stream is one request per connection, however long it stays open. Its bytes are
 * the socket's bytes from the moment the stream starts, read live for streams still open, because
 * a stream the client abandons never "finishes" the way the shared meter expects.
 */
export class EventStream {
  private log = new Uint32Array(1024);
  /** With `timed`: when each event was published (performance.now), by sequence number − 1. */
  private publishedAt = new Float64Array(0);
  private size = 0;
  private readonly open = new Set<OpenStream>();
  private readonly count: ExchangeCount = { requests: 0, bytesIn: 0, bytesOut: 0 };
  private closedBytesOut = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: StreamOptions) {
    const slow = options.slowAfterMs ?? SLOW_STREAM_MS;
    this.sweeper = setInterval(() => this.dropStalled(slow), Math.max(10, Math.min(1000, slow / 4)));
    this.sweeper.unref();
    if (options.timed) this.publishedAt = new Float64Array(1024);
  }

  /** Appends the settlement of payment `index` to the log and sends it to every stream that is keeping up. */
  publish(index: number): void {
    this.log = grow(this.log, this.size + 1);
    if (this.options.timed) {
      this.publishedAt = grow(this.publishedAt, this.size + 1);
      this.publishedAt[this.size] = performance.now();
    }
    this.log[this.size++] = index;
    for (const stream of this.open) if (!stream.timer) this.pump(stream);
  }

  /**
   * Serves one stream request; the response stays open until the client leaves or the provider
   * closes. The simulated network holds the answer's head `openDelay` wall ms, and each event
   * `delay(index)` more, in order; events logged before the request was read are replayed with the head.
   */
  serve(req: IncomingMessage, res: ServerResponse, openDelay = 0, delay: (index: number) => number = () => 0): void {
    const lastId = lastEventId(req);
    this.count.requests++;
    this.count.bytesIn += requestHeadBytes(req);
    const socket = req.socket;
    const openAt = performance.now() + openDelay;
    const stream: OpenStream = {
      res,
      socket,
      startWritten: socket.bytesWritten,
      next: lastId + 1,
      sent: 0,
      stalledSince: NaN,
      delay,
      replayed: this.size,
      openAt,
      opened: false,
      lastDue: openAt,
    };
    this.open.add(stream);
    res.once("close", () => this.retire(stream));
    res.on("drain", () => {
      stream.stalledSince = NaN;
      this.pump(stream);
    });
    this.pump(stream);
  }

  private openStream(stream: OpenStream): void {
    const { res } = stream;
    stream.opened = true;
    stream.startWritten = stream.socket.bytesWritten;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
    // A heartbeat only tells a reading client the stream is alive: a backed-up one gets none.
    stream.heartbeat = setInterval(() => !res.writableNeedDrain && res.write(": heartbeat\n\n"), HEARTBEAT_MS / this.options.speed);
    // Opening the stream flushes the headers, so the client sees it connected even before an event.
    res.write(": connected\n\n");
  }

  /** When event `seq` reaches this stream's client: with the head if it was replayed, else published + delay; never before the one ahead. */
  private dueOf(stream: OpenStream, seq: number): number {
    if (!this.options.timed || seq <= stream.replayed) return stream.lastDue;
    return Math.max(stream.lastDue, this.publishedAt[seq - 1]! + stream.delay(this.log[seq - 1]!));
  }

  /** Writes the events this stream has not had yet and that are due, until its socket stops taking them; arms a timer for the next. */
  private pump(stream: OpenStream): void {
    clearTimeout(stream.timer);
    stream.timer = undefined;
    if (!this.open.has(stream)) return;
    const { res } = stream;
    let now = performance.now();
    if (!stream.opened) {
      if (stream.openAt > now) return void (stream.timer = setTimeout(() => this.pump(stream), stream.openAt - now));
      this.openStream(stream);
    }
    while (stream.next <= this.size && this.open.has(stream)) {
      if (res.writableNeedDrain) {
        if (Number.isNaN(stream.stalledSince)) stream.stalledSince = performance.now();
        return;
      }
      const seq = stream.next;
      const due = this.dueOf(stream, seq);
      if (due > now && (now = performance.now()) < due) return void (stream.timer = setTimeout(() => this.pump(stream), due - now));
      stream.next++;
      stream.lastDue = due;
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
    clearTimeout(stream.timer);
    stream.timer = undefined;
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
      // A stream whose head the simulated network still held answers now, so the client sees a stream end rather than a reset.
      if (!stream.opened && !stream.res.headersSent) stream.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
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
