import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ParseError, UsageError } from "./errors.js";
import { parseDistribution } from "./scenario/distribution.js";
import { parseDuration } from "./scenario/duration.js";
import { defaultScenario, STANDARD_RETRIES_MS } from "./scenario/defaults.js";
import { parseRate } from "./scenario/rate.js";
import { STRATEGY_NAMES, type Arrival, type Scenario, type StrategyName } from "./scenario/types.js";
import { VERSION } from "./version.js";

/** The streams and environment the CLI writes to; tests pass their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Flags of `apiwh compare` as commander hands them over, already parsed into typed values. */
export interface CompareFlags {
  payments?: number;
  interval?: number;
  seed?: number;
  format: "table" | "json" | "markdown";
  expect: string[];
  repeat: number;
  live?: boolean;
  trace?: boolean | string;
  clock: "real" | "virtual";
  arrival?: Arrival;
  retries?: number[];
  rateLimit?: number;
  webhookPort?: number;
  details?: boolean;
  strategies?: StrategyName[];
  speed?: number;
  deadline?: number;
  delay?: ReturnType<typeof parseDistribution>;
  failureRate?: number;
  latency?: number;
}

/** Wraps a pure parser so commander reports its message as an invalid argument. */
function parser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof ParseError || err instanceof UsageError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

function positiveInteger(what: string, max = Number.MAX_SAFE_INTEGER) {
  return parser((text) => {
    const n = Number(text.replace(/_/g, ""));
    if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(n) || n <= 0 || n > max) throw new ParseError(`"${text}" is not ${what}; expected a whole number from 1 to ${max.toLocaleString("en-US")}`);
    return n;
  });
}

const nonNegativeInteger = parser((text) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ParseError(`"${text}" is not a seed; expected a whole number such as 42`);
  return n;
});

const port = parser((text) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 0 || n > 65535) throw new ParseError(`"${text}" is not a port; expected a whole number from 0 to 65535 (0 picks a free one)`);
  return n;
});

const positiveDuration = parser((text) => {
  const ms = parseDuration(text);
  if (ms <= 0) throw new ParseError(`"${text}" must be longer than zero, such as 250ms, 2s or 1.5m`);
  return ms;
});

const rate01 = parser((text) => {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new ParseError(`"${text}" is not a rate; expected a number from 0 to 1, such as 0.05`);
  return n;
});

const speedFactor = parser((text) => {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 10_000) throw new ParseError(`"${text}" is not a speed; expected a number above 0 and at most 10000, such as 60`);
  return n;
});

const strategyList = parser((text) => {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new ParseError(`"${text}" names no strategy; expected a comma-separated list such as polling,webhook`);
  for (const name of names)
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw new ParseError(`"${name}" is not a strategy; expected some of ${STRATEGY_NAMES.join(", ")}`);
  if (new Set(names).size !== names.length) throw new ParseError(`"${text}" names a strategy twice`);
  return names as StrategyName[];
});

const retriesSchedule = parser((text) => {
  if (text === "standard") return [...STANDARD_RETRIES_MS];
  if (text === "none") return [0];
  const gaps = text.split(",").map((t) => parseDuration(t.trim()));
  if (gaps.length === 0) throw new ParseError(`"${text}" is not a retry schedule; expected standard, none or a list such as 0s,5s,5m`);
  return gaps;
});

const arrival = parser((text): Arrival => (text === "burst" ? { kind: "burst" } : { kind: "rate", perSecond: parseRate(text), source: text }));

const repeatCount = positiveInteger("a repeat count", 1000);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Applies command-line flags over a scenario (flags win over the file). */
export function applyFlags(base: Scenario, flags: CompareFlags): Scenario {
  const s: Scenario = structuredClone(base);
  if (flags.payments !== undefined) s.payments.count = flags.payments;
  if (flags.interval !== undefined) s.polling.intervalMs = flags.interval;
  if (flags.seed !== undefined) s.seed = flags.seed;
  if (flags.strategies) s.strategies = flags.strategies;
  if (flags.speed !== undefined) s.speed = flags.speed;
  if (flags.deadline !== undefined) s.deadlineMs = flags.deadline;
  if (flags.delay) s.settlement.delay = flags.delay;
  if (flags.failureRate !== undefined) s.settlement.failureRate = flags.failureRate;
  if (flags.latency !== undefined) s.network.latencyMs = flags.latency;
  if (flags.retries) s.webhook.retriesMs = flags.retries;
  if (flags.arrival) s.payments.arrival = flags.arrival;
  if (flags.rateLimit !== undefined) s.extras.provider.rateLimitPerSecond = flags.rateLimit;
  return s;
}

function buildProgram(io: Io, setTask: (task: () => Promise<number>) => void): Command {
  const program = new Command("apiwh")
    .description("Measure what it costs to learn about a payment by polling an API versus being told by a webhook.")
    .version(VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined });

  program
    .command("compare")
    .description("run one seeded payment scenario once per strategy over loopback HTTP and print them side by side")
    .argument("[scenario]", "scenario file (JSON or YAML); flags override it (default: the built-in checkout scenario)")
    .option("-n, --payments <n>", "number of payments", positiveInteger("a payment count", 1_000_000))
    .option("-i, --interval <duration>", "poll interval, such as 250ms, 1s or 1.5m", positiveDuration)
    .option("--seed <n>", "seed for settlement delays, outcomes and faults", nonNegativeInteger)
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).default("table"))
    .option("--webhook-port <port>", "port for the local webhook receiver (default: a free one)", port)
    .option("--strategies <list>", `comma-separated strategies (${STRATEGY_NAMES.join(", ")})`, strategyList)
    .option("--delay <distribution>", "settlement delay: fixed(2s), uniform(500ms, 4s), exponential(mean=2s), lognormal(median=2s, p95=8s)", parser(parseDistribution))
    .option("--failure-rate <rate>", "share of payments that fail, 0 to 1", rate01)
    .option("--latency <duration>", "simulated one-way network latency added by the provider", parser(parseDuration))
    .option("--arrival <arrival>", "how payments arrive: burst (all at once) or a rate such as 50/s (a Poisson process)", arrival)
    .option("--deadline <duration>", "a payment not detected this long after creation counts as missed", positiveDuration)
    .option("--speed <factor>", "run scenario time this many times faster than real time; figures stay in scenario time", speedFactor)
    .option("--retries <schedule>", "webhook retry schedule: standard, none, or waits such as 0s,5s,5m", retriesSchedule)
    .option("--rate-limit <rate>", "provider rate limit per client, such as 25/s", parser(parseRate))
    .option("--expect <expression>", "an expectation to check after the run, such as \"webhook.latencyMs.p95 < 50ms\" (repeatable)", collect, [])
    .option("--repeat <n>", "run n times with seeds seed…seed+n−1 and report mean ± standard deviation", repeatCount, 1)
    .option("--details", "include every payment's timeline in the JSON output")
    .addOption(new Option("--clock <clock>", "real: loopback HTTP; virtual: the same scenario as a discrete-event simulation, for scales one machine cannot run").choices(["real", "virtual"]).default("real"))
    .option("--live", "draw a live timeline on stderr while the run goes (only on a terminal)")
    .option("--trace [payment]", "narrate every HTTP exchange on stderr, or only one payment's (such as pay_3)")
    .action((file: string | undefined, flags: CompareFlags) => setTask(() => compareCommand(file, flags, io)));

  program
    .command("check")
    .description("run every scenario found and check its expectations; exit 0 only when all hold")
    .argument("[paths...]", "scenario files or directories", ["examples"])
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).default("table"))
    .option("--junit <file>", "also write a JUnit XML report (one testcase per expectation)")
    .action((paths: string[], flags: CheckFlags) => setTask(() => checkCommand(paths, flags, io)));

  const standalone = <O>(load: () => Promise<(o: O & { color: boolean }, io: Io, signal: AbortSignal) => Promise<number>>, options: O) =>
    setTask(async () => {
      const [command, { colorEnabled }] = await Promise.all([load(), import("./render/color.js")]);
      const { value, exitCode } = await withInterrupts((signal) => command({ ...options, color: colorEnabled(io.stdout, io.env) }, io, signal));
      return exitCode ?? value;
    });

  program
    .command("provider")
    .description("run the simulated payment provider on its own until Ctrl-C (point your own code at it)")
    .argument("[scenario]", "scenario file whose settlement, retries, rate limit and faults to play")
    .option("--port <port>", "port to listen on", port, 4010)
    .option("--host <host>", "address to bind (anything but loopback is exposed to your network)", "127.0.0.1")
    .option("--print-secret", "print each registered endpoint's signing secret", false)
    .action((scenario: string | undefined, o: { port: number; host: string; printSecret: boolean }) =>
      standalone(async () => (await import("./commands/provider.js")).providerCommand, { scenario, ...o }),
    );

  program
    .command("listen")
    .description("run a webhook receiver on its own, printing each delivery and whether it verified")
    .option("--port <port>", "port to listen on", port, 4011)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--secret <secret>", "the endpoint's signing secret (whsec_…)")
    .option("--provider <url>", "register with this provider and take the secret from its answer")
    .addOption(new Option("--signature <format>", "signature format").choices(["standard-webhooks", "stripe"]).default("standard-webhooks"))
    .option("--print-secret", "print the secret the provider handed out", false)
    .action((o: { port: number; host: string; secret?: string; provider?: string; signature: "standard-webhooks" | "stripe"; printSecret: boolean }) =>
      standalone(async () => (await import("./commands/listen.js")).listenCommand, o),
    );

  program
    .command("pay")
    .description("create payments on a running provider")
    .requiredOption("--provider <url>", "base URL of the provider, such as http://127.0.0.1:4010")
    .option("--count <n>", "number of payments", positiveInteger("a payment count", 100_000), 1)
    .option("--amount <n>", "amount in the currency's smallest unit", positiveInteger("an amount"), 1000)
    .option("--currency <code>", "three-letter currency code", "usd")
    .action((o: { provider: string; count: number; amount: number; currency: string }) => standalone(async () => (await import("./commands/pay.js")).payCommand, o));

  program
    .command("poll")
    .description("poll payments on a running provider, printing each knock, until every outcome is known")
    .argument("[ids...]", "payment ids such as pay_3")
    .requiredOption("--provider <url>", "base URL of the provider, such as http://127.0.0.1:4010")
    .option("-i, --interval <duration>", "poll interval", positiveDuration, 1000)
    .option("--create <n>", "create this many payments first and poll them too", positiveInteger("a payment count", 100_000))
    .action((ids: string[], o: { provider: string; interval: number; create?: number }) =>
      standalone(async () => (await import("./commands/poll.js")).pollCommand, { provider: o.provider, ids, intervalMs: o.interval, create: o.create }),
    );

  return program;
}

interface CheckFlags {
  format: "table" | "json" | "markdown";
  junit?: string;
}

/**
 * Ctrl-C or SIGTERM aborts the run: servers close, ports are freed, and what was gathered so far
 * is printed marked partial. The exit code follows the shell convention (130, 143).
 */
async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; exitCode: number | null }> {
  const controller = new AbortController();
  let exitCode: number | null = null;
  const onInt = () => ((exitCode = 130), controller.abort());
  const onTerm = () => ((exitCode = 143), controller.abort());
  process.once("SIGINT", onInt);
  process.once("SIGTERM", onTerm);
  try {
    const value = await work(controller.signal);
    return { value, exitCode };
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

async function loadScenario(file: string | undefined): Promise<Scenario> {
  if (!file) return defaultScenario();
  const { loadScenarioFile } = await import("./scenario/load.js");
  return loadScenarioFile(file);
}

async function compareCommand(file: string | undefined, flags: CompareFlags, io: Io): Promise<number> {
  const scenario = applyFlags(await loadScenario(file), flags);
  const [{ compareScenario }, { prepareExpectations }, render, { attachViews }] = await Promise.all([
    import("./run/compare.js"),
    import("./run/expectations.js"),
    loadRenderers(),
    import("./views/attach.js"),
  ]);
  const expectations = prepareExpectations(scenario, file ?? "scenario", flags.expect);
  // A virtual run has no sockets and no wall time to watch: nothing to draw or narrate.
  const views = flags.clock === "virtual" ? { onEvent: undefined, stop() {} } : attachViews(io, scenario, { live: flags.live, trace: flags.trace });
  let outcome;
  try {
    outcome = await withInterrupts((signal) =>
      compareScenario(scenario, { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: Boolean(flags.details), signal, onEvent: views.onEvent }, flags.repeat, expectations, flags.clock),
    );
  } finally {
    views.stop();
  }
  const { value: result, exitCode } = outcome;
  if (flags.format === "json") io.stdout.write(render.renderJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderMarkdown(result) + "\n");
  else io.stdout.write(render.renderTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
  if (exitCode !== null) return exitCode;
  return result.expectations?.some((e) => !e.ok) ? 1 : 0;
}

async function checkCommand(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  const [{ check }, render, { writeFile }] = await Promise.all([import("./run/check.js"), loadRenderers(), import("node:fs/promises")]);
  const progress = io.stderr.isTTY && flags.format === "table";
  const { value: result, exitCode } = await withInterrupts((signal) =>
    check(paths, {
      host: "127.0.0.1",
      webhookPort: 0,
      details: false,
      signal,
      onScenario: progress ? (c, i, n) => io.stderr.write(`  [${i + 1}/${n}] ${c.status === "passed" ? "✓" : "✗"} ${c.name}\n`) : undefined,
    }),
  );
  if (flags.junit) {
    try {
      await writeFile(flags.junit, render.renderJUnit(result) + "\n");
    } catch (err) {
      throw new UsageError(`--junit ${flags.junit}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? "error"}); expected a writable path such as results.xml`);
    }
  }
  if (flags.format === "json") io.stdout.write(render.renderCheckJson(result) + "\n");
  else if (flags.format === "markdown") io.stdout.write(render.renderCheckMarkdown(result) + "\n");
  else io.stdout.write(render.renderCheckTable(result, render.makePalette(render.colorEnabled(io.stdout, io.env))) + "\n");
  if (exitCode !== null) return exitCode;
  // A scenario file that does not validate is the user's mistake (2); a broken expectation is a failed check (1).
  if (result.scenarios.some((s) => s.status === "error")) return 2;
  return result.ok ? 0 : 1;
}

/** Renderers load lazily so `apiwh --version` and `--help` stay fast. */
async function loadRenderers() {
  const [table, json, color, markdown, junit, checkView] = await Promise.all([
    import("./render/table.js"),
    import("./render/json.js"),
    import("./render/color.js"),
    import("./render/markdown.js"),
    import("./render/junit.js"),
    import("./render/check.js"),
  ]);
  return { ...table, ...json, ...color, ...markdown, ...junit, ...checkView };
}

/** Joins commander's multi-line messages ("error: …\n(Did you mean …?)") into one line. */
function oneLine(message: string): string {
  return message
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)
    .join(" ")
    .replace(/^error:\s*/i, "");
}

let loud = false;
/**
 * A promise rejected with no handler is a bug in the tool: say so in one line, with where the
 * details are, and exit 1 rather than leave the process half-alive or print a bare stack.
 */
function failLoudly(io: Io): void {
  if (loud) return;
  loud = true;
  const die = (kind: string) => (err: unknown) => {
    const e = err as Error;
    io.stderr.write(`error: internal error (${kind}): ${e?.message ?? String(err)}${io.env.APIWH_DEBUG ? `\n${e?.stack ?? ""}` : " (set APIWH_DEBUG=1 for details)"}\n`);
    process.exit(1);
  };
  process.on("unhandledRejection", die("unhandled rejection"));
  process.on("uncaughtException", die("uncaught exception"));
}

/** The single error boundary: every outcome of the CLI becomes an exit code here. */
export async function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  failLoudly(io);
  let task: (() => Promise<number>) | undefined;
  const program = buildProgram(io, (t) => (task = t));
  try {
    await program.parseAsync(argv);
    if (!task) {
      io.stderr.write(program.helpInformation());
      return 2;
    }
    return await task();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      io.stderr.write(`error: ${oneLine(err.message)}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr.write(`error: ${e?.message ?? String(err)}${io.env.APIWH_DEBUG ? `\n${e?.stack ?? ""}` : " (set APIWH_DEBUG=1 for details)"}\n`);
    return 1;
  }
}
