// The provider on its own in a child process, so the process's RSS and CPU time are the provider's
// alone (issue 7, item 6; issue 18). Forked by test/bench/load.mjs and throughput.mjs; needs
// `npm run build` first. argv[2]: the dist directory to load (default this checkout's). Messages: it
// sends { url } once listening; on "sample" it starts recording process memory every 100 ms; on
// "cpu" it sends { cpu: process.cpuUsage() }; on "stop" it sends { samples: [{ atMs, rssMb, heapMb }] }
// and exits.
const dist = process.argv[2] ?? new URL("../../dist", import.meta.url).href;
const { startProvider } = await import(`${dist}/provider/server.js`);
const { defaultScenario } = await import(`${dist}/scenario/defaults.js`);
const { settlementRule } = await import(`${dist}/scenario/plan.js`);
const { parseDistribution } = await import(`${dist}/scenario/distribution.js`);

const scenario = defaultScenario();
// With a dist given (the cost per poll), payments stay pending for the whole measurement.
if (process.argv[2]) scenario.settlement.delay = parseDistribution("fixed(10m)");
const provider = await startProvider({
  host: "127.0.0.1",
  port: 0,
  settlement: settlementRule(scenario),
  speed: 1,
  network: { latencyMs: 0, jitterMs: 0 },
  webhook: scenario.webhook,
});
const samples = [];
let timer;
process.on("message", async (msg) => {
  if (msg === "sample") {
    const t0 = performance.now();
    const take = () => {
      const m = process.memoryUsage();
      samples.push({ atMs: performance.now() - t0, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 });
    };
    take();
    timer = setInterval(take, 100);
  } else if (msg === "cpu") {
    process.send({ cpu: process.cpuUsage() });
  } else if (msg === "stop") {
    clearInterval(timer);
    await provider.close();
    process.send({ samples }, () => process.exit(0));
  }
});
process.send({ url: provider.url });
