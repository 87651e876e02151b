// Throughput and cost per request for `npm run bench` (issue 18): alternating windows of a lean
// closed-loop client (loader.mjs) against two servers, the standalone `apiwh provider` as a user
// starts it, and CPU time per request on each side of a poll. Each returns plain figures; run.mjs
// turns them into rows and goals.
import { fork, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Pool, request } from "undici";
import { loadTarget } from "./loader.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

export const median = (xs) => {
  const s = Float64Array.from(xs).sort();
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * `pairs` alternating pairs of `ms` windows against `ours` and `bare` (bare, ours, ours, bare, …),
 * each target on 16 keep-alive connections of its own (loader.mjs), after a warm-up of a second
 * each. The ratio is the median of the pairs' ratios: on a shared 2-core machine anything else
 * running lands on a few short windows, which the median leaves out, rather than on one side of a
 * long pair. Windows of 200 ms: one bare server set against a second this way read 0.99–1.03× in
 * six runs (0.99–1.02× with 60 pairs); windows of 1 s favoured whichever server ran first by 2–4%.
 */
export async function alternate(urls, pairs, ms) {
  const targets = { ours: await loadTarget(urls.ours), bare: await loadTarget(urls.bare) };
  try {
    await targets.ours.window(1000);
    await targets.bare.window(1000);
    const rates = { ours: [], bare: [] };
    const ratios = [];
    for (let i = 0; i < pairs; i++) {
      for (const side of i % 2 === 0 ? ["bare", "ours"] : ["ours", "bare"]) rates[side].push(await targets[side].window(ms));
      ratios.push(rates.ours[i] / rates.bare[i]);
    }
    return { ratio: median(ratios), ratios, ours: median(rates.ours), bare: median(rates.bare), answerBytes: { ours: targets.ours.answerBytes, bare: targets.bare.answerBytes } };
  } finally {
    targets.ours.close();
    targets.bare.close();
  }
}

/** A bare node:http server in a child process of its own, answering `body` with `headers`. */
export async function bareProcess(body, headers) {
  const child = fork(new URL("./bare-server.mjs", import.meta.url), [JSON.stringify({ body, headers })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const { port } = await new Promise((resolve, reject) => (child.once("message", resolve), child.once("error", reject)));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => (child.once("exit", resolve), child.send("close"))) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

/**
 * `apiwh provider [...args]` as a user starts it, its stdout going to /dev/null (the log is written
 * all the same), on a port found free just before. Resolves once it answers.
 */
export async function standaloneProvider(args) {
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/apiwh.js", "provider", "--port", String(port), ...args], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      await (await request(`${url}/payments?limit=1`)).body.dump();
      break;
    } catch (err) {
      if (tries > 100 || child.exitCode !== null) throw new Error(`apiwh provider ${args.join(" ")} did not start: ${err.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    close: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", resolve), child.kill("SIGINT")))),
  };
}

/**
 * Creates one payment, waits until it has settled (its answer will not change again) and returns
 * its URL, body and ETag: what a bare server must answer to send the same bytes.
 */
export async function onePayment(providerUrl) {
  const created = await request(`${providerUrl}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' });
  const { id } = await created.body.json();
  for (const started = performance.now(); ; await new Promise((r) => setTimeout(r, 100))) {
    const res = await request(`${providerUrl}/payments/${id}`);
    const body = await res.body.text();
    if (JSON.parse(body).status !== "pending") return { id, path: `/payments/${id}`, body, etag: res.headers.etag };
    if (performance.now() - started > 15_000) throw new Error(`${id} still pending after 15 s`);
  }
}

/**
 * c, the CPU time one poll costs each side (user + system, µs per request). The provider runs alone
 * in a child process (provider-process.mjs) holding `payments` pending payments; this process polls
 * them through the consumer's own read path (poolReads over an undici Pool of `connections`),
 * `inFlight` at a time, `total` polls in all, and nothing else. Each side's CPU delta over the
 * polls, divided by the polls, is its c.
 */
export async function costPerPoll({ dist, total = 60_000, payments = 1000, connections = 32, inFlight = 64 }) {
  const { poolReads } = await import(`${dist}/strategies/api-client.js`);
  const child = fork(new URL("./provider-process.mjs", import.meta.url), [dist], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise((resolve, reject) => (child.once("message", resolve), child.once("error", reject)));
  const { url } = await next();
  // Slow settlements keep every payment pending: each poll is the same plain 200 the burst repeats.
  for (let i = 0; i < payments; i++) await (await request(`${url}/payments`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"amount":1000,"currency":"usd"}' })).body.dump();
  const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
  const reads = poolReads(pool);
  const paths = Array.from({ length: payments }, (_, i) => `/payments/pay_${i + 1}`);
  const run = (count) =>
    new Promise((resolve) => {
      let sent = 0;
      let answered = 0;
      let ok = 0;
      const sink = {
        answered(_slot, answer) {
          answered++;
          if (answer.http === 200 && answer.paymentStatus) ok++;
          if (sent < count) send();
          else if (answered === count) resolve(ok);
        },
      };
      const send = () => reads.read(paths[sent++ % payments], undefined, sink, 0, 0);
      for (let i = 0; i < Math.min(inFlight, count); i++) send();
    });
  await run(5000); // warm both sides: JIT, sockets
  child.send("cpu");
  const providerBefore = await next();
  const consumerBefore = process.cpuUsage();
  const started = performance.now();
  const ok = await run(total);
  const wallMs = performance.now() - started;
  const consumer = process.cpuUsage(consumerBefore);
  child.send("cpu");
  const providerAfter = await next();
  await pool.close();
  const stopped = next();
  child.send("stop");
  await stopped;
  const providerUs = providerAfter.cpu.user + providerAfter.cpu.system - providerBefore.cpu.user - providerBefore.cpu.system;
  return { total, ok, wallMs, providerUs: providerUs / total, consumerUs: (consumer.user + consumer.system) / total };
}
