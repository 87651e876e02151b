import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { HEARTBEAT_MS } from "../api/limits.js";
import type { ExchangeCount } from "../measure/meter.js";
import { HttpError } from "../http/errors.js";


interface LoggedEvent {
  seq: number;
  frame: string;
  /** The payment it is about: its delay on the simulated network is drawn per payment. */
  index: number;
}

interface OpenStream {
  res: ServerResponse;
  socket: Socket;
  startWritten: number;
  sent: number;
  heartbeat?: NodeJS.Timeout;
  /** Wall ms of the simulated network each event of this connection spends on the way (by payment). */
  delay: (index: number) => number;
  /** Monotonic ms before which nothing reaches the client (the answer's head is still travelling), then of the last frame due. */
  lastDue: number;
  /** Frames on their way, in order: one TCP stream cannot reorder, so each is due no earlier than the one before. */
  queue: Array<{ due: number; event: LoggedEvent }>;
  timer?: NodeJS.Timeout;
  /** Monotonic ms when the answer's head reaches the client; until then nothing is written. */
  openAt: number;
  opened: boolean;
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

  /** Appends `payment.<status>` (about payment `index`) to the log and sends it to every open stream. */
  publish(type: string, data: unknown, index: number): void {
    const seq = this.log.length + 1;
    const event = { seq, index, frame: `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n` };
    this.log.push(event);
    for (const stream of this.open) this.enqueue(stream, event, performance.now() + stream.delay(index));
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
    const stream: OpenStream = { res, socket, startWritten: socket.bytesWritten, sent: 0, delay, lastDue: openAt, queue: [], openAt, opened: false };
    this.open.add(stream);
    res.once("close", () => this.retire(stream));
    for (const event of this.log) if (event.seq > lastId) this.enqueue(stream, event, openAt);
    this.flush(stream);
  }

  private openStream(stream: OpenStream): void {
    const { res } = stream;
    stream.opened = true;
    stream.startWritten = stream.socket.bytesWritten;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
    stream.heartbeat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS / this.options.speed);
    // Opening the stream flushes the headers, so the client sees it connected even before an event.
    res.write(": connected\n\n");
  }

  private enqueue(stream: OpenStream, event: LoggedEvent, due: number): void {
    stream.lastDue = Math.max(stream.lastDue, due);
    stream.queue.push({ due: stream.lastDue, event });
    if (stream.opened && !stream.timer) this.flush(stream);
  }

  /** Writes every frame now due, in order, and arms one timer for the next. */
  private flush(stream: OpenStream): void {
    stream.timer = undefined;
    if (!this.open.has(stream)) return;
    const now = performance.now();
    if (!stream.opened) {
      if (stream.openAt > now) return void (stream.timer = setTimeout(() => this.flush(stream), stream.openAt - now));
      this.openStream(stream);
    }
    while (stream.queue.length > 0 && stream.queue[0]!.due <= now && this.open.has(stream)) this.send(stream, stream.queue.shift()!.event);
    if (stream.queue.length > 0 && this.open.has(stream)) stream.timer = setTimeout(() => this.flush(stream), stream.queue[0]!.due - now);
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
    clearTimeout(stream.timer);
    stream.queue.length = 0;
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
