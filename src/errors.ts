/**
 * Errors that cross the CLI's single error boundary. Each carries the exit code it maps to,
 * so no code deep in the tool ever calls process.exit.
 */

/** A mistake in what the user typed or wrote: a flag, a file, a value. Exit code 2, one line, no stack. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Thrown by pure parsers (durations, distributions, expressions); callers add the field or flag name. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
