/**
 * One monotonic clock for both sides of a run. `process.hrtime` reads CLOCK_MONOTONIC, which is
 * the same clock in the main thread, in worker threads and in child processes, so a settlement
 * stamped by the provider and a detection stamped by the consumer can be subtracted directly.
 */
export interface Clock {
  /** Milliseconds on the shared monotonic clock (fractional, sub-microsecond resolution). */
  now(): number;
}

/** Cancels what Scheduler.at() armed; calling it after the callback ran does nothing. */
export type Cancel = () => void;

/**
 * A clock that can also run something later. The strategies read time and schedule only through
 * one of these, never through `setTimeout` or `Date.now`, so a test drives them with a fake one
 * (test/helpers/fake-clock.ts) and their decisions are checked without waiting.
 */
export interface Scheduler extends Clock {
  /** Runs `fn` once the clock reads `t` or later (at once, on a later tick, when `t` has passed). Never early. */
  at(t: number, fn: () => void): Cancel;
  /** Milliseconds since the Unix epoch, for what the API stamps in wall-clock time (ISO timestamps). */
  epochMs(): number;
}

export function monotonicNow(): number {
  const [s, ns] = process.hrtime();
  return s * 1000 + ns / 1e6;
}

export const monotonicClock: Clock = { now: monotonicNow };

/**
 * A scheduler on node timers that reads `clock` (the monotonic clock unless told otherwise). Node
 * timers run on the same monotonic time, so a delay computed from `clock` lands where it should.
 */
export function timerScheduler(clock: Clock = monotonicClock): Scheduler {
  return {
    now: () => clock.now(),
    epochMs: () => Date.now(),
    at(t, fn) {
      let timer: NodeJS.Timeout | undefined;
      const fire = () => {
        // libuv may wake a fraction of a millisecond before the clock reaches t: wait again.
        const early = t - clock.now();
        if (early > 0) timer = setTimeout(fire, early);
        else {
          timer = undefined;
          fn();
        }
      };
      timer = setTimeout(fire, Math.max(0, t - clock.now()));
      return () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
      };
    },
  };
}

/** The real scheduler: node timers against the monotonic clock. */
export const realScheduler: Scheduler = timerScheduler();

/**
 * Resolves `ms` later on the monotonic clock, never sooner (node's timers count from the loop's
 * cached time, which can make a timer fire a fraction of a millisecond early), or when `signal`
 * aborts. The simulated network sleeps on this: a message is never faster than the scenario says.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const until = monotonicNow() + ms;
    let timer = setTimeout(check, ms);
    function check() {
      const early = until - monotonicNow();
      if (early > 0) timer = setTimeout(check, early);
      else done();
    }
    function done() {
      signal?.removeEventListener("abort", done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Resolves once `scheduler` reads `t` (or at once when it already has), or when `signal` aborts. */
export function sleepUntil(scheduler: Scheduler, t: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || t <= scheduler.now()) return resolve();
    const cancel = scheduler.at(t, done);
    function done() {
      signal?.removeEventListener("abort", done);
      cancel();
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
