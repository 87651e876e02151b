// A bare node:http server, the reference for the provider's GET throughput and for the webhook's
// round trip. In a worker thread (workerData) or a child process of its own (argv[2], JSON), as the
// provider it is set against runs. { body, headers } answers every request with that JSON (200) and
// those extra headers (the provider's ETag: the same bytes), or 204 without a body.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { body, headers = {} } = (parentPort ? workerData : JSON.parse(process.argv[2] ?? "{}")) ?? {};
const send = (msg) => (parentPort ? parentPort.postMessage(msg) : process.send(msg));
const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  req.resume();
  req.on("end", () => {
    if (body === undefined) return void res.writeHead(204).end();
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => send({ port: server.address().port }));
(parentPort ?? process).on("message", (msg) => {
  if (msg === "close") {
    server.closeAllConnections();
    server.close(() => (parentPort ? parentPort.close() : process.exit(0)));
  }
});
