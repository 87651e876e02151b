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
  /**
   * The count whose answers were written on this socket since `written` and are not charged yet.
   * Plain polls answered at once (trackAnswer) in a row on one connection charge their answers'
   * bytes together: when the connection next carries another kind of exchange, when it closes, or
   * when a snapshot is taken. Null when every byte written so far is charged.
   */
  run: ExchangeCount | null;
}

/** A kind of exchange: its count and the listener, shared by all its responses, that charges their bytes. */
interface Kind {
  readonly name: string;
  readonly count: ExchangeCount;
  readonly onFinish: (this: ServerResponse) => void;
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
  /** Sockets whose marks hold a run of answers not charged yet (Marks.run), for snapshot(). */
  private readonly running = new Set<Socket>();
  /**
   * Every kind's count. The answers of plain polls on a connection still open may wait in its run
   * (Marks.run), so the counts are read through snapshot(), which charges them first.
   */
  private readonly counts = new Map<string, ExchangeCount>();
  private readonly kinds = new Map<string, Kind>();
  /** Tracked exchanges not finished yet (a long poll still held), by kind: their requests have arrived, so their bytes count. */
  private readonly inFlight = new Map<string, Set<ServerResponse>>();
  /** Moves the marks without charging anyone. */
  private readonly onSkippedFinish: (this: ServerResponse) => void;
  /**
   * The exchange trackAnswer() counted and settle() has not charged yet, its kind and its socket's
   * marks. One slot is enough: a server calls settle() in the same synchronous turn as
   * trackAnswer(), before any other request can be routed. Kept here rather than on the response:
   * a property added to node's ServerResponse would give responses a second hidden class for
   * node's own code to handle.
   */
  private answering: ServerResponse | undefined;
  private answeringKind: Kind | undefined;
  private answeringMarks: Marks | undefined;
  /** The kind trackAnswer() was last given: a server repeating one kind looks it up once. */
  private lastKind: Kind | undefined;
  /** When each counted exchange arrived, on the shared monotonic clock (for the run's requests per second). */
  private stamps = new Float64Array(1024);
  private stamped = 0;

  /** `stamping`: keep an arrival stamp per exchange (a run's meters do; a long-running server's do not, or they would grow for ever). */
  constructor(private readonly stamping = false) {
    const marks = this.marks;
    const running = this.running;
    this.onSkippedFinish = function (this: ServerResponse) {
      const socket = this.req.socket;
      const mark = marks.get(socket);
      if (!mark) return;
      // As in chargeTo: only a pipelining client could have begun a run since this exchange started.
      if (mark.run) chargeRun(socket, mark, running);
      mark.read = socket.bytesRead;
      mark.written = socket.bytesWritten;
    };
  }

  attach(server: Server): void {
    const marks = this.marks;
    const running = this.running;
    // One listener for every connection: a run of answers still waiting when it closes is charged then.
    const onSocketClose = function (this: Socket) {
      const mark = marks.get(this);
      if (mark?.run) chargeRun(this, mark, running);
    };
    server.on("connection", (socket: Socket) => {
      marks.set(socket, { read: 0, written: 0, run: null });
      socket.on("close", onSocketClose);
    });
  }

  /**
   * Counts the exchange under `kind` once its response has been handed to the socket. `held`: the
   * answer may wait long (a long poll), so until it finishes its request's bytes are counted as
   * they arrived (snapshot()); a short exchange finishes within the run's last moments anyway, and
   * costs no bookkeeping on the hot path.
   */
  track(kind: string, res: ServerResponse, held = false): void {
    this.endRun(res);
    res.on("finish", this.count(kind).onFinish);
    if (held) {
      this.openOf(kind).add(res);
      res.on("close", this.onClose.get(kind)!);
    }
  }

  /**
   * Counts an exchange the handler usually answers before it returns (a plain poll): its charge
   * waits for settle(res). An answer already on its socket by then is charged without a listener:
   * its request's bytes at once, its answer's with the run of answers on that connection
   * (Marks.run). Otherwise it is charged at 'finish', as track() charges.
   */
  trackAnswer(kind: string, res: ServerResponse): void {
    // The server's bug, not the client's: a charge left unsettled would lose that exchange's bytes.
    if (this.answering !== undefined) throw new Error("ServerMeter: trackAnswer() called again before settle() charged the previous exchange");
    const last = this.lastKind;
    const counted = last !== undefined && last.name === kind ? last : (this.lastKind = this.kindOf(kind));
    counted.count.requests++;
    this.arrived();
    const socket = res.req?.socket;
    const mark = socket ? this.marks.get(socket) : undefined;
    // Answers of another kind written lazily before this exchange: charged to their kind now.
    if (mark !== undefined && mark.run !== null && mark.run !== counted.count) chargeRun(socket!, mark, this.running);
    this.answering = res;
    this.answeringKind = counted;
    this.answeringMarks = mark;
  }

  /**
   * Called by the server once its handler has returned. An exchange from trackAnswer() whose whole
   * answer was handed to its own socket is charged now: its request's bytes from the socket's read
   * counter, and its answer's with the connection's run (bytesWritten includes what the socket
   * still buffers, and nothing else is written on the connection before its next request, as no
   * client of ours pipelines). Otherwise (answered later, or queued behind another answer on the
   * socket) it is charged at 'finish'.
   */
  settle(res: ServerResponse): void {
    if (this.answering !== res) return;
    const kind = this.answeringKind!;
    const mark = this.answeringMarks;
    this.answering = this.answeringKind = this.answeringMarks = undefined;
    const socket = res.socket;
    if (!(res.writableEnded && socket !== null && res.headersSent)) return void res.on("finish", kind.onFinish);
    if (mark === undefined) return;
    const read = socket.bytesRead;
    kind.count.bytesIn += read - mark.read;
    mark.read = read;
    if (mark.run === null) {
      mark.run = kind.count;
      this.running.add(socket);
    }
  }

  /** The kind's count and shared listener, made once. */
  private kindOf(kind: string): Kind {
    let made = this.kinds.get(kind);
    if (!made) {
      const count = this.countFor(kind);
      made = { name: kind, count, onFinish: this.chargeTo(count, this.openOf(kind)) };
      this.kinds.set(kind, made);
    }
    return made;
  }

  /** Counts one exchange of `kind` as it arrives. */
  private count(kind: string): Kind {
    const made = this.kindOf(kind);
    made.count.requests++;
    this.arrived();
    return made;
  }

  /**
   * An exchange not charged as a plain poll starts on `res`'s connection: the run of answers
   * before it is charged to its kind first. track() and skip() call it; a server that counts an
   * exchange itself (the provider's event streams) calls it before the exchange writes anything.
   */
  endRun(res: ServerResponse): void {
    const socket = res.req?.socket;
    if (!socket) return;
    const mark = this.marks.get(socket);
    if (mark?.run) chargeRun(socket, mark, this.running);
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
    this.endRun(res);
    res.on("finish", this.onSkippedFinish);
  }

  /** The live count of `kind`, exact for kinds charged at 'finish' (track()); trackAnswer()'s kinds are read through snapshot(). */
  countFor(kind: string): ExchangeCount {
    let count = this.counts.get(kind);
    if (!count) this.counts.set(kind, (count = emptyCount()));
    return count;
  }

  /**
   * The counts so far, every connection's run of answers charged first. An exchange still open (a
   * long poll held when the run ended) has sent its request, which arrived: its bytes so far are
   * counted, its answer (not sent yet) is not.
   */
  snapshot(): Record<string, ExchangeCount> {
    for (const socket of [...this.running]) {
      const mark = this.marks.get(socket);
      if (mark?.run) chargeRun(socket, mark, this.running);
      else this.running.delete(socket);
    }
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
    const running = this.running;
    return function (this: ServerResponse) {
      if (open.size > 0) open.delete(this);
      // `res.socket` is already detached at 'finish'; the request keeps its socket.
      const socket = this.req.socket;
      const mark = marks.get(socket);
      if (!mark) return;
      // Only a pipelining client could have begun a run while this exchange was open: its answers stay its own.
      if (mark.run) chargeRun(socket, mark, running);
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      count.bytesIn += read - mark.read;
      count.bytesOut += written - mark.written;
      mark.read = read;
      mark.written = written;
    };
  }
}

/** Charges a connection's run of answers, every byte written since its mark, to the run's count. */
function chargeRun(socket: Socket, mark: Marks, running: Set<Socket>): void {
  const written = socket.bytesWritten;
  mark.run!.bytesOut += written - mark.written;
  mark.written = written;
  mark.run = null;
  running.delete(socket);
}
