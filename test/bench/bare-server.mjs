// A bare node:http server in a worker thread, the reference for the provider's GET throughput and for
// the webhook's round trip. workerData: { body } answers every request with that JSON (200), or 204 without.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const body = workerData?.body;
const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  req.resume();
  req.on("end", () => {
    if (body === undefined) return void res.writeHead(204).end();
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (msg) => {
  if (msg === "close") {
    server.closeAllConnections();
    server.close(() => parentPort.close());
  }
});
