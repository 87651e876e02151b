import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventStream } from "../src/provider/event-stream.js";

// Issue 13, S2: an event stream costs its socket buffer, not the event log, however slowly its
// client reads; one that reads nothing is dropped with its reason; replay respects backpressure.
// A real node:http server serves the stream to raw sockets over loopback.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** 10 kB of data per event: 2,000 events are 20 MB, far past what loopback's socket buffers hold. */
const FAT = "x".repeat(10_000);

async function serveStream(slowAfterMs = 60_000) {
  const dropped: string[] = [];
  const stream = new EventStream({ speed: 1, dropAfterEvents: null, slowAfterMs, describe: (index) => ({ type: "payment.succeeded", data: { id: `pay_${index + 1}`, pad: FAT } }), onDrop: (r) => dropped.push(r) });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => stream.serve(req, res));
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => {
    stream.close();
    return new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections()));
  });
  const buffered = () => [...sockets].reduce((n, s) => n + s.writableLength, 0);
  return { stream, port: (server.address() as AddressInfo).port, dropped, buffered };
}

/** A client that sends the request and then reads nothing. */
function silentClient(port: number, lastEventId?: number): Socket {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(`GET /events HTTP/1.1\r\nhost: x\r\n${lastEventId ? `last-event-id: ${lastEventId}\r\n` : ""}\r\n`);
  socket.pause();
  cleanups.push(() => void socket.destroy());
  return socket;
}

/** A client that reads, one chunk every `delayMs`, and collects the event ids it receives. */
function slowReader(port: number, delayMs: number, lastEventId = 0) {
  const ids: number[] = [];
  const socket = connect(port, "127.0.0.1");
  socket.write(`GET /events HTTP/1.1\r\nhost: x\r\n${lastEventId ? `last-event-id: ${lastEventId}\r\n` : ""}\r\n`);
  let text = "";
  socket.on("data", (chunk) => {
    text += chunk.toString("latin1");
    for (const m of text.matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
    text = text.slice(text.lastIndexOf("\n") + 1);
    socket.pause();
    setTimeout(() => socket.resume(), delayMs);
  });
  cleanups.push(() => void socket.destroy());
  return ids;
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("event streams under clients that read slowly or not at all", () => {
  it("20 MB of events to 8 streams that never read: the provider buffers at most a frame per stream beyond the socket", async () => {
    const { stream, port, buffered } = await serveStream();
    for (let i = 0; i < 8; i++) silentClient(port);
    await until(() => stream.streams === 8);
    for (let i = 0; i < 2_000; i++) stream.publish(i);
    await new Promise((r) => setTimeout(r, 100));
    // Node's writable buffer holds what the kernel would not take: one 16 kB high-water mark and the
    // frame that crossed it (10 kB), per stream. Before, each stream buffered all 20 MB.
    expect(buffered()).toBeLessThan(8 * 64 * 1024);
  });

  it("a stream that reads nothing for slowAfterMs while events wait is dropped, and says why", async () => {
    const { stream, port, dropped } = await serveStream(200);
    const silent = silentClient(port);
    let closed = false;
    silent.on("close", () => (closed = true));
    await until(() => stream.streams === 1);
    for (let i = 0; i < 2_000; i++) stream.publish(i);
    await until(() => dropped.length === 1);
    // The client, reading at last, finds its stream ended.
    silent.resume();
    await until(() => closed);
    expect(dropped[0]).toMatch(/^event stream of 127\.0\.0\.1:\d+ dropped: it read nothing for \d+ s with \d+ events waiting$/);
    expect(stream.streams).toBe(0);
  });

  it("a slow reader gets every event once, in order, its replay included, and is not dropped", async () => {
    const { stream, port, dropped } = await serveStream(2_000);
    for (let i = 0; i < 300; i++) stream.publish(i);
    // Connects after 300 events with Last-Event-ID 100: replays 101–300, then the live ones.
    const ids = slowReader(port, 5, 100);
    await until(() => stream.streams === 1);
    for (let i = 300; i < 600; i++) stream.publish(i);
    await until(() => ids.length === 500);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => 101 + i));
    expect(dropped).toEqual([]);
  });
});

describe("event streams under a simulated network (issues 11 and 13 together)", () => {
  it("the head and the replay wait openDelay, each live event its publication plus its delay, in order, never early, and a slow reader still gets every event once", async () => {
    const OPEN_MS = 40;
    // Even payments 60 ms on the way, odd ones 5 ms: an odd event published just after an even one is due first, and must wait behind it.
    const delayOf = (index: number) => (index % 2 === 0 ? 60 : 5);
    const stream = new EventStream({ speed: 1, dropAfterEvents: null, slowAfterMs: 60_000, timed: true, describe: (index) => ({ type: "payment.succeeded", data: { id: `pay_${index + 1}`, pad: FAT } }) });
    let servedAt = NaN;
    const server: Server = createServer((req, res) => {
      servedAt = performance.now();
      stream.serve(req, res, OPEN_MS, delayOf);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => {
      stream.close();
      return new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections()));
    });
    const publishedAt: number[] = [];
    const publish = (index: number) => {
      publishedAt[index] = performance.now();
      stream.publish(index);
    };
    for (let i = 0; i < 3; i++) publish(i);
    // The reader pauses 2 ms after every chunk: 400 events of 10 kB back its socket up, so writes wait for drain too.
    const seen = new Map<number, number>();
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    socket.write("GET /events HTTP/1.1\r\nhost: x\r\n\r\n");
    let text = "";
    let headAt = NaN;
    socket.on("data", (chunk) => {
      const at = performance.now();
      text += chunk.toString("latin1");
      if (Number.isNaN(headAt) && text.startsWith("HTTP/1.1 200")) headAt = at;
      for (const m of text.matchAll(/^id: (\d+)$/gm)) if (!seen.has(Number(m[1]))) seen.set(Number(m[1]), at);
      text = text.slice(text.lastIndexOf("\n") + 1);
      socket.pause();
      setTimeout(() => socket.resume(), 2);
    });
    cleanups.push(() => void socket.destroy());
    await until(() => stream.streams === 1);
    for (let i = 3; i < 400; i++) publish(i);
    await until(() => seen.size === 400);
    const ids = [...seen.keys()];
    expect(ids).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    // Nothing before the head has travelled, the replayed three included.
    expect(headAt - servedAt).toBeGreaterThanOrEqual(OPEN_MS);
    for (let seq = 1; seq <= 3; seq++) expect(seen.get(seq)! - servedAt, `replayed event ${seq}`).toBeGreaterThanOrEqual(OPEN_MS);
    for (let seq = 4; seq <= 400; seq++) {
      const index = seq - 1;
      expect(seen.get(seq)! - publishedAt[index]!, `event ${seq}`).toBeGreaterThanOrEqual(delayOf(index));
      // One TCP stream: never ahead of the event before it.
      expect(seen.get(seq)!, `event ${seq}`).toBeGreaterThanOrEqual(seen.get(seq - 1)!);
    }
  });
});
