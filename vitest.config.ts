import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Most of the suite's time is end-to-end tests waiting on timers (scenario time), not CPU. Vitest's
 * default is one worker per core but one, which on a 2-core machine runs the files one at a time:
 * 3 min 45 s there with other work on the machine, against 87 s with two workers. Every
 * timing-sensitive assertion states its margin (most from the lateness the run itself measured), so
 * more files at once only widens what those margins explain; the e2e files spawn their own processes.
 *
 * One worker more than the cores: after the hardening, engines (its verification matrix) and
 * decision merges the suite on the 2-core machine took 150.5 s with two workers while using about
 * 1.2 cores (user + sys 190 s over 156 s), and 116.4 s with three, every test passing both ways.
 */
export default defineConfig({
  test: {
    maxWorkers: Math.max(2, availableParallelism() + 1),
  },
});
