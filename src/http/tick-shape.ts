import { createHook } from "node:async_hooks";

/**
 * Keeps one of `process.nextTick`'s queue entries alive for the life of the isolate, so that an
 * idle server keeps its speed.
 *
 * Every `process.nextTick` call (node's streams and HTTP server make several per request) builds
 * its queue entry from one object literal with computed keys. V8 remembers that literal's hidden
 * classes weakly. When a process that has served requests falls idle, V8's memory reducer runs
 * full garbage collections that keep no unused hidden class; with no entry queued at that moment,
 * the entry's classes die, the literal's next entries get new ones, and the inline caches that
 * knew the old ones turn megamorphic for good. Measured on Node 20.20 with nothing but
 * `process.nextTick`: 2 million calls took 95 ms before an idle spell of 12 s and 540–740 ms
 * after it, for the rest of the process's life; the provider, started and left idle before a
 * load, served 0.77× what it served loaded at once. With one entry kept, its hidden class and
 * every class it was built from stay alive, and the calls after the idle spell took 100 ms.
 *
 * The entry is caught by an async hook that sees one `process.nextTick` and is disabled at once,
 * so no request pays for a hook. Idempotent: once per isolate (a worker thread has its own).
 */
export function keepTickShape(): void {
  if (kept !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _trigger, resource) {
      if (type === "TickObject" && kept === undefined) kept = resource;
    },
  }).enable();
  try {
    process.nextTick(noop);
  } finally {
    hook.disable();
  }
}

let kept: object | undefined;
const noop = (): void => {};

/** The entry kept, for tests: undefined until keepTickShape() has run. */
export function keptTickEntry(): object | undefined {
  return kept;
}
