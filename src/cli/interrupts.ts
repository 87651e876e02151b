import type { Io } from "../io.js";

/**
 * Ctrl-C and SIGTERM for the whole life of a command, from before its flags are read to after its
 * last file is written, so no moment is left where a signal kills the process with nothing printed.
 *
 * The first signal aborts `signal`: the run stops, closes its servers and the command prints what
 * was gathered, marked partial. A second one while that happens changes nothing but says so; only
 * a third exits at once, with whatever exit code the first chose and without the results.
 */
export class Interrupts {
  private readonly controller = new AbortController();
  private received = 0;
  /** 130 after SIGINT, 143 after SIGTERM (the shell's 128 + signal number); null when none came. */
  exitCode: number | null = null;
  private readonly onInt = () => this.receive(130);
  private readonly onTerm = () => this.receive(143);

  constructor(
    private readonly io: Pick<Io, "stderr">,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  install(): this {
    process.on("SIGINT", this.onInt);
    process.on("SIGTERM", this.onTerm);
    return this;
  }

  /**
   * The command has returned. If it was interrupted and something still holds the process (a
   * socket a server failed to close, a timer left running), exit with `code` after `graceMs`
   * rather than outlive the promise of a stop within 2 s. The timer does not
   * itself keep the process alive. The handlers stay until the process ends, so a signal after
   * this point still cannot kill it with a default action halfway through printing.
   */
  finish(code: number, graceMs = 1000): void {
    if (this.exitCode === null) return this.uninstall();
    setTimeout(() => this.exit(code), graceMs).unref();
  }

  uninstall(): void {
    process.off("SIGINT", this.onInt);
    process.off("SIGTERM", this.onTerm);
  }

  /** The command runs until a signal (a server): its first signal is its normal end, not worth a word. */
  stopsOnSignal(): void {
    this.quiet = true;
  }

  private quiet = false;

  private receive(code: number): void {
    this.received++;
    this.exitCode ??= code;
    if (this.received === 1) {
      this.controller.abort();
      if (!this.quiet) this.io.stderr.write("apiwh: interrupted; stopping, the results gathered so far follow\n");
    } else if (this.received === 2) this.io.stderr.write("apiwh: still stopping; a third signal exits at once, without the results\n");
    else this.exit(this.exitCode);
  }
}
