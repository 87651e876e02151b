// The provider on its own in a child process, so the process's RSS is the provider's alone (issue 7,
// item 6). Forked by test/bench/load.mjs; needs `npm run build` first. Messages: it sends
// { url } once listening; on "sample" it starts recording process memory every 100 ms; on "stop"
// it sends { samples: [{ atMs, rssMb, heapMb }] } and exits.
import { startProvider } from "../../dist/provider/server.js";
import { defaultScenario } from "../../dist/scenario/defaults.js";
import { settlementRule } from "../../dist/scenario/plan.js";

const scenario = defaultScenario();
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
  } else if (msg === "stop") {
    clearInterval(timer);
    await provider.close();
    process.send({ samples }, () => process.exit(0));
  }
});
process.send({ url: provider.url });
