/**
 * Worker-thread entry of `apiwh check --jobs`: one scenario in a thread of its own, so scenarios
 * run side by side never share an event loop (each one's provider has its own thread too). Talks
 * to the main thread only through small messages (see WorkerJob, WorkerMessage in check.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RunEvent } from "../contract/events.js";
import { checkScenario, type WorkerJob, type WorkerMessage } from "./check.js";

const port = parentPort!;
const job = workerData as WorkerJob;
const controller = new AbortController();
port.on("message", (msg: { type: string }) => {
  if (msg.type === "abort") controller.abort();
});

let buffer: RunEvent[] = [];
let timer: NodeJS.Timeout | undefined;
const post = (msg: WorkerMessage) => port.postMessage(msg);
function flush(): void {
  timer = undefined;
  if (buffer.length > 0) post({ type: "events", events: buffer });
  buffer = [];
}
// Batched every 50 ms, as the provider's worker batches its own: cheap for the measured loop.
const onEvent = job.watch
  ? (event: RunEvent) => {
      buffer.push(event);
      timer ??= setTimeout(flush, 50);
    }
  : undefined;

const entry = await checkScenario(job.file, job.shown, { ...job.options, signal: controller.signal, onEvent });
if (timer) clearTimeout(timer);
flush();
post({ type: "done", entry });
port.close();
