// A short compare with the live view on stderr, the results table on stdout: what
// `apiwh compare --live` does, for the tmux end-to-end test until the flag is wired.
// Needs a build (`npx tsc -p .`).
import { makePalette, colorEnabled } from "../../dist/render/color.js";
import { liveHorizonMs } from "../../dist/render/live-frame.js";
import { renderTable } from "../../dist/render/table.js";
import { compare } from "../../dist/run/compare.js";
import { Timeline } from "../../dist/run/timeline.js";
import { defaultScenario } from "../../dist/scenario/defaults.js";
import { startLiveView } from "../../dist/views/live.js";

const scenario = { ...defaultScenario(), payments: { count: 8, arrival: { kind: "burst" } }, speed: 2 };
const timeline = new Timeline(scenario.speed);
const view = process.stderr.isTTY
  ? startLiveView(process.stderr, timeline, {
      color: colorEnabled(process.stderr, process.env),
      horizonMs: liveHorizonMs(scenario),
      speed: scenario.speed,
      strategies: scenario.strategies,
    })
  : undefined;
let result;
try {
  result = await compare(scenario, { host: "127.0.0.1", webhookPort: 0, details: false, onEvent: timeline.listener });
} finally {
  view?.stop();
}
process.stdout.write(renderTable(result, makePalette(colorEnabled(process.stdout, process.env))) + "\n");
