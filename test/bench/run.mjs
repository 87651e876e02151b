#!/usr/bin/env node
// `npm run bench`: the tool's own overhead, measured side by side with a bare reference in one run on
// this machine, as ratios with goals (issue 6). Not part of `npm test`. Exits 1 when a goal is missed.
// Needs a build (`npm run build`); stdout gets the table, stderr the progress.
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { runStrategy } from "../../dist/run/strategy-run.js";
import { defaultScenario } from "../../dist/scenario/defaults.js";
import { spawnProvider } from "../../dist/provider/remote.js";
import { settlementRule } from "../../dist/scenario/plan.js";
import { providerLoad, receiverLoad } from "./load.mjs";
import { alternate, bareProcess, costPerPoll, onePayment, standaloneProvider } from "./throughput.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (xs) => {
  const s = Float64Array.from(xs).sort();
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = [];
/** ratio = measured / reference; `goal` is a predicate on the ratio with its words. */
function row(what, measured, reference, unit, goal, words) {
  const ratio = reference ? measured / reference : NaN;
  rows.push({ what, measured: fmt(measured, unit), reference: reference ? fmt(reference, unit) : "–", ratio: reference ? `${ratio.toFixed(2)}×` : "–", goal: words, ok: goal(ratio, measured) });
}
function fmt(v, unit) {
  if (unit === "ms") return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(3)} ms`;
  if (unit === "req/s") return `${Math.round(v).toLocaleString("en-US")} req/s`;
  if (unit === "MB") return `${v.toFixed(0)} MB`;
  return String(v);
}
function worker(file, workerData) {
  const w = new Worker(new URL(file, import.meta.url), { workerData });
  return { w, first: new Promise((resolve, reject) => (w.once("message", resolve), w.once("error", reject))) };
}

// 1. Webhook detection p50 against a bare keep-alive POST round trip on loopback.
async function webhook() {
  const n = 200;
  log(`webhook: ${n} payments, default settlement (uniform 0.5–4 s)`);
  const scenario = { ...defaultScenario(), strategies: ["webhook"] };
  scenario.payments = { count: n, arrival: { kind: "burst" } };
  const r = await runStrategy(scenario, "webhook", { host: "127.0.0.1", webhookPort: 0, details: false });
  const p50 = r.latencyMs.p50;
  // The reference sends the way the provider does (from a worker thread, one warm keep-alive
  // connection, to a server in the other thread), spaced as the deliveries were: 200 settlements
  // over 3.5 s. Back to back from the same thread it is faster (both threads stay hot), which is
  // also shown: no isolated event gets that.
  const sink = worker("./bare-server.mjs", {});
  const { port } = await sink.first;
  const url = `http://127.0.0.1:${port}`;
  const gapMs = Math.round(3500 / n);
  const spaced = worker("./rtt-sender.mjs", { url, count: 200, gapMs });
  const spacedRtt = median(await spaced.first);
  const hot = worker("./rtt-sender.mjs", { url, count: 2000, gapMs: 0 });
  const hotRtt = median(await hot.first);
  sink.w.postMessage("close");
  await Promise.all([spaced.w.terminate(), hot.w.terminate(), sink.w.terminate()]);
  row(`webhook detection p50 vs bare POST RTT (${gapMs} ms apart)`, p50, spacedRtt, "ms", (x) => x <= 2, "≤ 2×");
  row("webhook detection p50 vs bare POST RTT (back to back)", p50, hotRtt, "ms", () => true, "(info)");
  return r;
}

// 2. Polling mean latency over 10,000 payments against T/2 + the measured one-way delay.
function polling() {
  // Created at 2,000/s rather than in one burst: a burst of 10,000 creations queues the first polls
  // behind them for a second or more, which the health warning reports and the model leaves out.
  // Delays of 2–5 s span three whole intervals, so the settlement's phase within an interval is uniform.
  log("polling: 10,000 payments at 2,000/s, settling uniform(2s, 5s), polled every 1 s");
  const out = execFileSync(process.execPath, [new URL("./scale.mjs", import.meta.url).pathname, "10000", "2000", "uniform(2s, 5s)"], { encoding: "utf8" });
  const r = JSON.parse(out);
  const oneWay = (r.health.consumer.roundTripMs?.p50 ?? 0) / 2;
  const model = r.model.latencyMs.mean + oneWay;
  row(`polling mean vs model (T/2 for the draws + ${oneWay.toFixed(2)} ms one way)`, r.latencyMs.mean, model, "ms", (x) => Math.abs(x - 1) <= 0.03, "within 3%");
  return r;
}

// 3. Peak RSS and event-loop delay: 10,000 payments created at once, polled every second.
function scale() {
  log("scale: 10,000 payments created at once, polled every 1 s");
  const r = JSON.parse(execFileSync(process.execPath, [new URL("./scale.mjs", import.meta.url).pathname, "10000", "burst"], { encoding: "utf8" }));
  const complete = r.payments.detected === r.payments.total;
  row(`peak RSS, 10,000 payments at once (${complete ? "all detected" : `${r.payments.missed} missed`})`, r.peakRssMb, 0, "MB", (_x, v) => complete && v < 300, "< 300 MB");
  const worst = Math.max(r.health.provider?.eventLoopDelayMs.p99 ?? Infinity, r.health.consumer.eventLoopDelayMs.p99);
  row("event-loop delay p99, worse side, same run", worst, 0, "ms", (_x, v) => v < 50, "< 50 ms");
  return r;
}

// 4. GET /payments/:id throughput, the provider as `compare` runs it (in a worker thread) against a
// bare node:http server in a worker thread answering the same bytes (JSON and ETag), loaded by a
// lean closed-loop client (loader.mjs: 16 keep-alive connections each) in short alternating windows
// (bare, provider, provider, bare, …); the row shows the median of the pairs' ratios.
// Pairs per throughput row and their windows: see alternate() in throughput.mjs. With 60 pairs the
// instrument check (a bare server against a second) read 0.99–1.02× across seven runs; the rows
// take 100, 40 s of windows each.
const THROUGHPUT_PAIRS = 100;
const WINDOW_MS = 200;

async function throughput() {
  const pairs = THROUGHPUT_PAIRS;
  log(`throughput: ${pairs} alternating pairs of ${WINDOW_MS} ms windows against the provider and a bare server, 16 connections each (${loadAverage()})`);
  const provider = await spawnProvider({
    host: "127.0.0.1",
    port: 0,
    settlement: settlementRule(defaultScenario()),
    speed: 1,
    network: { latencyMs: 0, jitterMs: 0 },
    webhook: defaultScenario().webhook,
  });
  const payment = await onePayment(provider.url);
  const bare = worker("./bare-server.mjs", { body: payment.body, headers: { etag: payment.etag } });
  const { port } = await bare.first;
  const r = await alternate({ ours: `${provider.url}${payment.path}`, bare: `http://127.0.0.1:${port}${payment.path}` }, pairs, WINDOW_MS);
  bare.w.postMessage("close");
  await bare.w.terminate();
  await provider.close();
  log(`throughput: pair ratios ${r.ratios.map((x) => x.toFixed(2)).join(" ")}; answers ${r.answerBytes.ours} B against ${r.answerBytes.bare} B`);
  throughputRow(`provider GET /payments/:id vs bare node:http (median of ${pairs} pairs)`, r, 0.95);
}

/** A throughput row; without a `goal` it is information (the instrument check, whose exact value is 1). */
function throughputRow(what, r, goal) {
  // Three decimals: at two, 0.9496 would read 0.95× beside a goal of ≥ 0.95× it missed.
  const ratio = `${r.ratio.toFixed(3)}×`;
  if (goal === undefined) return void rows.push({ what, measured: fmt(r.ours, "req/s"), reference: fmt(r.bare, "req/s"), ratio, goal: "(info: 1.000× is exact)", ok: true });
  rows.push({ what, measured: fmt(r.ours, "req/s"), reference: fmt(r.bare, "req/s"), ratio, goal: `≥ ${goal}×`, ok: r.ratio >= goal });
}

function loadAverage() {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`;
}

// 4b. The standalone `apiwh provider --quiet`, started as a user starts it and loaded from outside
// by the same client, against a bare node:http server in a process of its own answering the same bytes;
// then what its per-request log costs: `apiwh provider` (log on, to /dev/null) against `--quiet`.
async function standalone() {
  const pairs = THROUGHPUT_PAIRS;
  log(`standalone: apiwh provider --quiet against a bare server, ${pairs} alternating pairs of ${WINDOW_MS} ms windows (${loadAverage()})`);
  const quiet = await standaloneProvider(["--quiet"]);
  const payment = await onePayment(quiet.url);
  const bare = await bareProcess(payment.body, { etag: payment.etag });
  // The instrument's own error first: a second bare server set against the first, the same way.
  const twin = await bareProcess(payment.body, { etag: payment.etag });
  const c = await alternate({ ours: `${twin.url}${payment.path}`, bare: `${bare.url}${payment.path}` }, pairs, WINDOW_MS);
  await twin.close();
  log(`standalone: bare against bare, pair ratios ${c.ratios.map((x) => x.toFixed(2)).join(" ")}`);
  throughputRow(`instrument check: bare node:http vs a second one (median of ${pairs} pairs)`, c);
  const r = await alternate({ ours: `${quiet.url}${payment.path}`, bare: `${bare.url}${payment.path}` }, pairs, WINDOW_MS);
  await bare.close();
  log(`standalone: pair ratios ${r.ratios.map((x) => x.toFixed(2)).join(" ")}; answers ${r.answerBytes.ours} B against ${r.answerBytes.bare} B`);
  throughputRow(`apiwh provider --quiet vs bare node:http (median of ${pairs} pairs)`, r, 0.95);
  log(`standalone: apiwh provider with its log (to /dev/null) against --quiet (${loadAverage()})`);
  const logging = await standaloneProvider([]);
  const logged = await onePayment(logging.url);
  const l = await alternate({ ours: `${logging.url}${logged.path}`, bare: `${quiet.url}${payment.path}` }, pairs, WINDOW_MS);
  await Promise.all([logging.close(), quiet.close()]);
  log(`standalone: pair ratios ${l.ratios.map((x) => x.toFixed(2)).join(" ")}`);
  throughputRow(`apiwh provider, log on (to /dev/null) vs --quiet (median of ${pairs} pairs)`, l, 0.8);
}

// 4c. c, the CPU time one plain poll costs each side (provider alone in a process, the consumer's
// own read path in this one), in µs per request: a burst of N polls takes about N·c to drain on each side.
async function cost() {
  const runs = 3;
  const total = 60_000;
  log(`cost: ${runs} runs of ${total.toLocaleString("en-US")} polls over 32 connections, CPU time of each side (${loadAverage()})`);
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(await costPerPoll({ dist: new URL("../../dist", import.meta.url).href, total }));
  const allAnswered = xs.every((x) => x.ok === x.total);
  const provider = median(xs.map((x) => x.providerUs));
  const consumer = median(xs.map((x) => x.consumerUs));
  log(`cost: provider ${xs.map((x) => x.providerUs.toFixed(1)).join(" ")} µs, consumer ${xs.map((x) => x.consumerUs.toFixed(1)).join(" ")} µs`);
  const us = (v) => `${v.toFixed(1)} µs`;
  rows.push({ what: `c per side: provider CPU per plain poll served (median of ${runs})`, measured: us(provider), reference: "–", ratio: "–", goal: "(info)", ok: allAnswered });
  rows.push({ what: `c per side: consumer CPU per poll sent and read (median of ${runs})`, measured: us(consumer), reference: "–", ratio: "–", goal: "(info)", ok: allAnswered });
}

// 4d. The largest burst the real clock runs faithfully: N payments created at once, polled every
// 1 s, faithful when the polling mean is within 3% of the model (plus the measured one-way delay)
// and the requests within 1% of the model's. Found by bisection between 1,000 and 20,000: 5,000
// (the goal) first, then halving the interval, to the nearest 500, for at most ~3 minutes.
function burst() {
  const started = performance.now();
  const tried = [];
  const faithful = (n) => {
    const r = JSON.parse(execFileSync(process.execPath, [new URL("./scale.mjs", import.meta.url).pathname, String(n), "burst"], { encoding: "utf8" }));
    const oneWay = (r.health.consumer.roundTripMs?.p50 ?? 0) / 2;
    const mean = r.latencyMs.mean / (r.model.latencyMs.mean + oneWay);
    const requests = r.requests / r.model.requests.total;
    const ok = r.payments.detected === r.payments.total && Math.abs(mean - 1) <= 0.03 && Math.abs(requests - 1) <= 0.01;
    tried.push(`${n.toLocaleString("en-US")} ${ok ? "faithful" : "not"} (mean ${mean.toFixed(3)}×, requests ${requests.toFixed(3)}×)`);
    log(`burst: ${tried[tried.length - 1]} (${loadAverage()})`);
    return ok;
  };
  log("burst: N payments created at once, polled every 1 s; bisection between 1,000 and 20,000");
  let lo = 1000;
  let hi = 20_000;
  let probe = 5000;
  while (hi - lo > 500 && performance.now() - started < 180_000) {
    if (faithful(probe)) lo = probe;
    else hi = probe;
    probe = Math.round((lo + hi) / 2 / 500) * 500;
    if (probe <= lo || probe >= hi) break;
  }
  // Nothing at or above 1,000 was shown faithful: the row says so rather than claim the bound.
  const shown = tried.some((t) => t.startsWith(`${lo.toLocaleString("en-US")} faithful`));
  rows.push({
    what: `largest faithful burst, polled every 1 s (mean within 3%, requests within 1%; ${tried.length} runs)`,
    measured: shown ? `${lo.toLocaleString("en-US")} payments` : `< ${hi.toLocaleString("en-US")} payments`,
    reference: "–",
    ratio: "–",
    goal: "≥ 5,000",
    ok: shown && lo >= 5000,
  });
}

// 6. Load (issue 7): the receiver under a burst of concurrent deliveries with re-sends; the provider
// under autocannon for 10 s, with its process's memory sampled.
async function load() {
  log("load: 1,000 concurrent signed deliveries plus 100 re-sends to a webhook receiver");
  const r = await receiverLoad(1000, 100);
  const exact = r.processed === 1000 && r.processedTwice === 0 && r.duplicates === 100 && r.receiverDuplicates === 100 && r.rejected === 0 && r.answered204 === r.sent;
  rows.push({
    what: `receiver: 1,000 concurrent deliveries + 100 re-sends (${fmt(r.ms, "ms")}, ${r.answered204.toLocaleString("en-US")} × 204)`,
    measured: `${r.processed.toLocaleString("en-US")} once, ${r.duplicates} dup${r.rejected ? `, ${r.rejected} rejected` : ""}${r.processedTwice ? `, ${r.processedTwice} twice` : ""}`,
    reference: "–",
    ratio: "–",
    goal: "1,000 once, 100 dup, none lost",
    ok: exact,
  });
  const seconds = 10;
  log(`load: autocannon against the provider for ${seconds} s, memory sampled every 100 ms`);
  const p = await providerLoad(seconds);
  const failed = p.errors + p.timeouts + p.non2xx;
  rows.push({
    what: `provider under autocannon ${seconds} s (${fmt(p.perSecond, "req/s")}): errors, timeouts, non-2xx`,
    measured: `${failed} of ${p.requests.toLocaleString("en-US")}`,
    reference: "–",
    ratio: "–",
    goal: "0",
    ok: failed === 0 && p.requests > 0,
  });
  rows.push({
    what: `provider RSS growth, second 2 → ${seconds} of that load (${fmt(p.rssAt2, "MB")} → peak ${fmt(p.rssPeak, "MB")})`,
    measured: `${p.growthMb >= 0 ? "+" : ""}${p.growthMb.toFixed(1)} MB`,
    reference: "–",
    ratio: "–",
    goal: "< 50 MB",
    ok: p.growthMb < 50,
  });
  log(`load: provider heap ${p.heapAt2.toFixed(1)} MB at second 2, ${p.heapEnd.toFixed(1)} MB at the end; RSS at the end ${p.rssEnd.toFixed(1)} MB`);
}

// 5. Cold start: `apiwh --version` against `node -e ""`, alternating (node, apiwh, node, apiwh, …)
// so that whatever else the shared machine runs lands on both sides alike; the row is the median
// of the rounds' ratios. `--version` loads only the entry and the version (test/cold-start.e2e.test.ts).
function coldStart() {
  const rounds = 25;
  log(`cold start: ${rounds} alternating rounds of node -e "" and apiwh --version`);
  const time = (args) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return performance.now() - t;
  };
  time(["bin/apiwh.js", "--version"]); // warm the file cache
  const nodes = [];
  const apiwhs = [];
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    const node = time(["-e", ""]);
    const apiwh = time(["bin/apiwh.js", "--version"]);
    nodes.push(node);
    apiwhs.push(apiwh);
    ratios.push(apiwh / node);
  }
  const ratio = median(ratios);
  rows.push({ what: `apiwh --version cold start vs node -e "" (median of ${rounds} alternating rounds)`, measured: fmt(median(apiwhs), "ms"), reference: fmt(median(nodes), "ms"), ratio: `${ratio.toFixed(2)}×`, goal: "≤ 1.3×", ok: ratio <= 1.3 });
}

// 6. The virtual clock at scale: ten million payments arriving at 120/s, the default strategies,
// in its own process (the CLI as a user runs it), wall time and peak RSS, with its CPU time beside
// (what the wall time comes to when the machine is not shared). RSS and CPU from /usr/bin/time
// where it exists, else the process's own resource usage printed at exit by a preload.
function virtualScale() {
  const payments = 10_000_000;
  log(`virtual clock: compare --clock virtual --payments ${payments} --arrival 120/s`);
  const args = ["bin/apiwh.js", "compare", "--clock", "virtual", "--payments", String(payments), "--arrival", "120/s", "--format", "json"];
  const gnuTime = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { encoding: "utf8" }).status === 0;
  const preload = "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\n'+[u.maxRSS,u.userCPUTime/1e6,u.systemCPUTime/1e6].join(' ')+'\\n')})";
  const t = performance.now();
  const r = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%M %U %S", process.execPath, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 2 ** 20 })
    : spawnSync(process.execPath, ["--import", preload, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`apiwh ${args.slice(1).join(" ")} exited ${r.status}: ${r.stderr}`);
  const [rssKb, user, system] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  const rssMb = rssKb / 1024;
  const result = JSON.parse(r.stdout);
  const complete = result.strategies.every((s) => s.payments.total === payments);
  const what = `virtual clock, ${payments.toLocaleString("en-US")} payments at 120/s (${result.strategies.map((s) => s.name).join(", ")})`;
  rows.push({ what: `${what}: wall time (${(user + system).toFixed(1)} s CPU)`, measured: `${(wallMs / 1000).toFixed(2)} s`, reference: "–", ratio: "–", goal: "≤ 10 s", ok: complete && wallMs <= 10_000 });
  row("virtual clock, same run: peak RSS", rssMb, 0, "MB", (_x, v) => complete && v <= 1024, "≤ 1 GB");
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown CPU";
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout.trim() || String(cpus().length);
  return `${cpu}, nproc ${nproc}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform} ${process.arch}`;
}

function render() {
  const head = ["measure", "measured", "reference", "ratio", "goal", ""];
  const body = rows.map((r) => [r.what, r.measured, r.reference, r.ratio, r.goal, r.ok ? "ok" : "MISSED"]);
  const widths = head.map((_, i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 || i === 4 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 || i === 4 || i === 5 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|")}|`, ...body.map(line)].join("\n");
}

// `node test/bench/run.mjs throughput load` runs only the sections named; none named runs them all.
const sections = { webhook, polling, scale, throughput, standalone, cost, burst, load, coldStart, virtualScale };
const chosen = process.argv.slice(2);
for (const name of chosen) if (!(name in sections)) throw new Error(`unknown section "${name}"; expected ${Object.keys(sections).join(", ")}`);
for (const [name, run] of Object.entries(sections)) if (chosen.length === 0 || chosen.includes(name)) await run();
process.stdout.write(`apiwh bench · ${machine()}\n\n${render()}\n`);
const missed = rows.filter((r) => !r.ok);
if (missed.length > 0) {
  process.stdout.write(`\n${missed.length} goal${missed.length === 1 ? "" : "s"} missed: ${missed.map((r) => r.what).join("; ")}\n`);
  process.exitCode = 1;
}
