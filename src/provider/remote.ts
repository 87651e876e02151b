import { Worker } from "node:worker_threads";
import type { LoopHealth } from "../contract/result.js";
import type { ProviderEvent } from "../contract/events.js";
import type { ProviderOptions, ProviderSnapshot } from "./server.js";

/** The provider's counts plus how its event loop fared since monitor(). */
export interface RemoteSnapshot extends ProviderSnapshot {
  health: LoopHealth;
}

/** The main thread's handle on a provider running in its own worker thread. */
export interface RemoteProvider {
  url: string;
  /** Starts (or restarts) the worker's event-loop monitor; its figures come back with the snapshot. */
  monitor(): void;
  snapshot(): Promise<RemoteSnapshot>;
  close(): Promise<void>;
}

export class ProviderStartError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Starts the provider in a worker thread and resolves once it listens. */
export function spawnProvider(options: ProviderOptions, onEvents?: (events: ProviderEvent[]) => void): Promise<RemoteProvider> {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { options, events: Boolean(onEvents) } });
  let pending: ((msg: any) => void) | undefined;
  let closed = false;
  const request = <T>(type: string, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error("provider worker is closed"));
      pending = (msg) => (msg.type === reply ? resolve(msg[reply] as T) : undefined);
      worker.once("error", reject);
      worker.postMessage({ type });
    });

  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (msg: any) => {
      if (msg.type === "events") onEvents?.(msg.events);
      else if (msg.type === "error") reject(new ProviderStartError(msg.message, msg.code));
      else if (msg.type === "ready") {
        worker.off("error", reject);
        resolve({
          url: msg.url,
          monitor: () => {
            if (!closed) worker.postMessage({ type: "monitor" });
          },
          snapshot: () => request<RemoteSnapshot>("snapshot", "snapshot"),
          async close() {
            if (closed) return;
            await request<void>("close", "closed").catch(() => undefined);
            closed = true;
            await worker.terminate();
          },
        });
      } else pending?.(msg);
    });
  });
}
