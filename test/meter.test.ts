import { createServer, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ServerMeter } from "../src/measure/meter.js";
import { startProvider, type Provider } from "../src/provider/server.js";
import { providerOptions } from "./helpers/provider.js";

let provider: Provider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

/** One keep-alive connection that sends a request, waits for its whole answer and reports both sizes in bytes. */
function connection(port: number): {
  exchange(request: string): Promise<{ sent: number; received: number; status: number }>;
  raw(request: string, done: (text: string) => boolean): Promise<string>;
  close(): void;
} {
  const socket: Socket = connect(port, "127.0.0.1");
  let buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    waiting?.();
  });
  return {
    exchange: (request) =>
      new Promise((resolve) => {
        waiting = () => {
          const text = buffer.toString("latin1");
          const split = text.indexOf("\r\n\r\n");
          if (split < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(text.slice(0, split))?.[1] ?? 0);
          const size = split + 4 + length;
          if (buffer.length < size) return;
          waiting = undefined;
          buffer = buffer.subarray(size);
          resolve({ sent: Buffer.byteLength(request), received: size, status: Number(text.slice(9, 12)) });
        };
        socket.write(request);
      }),
    raw: (request, done) =>
      new Promise((resolve) => {
        waiting = () => {
          const text = buffer.toString("latin1");
          if (!done(text)) return;
          waiting = undefined;
          buffer = Buffer.alloc(0);
          resolve(text);
        };
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

describe("the provider's meter", () => {
  it("charges every byte of each exchange, both ways, to its kind and none to payment creation", async () => {
    provider = await startProvider(providerOptions("fixed(10s)"));
    const port = Number(new URL(provider.url).port);
    const a = connection(port);
    const b = connection(port);
    const body = '{"amount":1000,"currency":"usd"}';
    const create = `POST /payments HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const get = (target: string, extra = "") => `GET ${target} HTTP/1.1\r\nhost: x\r\n${extra}\r\n`;
    const list = get("/payments?limit=5");
    // Plain polls (no URL parsed), polls with a query, a conditional 304, a 404 and a 400 are all
    // polls; creations before, between and after them on the same sockets must not leak into them.
    const polls = [get("/payments/pay_1"), get("/payments/pay_1?wait=0"), get("/payments/pay_1", 'if-none-match: "1.0"\r\n'), get("/payments/pay_99"), get("/payments/pay_1?nope=1"), get("/payments/%70ay_1")];
    // Exchanges of no kind (a method a route does not allow, a path with no route) count nowhere,
    // and their bytes must not land on the poll or the list after them on the same socket.
    const strays = [`DELETE /payments/pay_1 HTTP/1.1\r\nhost: x\r\n\r\n`, get("/nope"), `PUT /payments HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`];
    const sums = { poll: { in: 0, out: 0 }, list: { in: 0, out: 0 }, refused: { in: 0, out: 0 } };
    expect((await a.exchange(create)).status).toBe(201);
    const statuses: number[] = [];
    for (const poll of polls) {
      for (const socket of [a, b]) {
        const r = await socket.exchange(poll);
        statuses.push(r.status);
        sums.poll.in += r.sent;
        sums.poll.out += r.received;
      }
      expect((await b.exchange(create)).status).toBe(201);
      for (const stray of strays) statuses.push((await a.exchange(stray)).status);
      // A stream refused for its query is a refused stream, with its bytes.
      const refused = await a.exchange(get("/events?since=1"));
      expect(refused.status).toBe(400);
      sums.refused.in += refused.sent;
      sums.refused.out += refused.received;
      const l = await a.exchange(list);
      sums.list.in += l.sent;
      sums.list.out += l.received;
    }
    a.close();
    b.close();
    expect(new Set(statuses)).toEqual(new Set([200, 304, 404, 400, 405]));
    const { exchanges } = provider.snapshot();
    expect(exchanges.poll).toEqual({ requests: polls.length * 2, bytesIn: sums.poll.in, bytesOut: sums.poll.out });
    expect(exchanges.list).toEqual({ requests: polls.length, bytesIn: sums.list.in, bytesOut: sums.list.out });
    expect(exchanges["events-refused"]).toEqual({ requests: polls.length, bytesIn: sums.refused.in, bytesOut: sums.refused.out });
  });
});

describe("the provider's meter and its event streams", () => {
  it("charges plain polls answered before a stream on the same connection to the polls, and the stream's bytes to the stream", async () => {
    provider = await startProvider(providerOptions("fixed(10s)"));
    const port = Number(new URL(provider.url).port);
    const created = await fetch(`${provider.url}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' });
    expect(created.status).toBe(201);
    const a = connection(port);
    const poll = "GET /payments/pay_1 HTTP/1.1\r\nhost: x\r\n\r\n";
    const sums = { requests: 0, bytesIn: 0, bytesOut: 0 };
    for (let i = 0; i < 3; i++) {
      const r = await a.exchange(poll);
      expect(r.status).toBe(200);
      sums.requests++;
      sums.bytesIn += r.sent;
      sums.bytesOut += r.received;
    }
    // The same connection now opens a stream, which stays open: its head is written at once.
    const streamRequest = "GET /events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n";
    const head = await a.raw(streamRequest, (text) => text.includes("\r\n\r\n"));
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    const open = provider.snapshot().exchanges;
    expect(open.poll).toEqual(sums);
    expect(open.events!.requests).toBe(1);
    expect(open.events!.bytesIn).toBe(Buffer.byteLength(streamRequest));
    expect(open.events!.bytesOut).toBeGreaterThanOrEqual(Buffer.byteLength(head));
    a.close();
  });
});

describe("ServerMeter.trackAnswer and settle", () => {
  it("charges an answer sent before settle() at once and one sent after it at 'finish', exactly", async () => {
    const meter = new ServerMeter();
    let held: ServerResponse | undefined;
    const server = createServer((req, res) => {
      const later = req.url!.startsWith("/later");
      meter.trackAnswer(later ? "later" : "now", res);
      if (later) held = res;
      else res.end("answered at once");
      meter.settle(res);
    });
    meter.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connection((server.address() as AddressInfo).port);
    const sums = { now: { requests: 0, bytesIn: 0, bytesOut: 0 }, later: { requests: 0, bytesIn: 0, bytesOut: 0 } };
    for (const target of ["/now", "/later", "/now/again", "/later/again", "/now"]) {
      const kind = target.startsWith("/later") ? "later" : "now";
      const pending = socket.exchange(`GET ${target} HTTP/1.1\r\nhost: x\r\n\r\n`);
      if (kind === "later") {
        while (!held) await new Promise((r) => setImmediate(r));
        held.end("answered after the handler returned");
        held = undefined;
      }
      const r = await pending;
      expect(r.status).toBe(200);
      sums[kind].requests++;
      sums[kind].bytesIn += r.sent;
      sums[kind].bytesOut += r.received;
    }
    socket.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    const counts = meter.snapshot();
    expect(counts.now).toEqual(sums.now);
    expect(counts.later).toEqual(sums.later);
    expect(sums.now.requests).toBe(3);
  });

  it("charges the answers of a run of plain polls on a connection still open when a snapshot is taken, and only once", async () => {
    const meter = new ServerMeter();
    const server = createServer((req, res) => {
      if (req.url === "/skip") {
        meter.skip(res);
        res.end("not counted");
        return;
      }
      meter.trackAnswer(req.url!.startsWith("/a") ? "a" : "b", res);
      res.end(`answer to ${req.url}`);
      meter.settle(res);
    });
    meter.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connection((server.address() as AddressInfo).port);
    const sums = { a: { requests: 0, bytesIn: 0, bytesOut: 0 }, b: { requests: 0, bytesIn: 0, bytesOut: 0 } };
    const play = async (targets: string[]) => {
      for (const target of targets) {
        const r = await socket.exchange(`GET ${target} HTTP/1.1\r\nhost: x\r\n\r\n`);
        expect(r.status).toBe(200);
        if (target === "/skip") continue;
        const kind = target.startsWith("/a") ? "a" : "b";
        sums[kind].requests++;
        sums[kind].bytesIn += r.sent;
        sums[kind].bytesOut += r.received;
      }
    };
    // Runs of one kind, broken by the other kind and by an exchange not counted; the connection stays open.
    await play(["/a", "/a/1", "/a/22", "/b", "/a", "/skip", "/a/333", "/a", "/b/4444", "/b"]);
    expect(meter.snapshot()).toEqual({ a: sums.a, b: sums.b });
    // A second snapshot charges only what came since: nothing twice, nothing lost.
    await play(["/b", "/a/55555", "/a"]);
    expect(meter.snapshot()).toEqual({ a: sums.a, b: sums.b });
    expect(meter.snapshot()).toEqual({ a: sums.a, b: sums.b });
    socket.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("refuses a second trackAnswer() before settle(): the first exchange's bytes would be lost", () => {
    const meter = new ServerMeter();
    const res = {} as ServerResponse;
    meter.trackAnswer("poll", res);
    expect(() => meter.trackAnswer("poll", {} as ServerResponse)).toThrow(/before settle\(\) charged the previous exchange/);
  });
});
