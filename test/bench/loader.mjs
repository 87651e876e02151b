// The closed-loop load client behind the bench's throughput rows (issue 18): keep-alive sockets,
// each sending one GET, reading its whole answer and sending the next, and nothing else.
//
// Why not autocannon: on a 2-core machine the client shares the cores with the server it loads.
// autocannon spends more CPU per request than the servers under test do, so its rounds measured how
// the scheduler split two cores between three busy threads: one bare server against itself, 12
// alternating rounds of 2 s, gave medians of 0.89× and 1.01× in two runs (round-to-round sd 10–17%).
// This client spends 73–82% of a core while the server it loads runs at 97–99% of the
// other, so the server is the bottleneck and the ratio is the servers' own.
import net from "node:net";

const HEAD_END = Buffer.from("\r\n\r\n");
const STATUS_200 = "HTTP/1.1 200 ";

/**
 * `connections` keep-alive sockets to `url`, idle until window() runs them. Every answer must be a
 * whole `200` with a Content-Length; anything else (another status, a chunked answer, a socket
 * closed under load) fails the window that saw it, naming what came.
 */
export async function loadTarget(url, connections = 16) {
  const u = new URL(url);
  const request = Buffer.from(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
  const sockets = await Promise.all(
    Array.from({ length: connections }, () =>
      new Promise((resolve, reject) => {
        const socket = net.connect(Number(u.port), u.hostname, () => resolve(socket));
        socket.once("error", reject);
        socket.setNoDelay(true);
      }),
    ),
  );
  const t = {
    url,
    /** Whole answers read since the window started. */
    answered: 0,
    /** Bytes of the first answer read (status line, headers and body), to set the two servers' answers side by side. */
    answerBytes: 0,
    running: false,
    inFlight: 0,
    failure: null,
    onIdle: null,
  };
  const fail = (why) => {
    t.failure ??= new Error(`${url}: ${why}`);
    t.running = false;
    t.onIdle?.();
  };
  for (const socket of sockets) {
    let pending = null;
    socket.on("data", (chunk) => {
      let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) break;
        const head = buf.latin1Slice(0, end);
        if (!head.startsWith(STATUS_200)) return fail(`answered "${head.slice(0, head.indexOf("\r"))}", expected 200`);
        const length = contentLength(head);
        if (length < 0) return fail("answered without a Content-Length");
        const total = end + 4 + length;
        if (buf.length < total) break;
        buf = buf.subarray(total);
        if (t.answerBytes === 0) t.answerBytes = total;
        t.answered++;
        t.inFlight--;
        if (t.running) {
          t.inFlight++;
          socket.write(request);
        } else if (t.inFlight === 0) t.onIdle?.();
      }
      pending = buf.length > 0 ? buf : null;
    });
    socket.on("close", () => fail("closed a connection under load"));
    socket.on("error", (err) => fail(err.message));
  }

  /**
   * Runs every socket for `ms`, lets the answers in flight arrive, and resolves the answers per
   * second over the whole time (the drain included, as the answers read in it are counted).
   */
  t.window = (ms) =>
    new Promise((resolve, reject) => {
      if (t.failure) return reject(t.failure);
      t.answered = 0;
      t.running = true;
      const started = performance.now();
      t.onIdle = () => {
        t.onIdle = null;
        if (t.failure) reject(t.failure);
        else resolve(t.answered / ((performance.now() - started) / 1000));
      };
      for (const socket of sockets) {
        t.inFlight++;
        socket.write(request);
      }
      setTimeout(() => (t.running = false), ms);
    });
  t.close = () => {
    t.running = false;
    for (const socket of sockets) {
      socket.removeAllListeners("close");
      socket.destroy();
    }
  };
  return t;
}

/** The Content-Length of a response head, or -1 when it has none (or is chunked). */
function contentLength(head) {
  const lower = head.toLowerCase();
  if (lower.includes("\r\ntransfer-encoding:")) return -1;
  const at = lower.indexOf("\r\ncontent-length:");
  if (at < 0) return -1;
  const from = at + "\r\ncontent-length:".length;
  const to = lower.indexOf("\r\n", from);
  const n = Number(lower.slice(from, to < 0 ? undefined : to).trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
