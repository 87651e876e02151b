import { connect } from "node:net";

export interface RawAnswer {
  /** HTTP status of the first response on the socket, or null if none came. */
  status: number | null;
  head: string;
  body: string;
  /** The server closed (or reset) the connection before we did. */
  closedByServer: boolean;
  /** Request bytes the socket accepted before the answer or the close. */
  written: number;
  timedOut: boolean;
}

/**
 * Sends raw bytes over node:net and reads the first response, so tests can send what no HTTP
 * client would: truncated bodies, lying lengths, bodies that never end. `chunks` are written one
 * after another, honouring backpressure, until the server answers or closes.
 */
export function rawExchange(port: number, chunks: Iterable<Buffer | string>, options: { timeoutMs?: number; endAfter?: boolean; stopOnAnswer?: boolean; headOnly?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let written = 0;
    let closedByServer = false;
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split < 0 ? text : text.slice(0, split);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : null, head, body: split < 0 ? "" : text.slice(split + 4), closedByServer, written, timedOut });
    };
    const timer = setTimeout(() => finish(true), options.timeoutMs ?? 3000);
    const answered = () => {
      const text = received.toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return false;
      if (options.headOnly) return true;
      const length = /content-length: (\d+)/i.exec(text.slice(0, split));
      return received.length >= split + 4 + Number(length?.[1] ?? 0);
    };
    socket.on("data", (data) => {
      received = Buffer.concat([received, data]);
      if (options.stopOnAnswer !== false && answered()) finish(false);
    });
    socket.on("end", () => {
      closedByServer = true;
      finish(false);
    });
    socket.on("error", () => {
      closedByServer = true;
      finish(false);
    });
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (done || socket.destroyed) return;
        written += Buffer.byteLength(chunk);
        if (!socket.write(chunk)) await new Promise((r) => (socket.once("drain", r), socket.once("close", r)));
      }
      if (options.endAfter) socket.end();
    });
  });
}
