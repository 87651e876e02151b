import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { grow } from "../util/grow.js";
import { monotonicNow } from "./clock.js";

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
 *
 * Each kind of exchange has one 'finish' listener, made once and shared by every response of that
 * kind (it finds its socket through `res.req`): a closure per request showed up when profiling the
 * provider's plain polls, and a listener per kind keeps the attribution right even if responses on
 * one socket ever overlapped.
 */
export class ServerMeter {
  private readonly marks = new WeakMap<Socket, Marks>();
  readonly counts = new Map<string, ExchangeCount>();
  /** Tracked exchanges not finished yet (a long poll still held), by kind: their requests have arrived, so their bytes count. */
  private readonly inFlight = new Map<string, Set<ServerResponse>>();
  private readonly onFinish = new Map<string, (this: ServerResponse) => void>();
  /** Moves the marks without charging anyone. */
  private readonly onSkippedFinish: (this: ServerResponse) => void;
  /**
   * The exchange trackAnswer() counted and settle() has not charged yet, with its charge. One slot
   * is enough: a server calls settle() in the same synchronous turn as trackAnswer(), before any
   * other request can be routed. Kept here rather than on the response: a property added to node's
   * ServerResponse would give responses a second hidden class for node's own code to handle.
   */
  private answering: ServerResponse | undefined;
  private answeringCharge: ((this: ServerResponse) => void) | undefined;
  /** When each counted exchange arrived, on the shared monotonic clock (for the run's requests per second). */
  private stamps = new Float64Array(1024);
  private stamped = 0;

  /** `stamping`: keep an arrival stamp per exchange (a run's meters do; a long-running server's do not, or they would grow for ever). */
  constructor(private readonly stamping = false) {
    const marks = this.marks;
    this.onSkippedFinish = function (this: ServerResponse) {
      const socket = this.req.socket;
      const mark = marks.get(socket);
      if (!mark) return;
      mark.read = socket.bytesRead;
      mark.written = socket.bytesWritten;
    };
  }

  attach(server: Server): void {
    server.on("connection", (socket: Socket) => this.marks.set(socket, { read: 0, written: 0 }));
  }

  /**
   * Counts the exchange under `kind` once its response has been handed to the socket. `held`: the
   * answer may wait long (a long poll), so until it finishes its request's bytes are counted as
   * they arrived (snapshot()); a short exchange finishes within the run's last moments anyway, and
   * costs no bookkeeping on the hot path.
   */
  track(kind: string, res: ServerResponse, held = false): void {
    const onFinish = this.count(kind);
    res.on("finish", onFinish);
    if (held) {
      this.openOf(kind).add(res);
      res.on("close", this.onClose.get(kind)!);
    }
  }

  /**
   * Counts an exchange the handler usually answers before it returns (a plain poll): its charge
   * waits for settle(res), which takes it at once when the answer is already on the socket, and
   * otherwise at 'finish' as track() does. Spares the hot path a listener and the array copy node
   * makes to emit 'finish' to two listeners instead of one.
   */
  trackAnswer(kind: string, res: ServerResponse): void {
    // The server's bug, not the client's: a charge left unsettled would lose that exchange's bytes.
    if (this.answering !== undefined) throw new Error("ServerMeter: trackAnswer() called again before settle() charged the previous exchange");
    this.answeringCharge = this.count(kind);
    this.answering = res;
  }

  /** Counts one exchange of `kind` as it arrives; returns the kind's shared listener that charges its bytes. */
  private count(kind: string): (this: ServerResponse) => void {
    let onFinish = this.onFinish.get(kind);
    if (!onFinish) this.onFinish.set(kind, (onFinish = this.chargeTo(this.countFor(kind), this.openOf(kind))));
    this.counts.get(kind)!.requests++;
    this.arrived();
    return onFinish;
  }

  /**
   * Called by the server once its handler has returned. An exchange from trackAnswer() whose whole
   * answer was handed to its own socket is charged now: the socket's counters hold its request and
   * its answer (bytesWritten includes what the socket still buffers), and nothing else, as no
   * client of ours pipelines. Otherwise (answered later, or queued behind another answer on the
   * socket) it is charged at 'finish'.
   */
  settle(res: ServerResponse): void {
    if (this.answering !== res) return;
    const charge = this.answeringCharge!;
    this.answering = this.answeringCharge = undefined;
    if (res.writableEnded && res.socket !== null && res.headersSent) charge.call(res);
    else res.on("finish", charge);
  }

  /** One 'close' listener per kind, shared like onFinish: an exchange the client abandoned is no longer open. */
  private readonly onClose = new Map<string, (this: ServerResponse) => void>();

  private openOf(kind: string): Set<ServerResponse> {
    let open = this.inFlight.get(kind);
    if (!open) {
      const set = (open = new Set());
      this.inFlight.set(kind, set);
      this.onClose.set(kind, function (this: ServerResponse) {
        set.delete(this);
      });
    }
    return open;
  }

  /** Stamps the arrival of an exchange counted here or elsewhere (an event stream counts its own). */
  arrived(): void {
    if (!this.stamping) return;
    if (this.stamped >= this.stamps.length) this.stamps = grow(this.stamps, this.stamped + 1);
    this.stamps[this.stamped++] = monotonicNow();
  }

  /** A copy of every arrival stamp so far, in arrival order. */
  arrivals(): Float64Array {
    return this.stamps.slice(0, this.stamped);
  }

  /** Moves the byte marks past an exchange that is not counted (payment creation), so it is not charged to the next one. */
  skip(res: ServerResponse): void {
    res.on("finish", this.onSkippedFinish);
  }

  countFor(kind: string): ExchangeCount {
    let count = this.counts.get(kind);
    if (!count) this.counts.set(kind, (count = emptyCount()));
    return count;
  }

  /**
   * The counts so far. An exchange still open (a long poll held when the run ended) has sent its
   * request, which arrived: its bytes so far are counted, its answer (not sent yet) is not.
   */
  snapshot(): Record<string, ExchangeCount> {
    return Object.fromEntries(
      [...this.counts].map(([k, v]) => {
        const count = { ...v };
        for (const res of this.inFlight.get(k) ?? []) {
          const socket = res.req.socket;
          const mark = this.marks.get(socket);
          if (mark) count.bytesIn += socket.bytesRead - mark.read;
        }
        return [k, count];
      }),
    );
  }

  /** The shared listener for one kind: charges the bytes since the socket's marks to `count`. */
  private chargeTo(count: ExchangeCount, open: Set<ServerResponse>): (this: ServerResponse) => void {
    const marks = this.marks;
    return function (this: ServerResponse) {
      open.delete(this);
      // `res.socket` is already detached at 'finish'; the request keeps its socket.
      const socket = this.req.socket;
      const mark = marks.get(socket);
      if (!mark) return;
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      count.bytesIn += read - mark.read;
      count.bytesOut += written - mark.written;
      mark.read = read;
      mark.written = written;
    };
  }
}
