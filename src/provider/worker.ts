/**
 * Worker-thread entry: runs the provider apart from the consumer, so neither side's event loop
 * delays the other's timestamps. Talks to the main thread only through small messages.
 */
import { parentPort, workerData } from "node:worker_threads";
import { LoopMonitor } from "../measure/health.js";
import type { ProviderEvent } from "../contract/events.js";
import { startProvider, type ProviderOptions } from "./server.js";

const port = parentPort!;
const { options, events } = workerData as { options: ProviderOptions; events: boolean };

let buffer: ProviderEvent[] = [];
let flushTimer: NodeJS.Timeout | undefined;
function flush(): void {
  flushTimer = undefined;
  if (buffer.length === 0) return;
  port.postMessage({ type: "events", events: buffer });
  buffer = [];
}
// Events are batched every 20 ms: plenty for a live view at 10+ frames a second, cheap for the loop.
const onEvent = events
  ? (e: ProviderEvent) => {
      buffer.push(e);
      flushTimer ??= setTimeout(flush, 20);
    }
  : undefined;

try {
  const provider = await startProvider(options, onEvent);
  // Started by the consumer at t0, so the figures cover the run and not the worker's own start-up.
  const monitor = new LoopMonitor();
  port.on("message", async (msg: { type: string }) => {
    if (msg.type === "monitor") monitor.start();
    else if (msg.type === "snapshot") {
      flush();
      port.postMessage({ type: "snapshot", snapshot: { ...provider.snapshot(), health: monitor.stop() } });
    } else if (msg.type === "close") {
      await provider.close();
      flush();
      port.postMessage({ type: "closed" });
      port.close();
    }
  });
  port.postMessage({ type: "ready", url: provider.url });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  port.postMessage({ type: "error", code: e.code ?? "", message: e.message });
  port.close();
}
