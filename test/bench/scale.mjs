// One polling run in its own process, so its peak RSS is its own: `node test/bench/scale.mjs <payments> <arrival/s|burst> <delay>`.
// Prints one JSON line. Run by test/bench/run.mjs; needs `npm run build` first.
import { runStrategy } from "../../dist/run/strategy-run.js";
import { defaultScenario } from "../../dist/scenario/defaults.js";
import { parseDistribution } from "../../dist/scenario/distribution.js";

const [count = "10000", arrival = "burst", delay = "uniform(500ms, 4s)"] = process.argv.slice(2);
const scenario = defaultScenario();
scenario.payments.count = Number(count);
scenario.payments.arrival = arrival === "burst" ? { kind: "burst" } : { kind: "rate", perSecond: Number(arrival), source: `${arrival}/s` };
scenario.settlement.delay = parseDistribution(delay);
scenario.strategies = ["polling"];
const started = performance.now();
const r = await runStrategy(scenario, "polling", { host: "127.0.0.1", webhookPort: 0, details: false });
console.log(
  JSON.stringify({
    wallMs: performance.now() - started,
    payments: r.payments,
    latencyMs: r.latencyMs,
    model: r.model,
    requests: r.requests.total,
    health: r.health,
    // ru_maxrss of the whole process: the consumer (main thread) and the provider (worker) together.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
