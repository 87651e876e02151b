// Load checks for `npm run bench` (issue 7, item 6): nothing lost, nothing counted twice, nothing
// leaking under sustained load. Each returns plain figures; run.mjs turns them into rows and goals.
import { fork } from "node:child_process";
import autocannon from "autocannon";
import { Pool, request } from "undici";
import { monotonicClock } from "../../dist/measure/clock.js";
import { generateSecret, signStandard, standardKey } from "../../dist/webhooks/signature.js";
import { WebhookReceiver } from "../../dist/strategies/receiver.js";

/**
 * `unique` validly signed deliveries, each with its own webhook-id, plus `resends` of ids already in
 * the batch (every tenth, byte for byte the same), all sent at once over as many connections as
 * there are deliveries. The receiver must process each id exactly once and count each re-send as a
 * duplicate; a re-send may overtake its original, which then is the duplicate: the counts hold either way.
 */
export async function receiverLoad(unique = 1000, resends = 100) {
  const processed = new Map();
  let duplicates = 0;
  const receiver = new WebhookReceiver({
    host: "127.0.0.1",
    port: 0,
    path: "/webhook",
    signature: "standard-webhooks",
    clock: monotonicClock,
    onDelivery: (d) => {
      if (d.duplicate) duplicates++;
      else processed.set(d.webhookId, (processed.get(d.webhookId) ?? 0) + 1);
    },
  });
  const url = new URL(await receiver.start());
  const secret = generateSecret();
  receiver.setSecret(secret);
  const key = standardKey(secret);
  const timestamp = Math.floor(Date.now() / 1000);
  const deliveries = [];
  for (let i = 1; i <= unique; i++) {
    const id = `evt_load_${i}`;
    const body = JSON.stringify({ type: "payment.succeeded", timestamp: new Date().toISOString(), data: { id: `pay_${i}`, object: "payment", status: "succeeded" } });
    deliveries.push({ body, headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signStandard(key, id, timestamp, body) } });
  }
  for (let i = 0; i < resends; i++) deliveries.push(deliveries[(i * Math.floor(unique / resends)) % unique]);
  const pool = new Pool(url.origin, { connections: deliveries.length, pipelining: 1 });
  const started = performance.now();
  const statuses = await Promise.all(
    deliveries.map(async ({ body, headers }) => {
      try {
        const res = await pool.request({ method: "POST", path: url.pathname, headers, body });
        await res.body.dump();
        return res.statusCode;
      } catch {
        return 0;
      }
    }),
  );
  const ms = performance.now() - started;
  await pool.close();
  await receiver.stop();
  const twice = [...processed.values()].filter((n) => n > 1).length;
  return {
    sent: deliveries.length,
    answered204: statuses.filter((s) => s === 204).length,
    processed: processed.size,
    processedTwice: twice,
    duplicates,
    receiverDuplicates: receiver.duplicates,
    rejected: receiver.rejectedTotal,
    lost: unique - processed.size,
    ms,
  };
}

/**
 * The provider alone in a child process, 1,000 payments settling as the default scenario settles
 * them, and autocannon cycling through all their ids as fast as it can for `seconds`. Memory is
 * sampled every 100 ms; growth is the highest RSS after second 2 minus the RSS at second 2 (the
 * first two seconds are warm-up: JIT, socket buffers, the heap finding its size).
 */
export async function providerLoad(seconds = 10, payments = 1000) {
  const child = fork(new URL("./provider-process.mjs", import.meta.url), { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise((resolve, reject) => (child.once("message", resolve), child.once("error", reject)));
  const { url } = await next();
  for (let i = 0; i < payments; i++) {
    const res = await request(`${url}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' });
    await res.body.dump();
  }
  const requests = Array.from({ length: payments }, (_, i) => ({ method: "GET", path: `/payments/pay_${i + 1}` }));
  child.send("sample");
  const result = await autocannon({ url, connections: 16, pipelining: 1, duration: seconds, requests });
  const stopped = next();
  child.send("stop");
  const { samples } = await stopped;
  const at = (ms) => samples.find((s) => s.atMs >= ms) ?? samples[samples.length - 1];
  const later = samples.filter((s) => s.atMs > 2000);
  const peak = Math.max(...later.map((s) => s.rssMb));
  return {
    requests: result.requests.total,
    perSecond: result.requests.average,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    rssAt2: at(2000).rssMb,
    rssPeak: peak,
    rssEnd: samples[samples.length - 1].rssMb,
    growthMb: peak - at(2000).rssMb,
    heapAt2: at(2000).heapMb,
    heapEnd: samples[samples.length - 1].heapMb,
  };
}
