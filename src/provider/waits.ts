import type { Socket } from "node:net";

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
      const timer = setTimeout(() => end(), ms);
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
