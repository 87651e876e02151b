/**
 * What a command checks before it runs, so a mistake costs nothing: the ports it will bind and the
 * files it writes besides stdout (`--junit`, `--report`). Files are opened, or created, before the
 * run, so a path that cannot be written is a usage error (exit 2) before anything runs; they are
 * written after the results are on stdout, so a write that still fails (a full disk) loses no results.
 */
import { constants, open, stat, unlink, type FileHandle } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { printable as escapeControls } from "../scenario/echo.js";

/** A path as the user typed it, control characters escaped, cut to `max` characters. */
function shownPath(path: string, max = 120): string {
  const text = escapeControls(path);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


export interface OutputSpec {
  /** The flag that named the file, such as `--junit`. */
  flag: string;
  path: string;
  /** A path the error message offers as an example, such as `results.xml`. */
  example: string;
}

/** One output file, held open from the check before the run to the write after it. */
export class OutputFile {
  private constructor(
    readonly spec: OutputSpec,
    private readonly handle: FileHandle,
    /** The file did not exist before: discarding it removes it, so a failed command leaves nothing behind. */
    private readonly created: boolean,
    /** A regular file is truncated and rewritten; a device or pipe (/dev/stdout, a FIFO) is written as it is. */
    private readonly regular: boolean,
  ) {}

  /** Opens `spec.path` for writing, creating it if needed; a UsageError naming the flag when it cannot. */
  static async open(spec: OutputSpec): Promise<OutputFile> {
    const refuse = (why: string) =>
      new UsageError(`${spec.flag} ${shownPath(spec.path)}: cannot write the file (${why}); expected a writable path such as ${spec.example}`);
    try {
      // A new file: created exclusively, so we know it is ours to remove if the command fails.
      return new OutputFile(spec, await open(spec.path, "wx"), true, true);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw refuse(code ?? "error");
    }
    try {
      const info = await stat(spec.path);
      if (info.isDirectory()) throw refuse("EISDIR");
      // Existing content stays until the write (write-only, neither created nor truncated now): a
      // failed or interrupted command leaves last run's report as it was.
      return new OutputFile(spec, await open(spec.path, info.isFile() ? constants.O_WRONLY : "a"), false, info.isFile());
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw refuse((err as NodeJS.ErrnoException).code ?? "error");
    }
  }

  /** Replaces the file's content; throws the file system's error. */
  async write(content: string): Promise<void> {
    if (this.regular) await this.handle.truncate(0);
    await this.handle.write(content, this.regular ? 0 : null, "utf8");
    await this.handle.close();
  }

  /** The command ended without writing: close, and remove the file if this command created it. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    if (this.created) await unlink(this.spec.path).catch(() => undefined);
  }
}

/**
 * Opens every output a command was given, before it runs. Two flags naming one file are refused
 * (the second write would replace the first); if one cannot be opened, those already opened are
 * discarded and the UsageError is thrown.
 */
export async function openOutputs(specs: Array<OutputSpec | undefined>): Promise<OutputFile[]> {
  const given = specs.filter((s): s is OutputSpec => s !== undefined && s.path !== "");
  for (let i = 0; i < given.length; i++)
    for (let j = 0; j < i; j++)
      if (resolve(given[i]!.path) === resolve(given[j]!.path))
        throw new UsageError(`${given[j]!.flag} and ${given[i]!.flag} both name ${shownPath(given[i]!.path)}; expected a different file for each`);
  const opened: OutputFile[] = [];
  try {
    for (const spec of given) opened.push(await OutputFile.open(spec));
  } catch (err) {
    await discardOutputs(opened);
    throw err;
  }
  return opened;
}

export async function discardOutputs(files: OutputFile[]): Promise<void> {
  await Promise.all(files.map((f) => f.discard()));
}

/**
 * Writes each file after the results are on stdout. A failure is reported on stderr, one line per
 * file, and the rest are still written; returns false if any failed (the command exits 1).
 */
export async function writeOutputs(writes: Array<[OutputFile, () => string]>, stderr: NodeJS.WritableStream): Promise<boolean> {
  let ok = true;
  for (const [file, render] of writes) {
    try {
      await file.write(render());
    } catch (err) {
      ok = false;
      await file.discard();
      stderr.write(`error: ${file.spec.flag} ${shownPath(file.spec.path)}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the results are on stdout\n`);
    }
  }
  return ok;
}

/**
 * Binds `port` on `host` and lets it go, so a port in use is a usage error before a run starts
 * rather than after its first strategies ran. The run binds it again moments later; another
 * program taking it in between still fails that run, naming the flag.
 */
export async function checkPortFree(flag: string, port: number, host: string): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host, exclusive: true }, () => resolve());
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`${flag} ${port}: the port is in use on ${host}; expected a free port, or no ${flag} to pick one`);
    if (code === "EACCES") throw new UsageError(`${flag} ${port}: not allowed to listen on this port; expected a port above 1023, or no ${flag} to pick one`);
    throw err;
  } finally {
    await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  }
}
