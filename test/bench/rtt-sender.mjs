// Bare keep-alive POSTs from a worker thread, as the provider's webhook sender sends them: one
// connection, warmed first, then `count` POSTs `gapMs` apart (0 = back to back). Posts the RTTs (ms).
import { parentPort, workerData } from "node:worker_threads";
import { Pool } from "undici";

const { url, count, gapMs } = workerData;
const pool = new Pool(url, { connections: 1, pipelining: 1, keepAliveTimeout: 10_000 });
const post = async () => {
  const res = await pool.request({ method: "POST", path: "/webhook", headers: { "content-type": "application/json" }, body: '{"type":"payment.succeeded"}' });
  await res.body.dump();
};
for (let i = 0; i < 20; i++) await post(); // warm, like the sender's warm-up
const rtts = new Float64Array(count);
for (let i = 0; i < count; i++) {
  if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  const t = performance.now();
  await post();
  rtts[i] = performance.now() - t;
}
await pool.close();
parentPort.postMessage(rtts);
