import { Worker } from "node:worker_threads";
import type { ProviderEvent, ProviderOptions, ProviderSnapshot } from "./server.js";

/** The main thread's handle on a provider running in its own worker thread. */
export interface RemoteProvider {
  url: string;
  snapshot(): Promise<ProviderSnapshot>;
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
          snapshot: () => request<ProviderSnapshot>("snapshot", "snapshot"),
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
