import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ParseError, UsageError } from "./errors.js";
import { parseDistribution } from "./scenario/distribution.js";
import { parseDuration } from "./scenario/duration.js";
import { defaultScenario } from "./scenario/defaults.js";
import { STRATEGY_NAMES, type Scenario, type StrategyName } from "./scenario/types.js";
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
  format: "table" | "json";
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
    .option("-n, --payments <n>", "number of payments", positiveInteger("a payment count", 10_000_000))
    .option("-i, --interval <duration>", "poll interval, such as 250ms, 1s or 1.5m", positiveDuration)
    .option("--seed <n>", "seed for settlement delays and outcomes", nonNegativeInteger)
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .option("--webhook-port <port>", "port for the local webhook receiver (default: a free one)", port)
    .option("--strategies <list>", `comma-separated strategies (${STRATEGY_NAMES.join(", ")})`, strategyList)
    .option("--delay <distribution>", "settlement delay: fixed(2s), uniform(500ms, 4s), exponential(mean=2s), lognormal(median=2s, p95=8s)", parser(parseDistribution))
    .option("--failure-rate <rate>", "share of payments that fail, 0 to 1", rate01)
    .option("--latency <duration>", "simulated one-way network latency added by the provider", parser(parseDuration))
    .option("--deadline <duration>", "a payment not detected this long after creation counts as missed", positiveDuration)
    .option("--speed <factor>", "run scenario time this many times faster than real time; figures stay in scenario time", speedFactor)
    .option("--details", "include every payment's timeline in the JSON output")
    .action((flags: CompareFlags) => setTask(() => compareCommand(flags, io)));

  return program;
}

async function compareCommand(flags: CompareFlags, io: Io): Promise<number> {
  const scenario = applyFlags(defaultScenario(), flags);
  const [{ compare }, { renderTable }, { renderJson }, { makePalette, colorEnabled }] = await Promise.all([
    import("./run/compare.js"),
    import("./render/table.js"),
    import("./render/json.js"),
    import("./render/color.js"),
  ]);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await compare(scenario, { host: "127.0.0.1", webhookPort: flags.webhookPort ?? 0, details: Boolean(flags.details), signal: controller.signal });
    if (flags.format === "json") io.stdout.write(renderJson(result) + "\n");
    else io.stdout.write(renderTable(result, makePalette(colorEnabled(io.stdout, io.env))) + "\n");
    if (result.partial) return 130;
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
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

/** The single error boundary: every outcome of the CLI becomes an exit code here. */
export async function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
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
