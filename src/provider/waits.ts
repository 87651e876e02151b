import type { Socket } from "node:net";
import { monotonicNow } from "../measure/clock.js";

/** A wait in progress: `done` settles when it ends, whatever ended it; `cancel` ends it now. */
export interface Wait {
  done: Promise<void>;
  cancel(): void;
}

/**
 * Every timed wait the provider holds for a request (a long poll, an injected API latency), so that
 * closing the provider ends them all at once. One set instead of one abort listener per wait on a
 * shared AbortSignal: a thousand held long polls are a thousand entries here, where they were a
 * thousand listeners on one EventTarget (and Node's MaxListenersExceededWarning on every run).
 */
export class Waits {
  private readonly open = new Set<() => void>();
  private closed = false;

  /** Resolves after `ms` wall milliseconds, or as soon as the provider closes. */
  sleep(ms: number): Promise<void> {
    return this.start(ms).done;
  }

  /** A wait of `ms` that also ends when `socket` closes (the client went away). */
  start(ms: number, socket?: Socket): Wait {
    let end!: () => void;
    const done = new Promise<void>((resolve) => {
      if (this.closed || ms <= 0) {
        end = () => undefined;
        return resolve();
      }
      // Never early, as the simulated network's sleeps (measure/clock.ts sleep): node's timers count
      // from the loop's cached time and can fire a fraction of a ms before `ms` has passed, which
      // would put an injected API latency below the one configured.
      const until = monotonicNow() + ms;
      const check = () => {
        const early = until - monotonicNow();
        if (early > 0) timer = setTimeout(check, early);
        else end();
      };
      let timer = setTimeout(check, ms);
      end = () => {
        clearTimeout(timer);
        this.open.delete(end);
        socket?.off("close", end);
        resolve();
      };
      this.open.add(end);
      socket?.once("close", end);
    });
    return { done, cancel: () => end() };
  }

  /** Ends every wait; later ones end at once. */
  close(): void {
    this.closed = true;
    for (const end of [...this.open]) end();
  }

  get size(): number {
    return this.open.size;
  }
}
