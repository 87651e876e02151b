import { UsageError } from "./errors.js";
import type { Io } from "./io.js";
import { VERSION } from "./version.js";
import type { CheckFlags } from "./cli/check.js";
import type { SweepFlags } from "./cli/sweep.js";
import type { ProfileName } from "./scenario/fields.js";
import { Interrupts } from "./cli/interrupts.js";
import type { CompareFlags } from "./cli/flags.js";

// Cold start: `apiwh --version` loads only this module and src/version.ts; everything else, the
// parser included, loads when a command line needs it (loadParser), and each command's module when
// it runs. test/cold-start.e2e.test.ts records what --version and --help import.
type Command = import("commander").Command;
type Option = import("commander").Option;
let Command: typeof import("commander").Command;
let CommanderError: typeof import("commander").CommanderError;
let Option: typeof import("commander").Option;
let flag: typeof import("./cli/flags.js");
let STRATEGY_NAMES: typeof import("./scenario/types.js").STRATEGY_NAMES;
let PRICE_PRESET_NAMES: typeof import("./contract/projection.js").PRICE_PRESET_NAMES;
let PROFILE_NAMES: typeof import("./scenario/fields.js").PROFILE_NAMES;

async function loadParser(): Promise<void> {
  const [commander, flags, types, projection, fields] = await Promise.all([import("commander"), import("./cli/flags.js"), import("./scenario/types.js"), import("./contract/projection.js"), import("./scenario/fields.js")]);
  ({ Command, CommanderError, Option } = commander);
  flag = flags;
  STRATEGY_NAMES = types.STRATEGY_NAMES;
  PRICE_PRESET_NAMES = projection.PRICE_PRESET_NAMES;
  PROFILE_NAMES = fields.PROFILE_NAMES;
}

/** `--profile` and `--explain`, the same on every command that takes on a provider's habits. */
const profileOption = () => new Option("--profile <name>", `whose webhook and API habits the provider takes on: ${PROFILE_NAMES.join(", ")} (default: the file's, else standard)`).argParser(flag.profile);
const explainOption = () => new Option("--explain", "with --profile: print the profile's values with their sources, and run nothing");
/** `--explain` loads the profiles (and the renderer) only when asked. */
const explainProfile = async (...args: Parameters<typeof import("./cli/actions.js").explainProfile>) => (await import("./cli/actions.js")).explainProfile(...args);

/** `--no-expect` sets its own attribute: commander would otherwise share `expect` with the repeatable `--expect`. */
function noExpect(): Option {
  const option = new Option("--no-expect", "ignore the scenario file's expectations (those given with --expect still count)");
  option.attributeName = () => "fileExpectations";
  return option;
}

function buildProgram(io: Io, interrupts: Interrupts, setTask: (task: () => Promise<number>) => void, strategyHelp = ""): Command {
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
    .option("-n, --payments <n>", "number of payments (1 to 10,000,000; the real clock runs at most 1,000,000)", flag.payments)
    .option("-i, --interval <duration>", "poll interval, such as 250ms, 1s or 1.5m (at most 7d)", flag.interval)
    .option("--seed <n>", "seed for settlement delays, outcomes and faults (0 to 4294967295)", flag.seed)
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).argParser(flag.choiceFlag("--format", ["table", "json", "markdown"], "an output format")).default("table"))
    .option("--webhook-port <port>", "port for the local webhook receiver (default: a free one)", flag.port("--webhook-port"))
    .option("--strategies <list>", `comma-separated strategies (${STRATEGY_NAMES.join(", ")})`, flag.strategyList)
    .option("--delay <distribution>", "settlement delay: fixed(2s), uniform(500ms, 4s), exponential(mean=2s), lognormal(median=2s, p95=8s)", flag.delay)
    .option("--failure-rate <rate>", "share of payments that fail, 0 to 1", flag.failureRate)
    .option("--latency <duration>", "simulated one-way network latency added by the provider (at most 1m)", flag.latency)
    .option("--arrival <arrival>", "how payments arrive: burst (all at once) or a rate such as 50/s (a Poisson process)", flag.arrival)
    .option("--deadline <duration>", "a payment not detected this long after creation counts as missed (at most 7d)", flag.deadline)
    .option("--speed <factor>", "run scenario time this many times faster than real time (1 to 10000); figures stay in scenario time", flag.speedFactor)
    .option("--retries <schedule>", "webhook retry schedule: standard, none, or waits such as 0s,5s,5m", flag.retriesSchedule)
    .option("--rate-limit <rate>", "provider rate limit per client, such as 25/s", flag.rateLimit)
    .option("--webhook-timeout <duration>", "how long the provider waits for a delivery's answer, such as 5s (default: the profile's)", flag.webhookTimeout)
    .addOption(profileOption())
    .addOption(explainOption())
    .option("--webhook-url <url>", "deliver the webhook strategy's events to your own receiver (loopback), signed with --secret; detection there means acknowledged (2xx)")
    .option("--secret <whsec_…>", "your receiver's signing secret for --webhook-url (other users see it in `ps`: prefer --secret-file or APIWH_WEBHOOK_SECRET)")
    .option("--secret-file <path>", "read your receiver's signing secret from this file")
    .option("--expect <expression>", "an expectation to check after the run, such as \"webhook.latencyMs.p95 < 50ms\" (repeatable)", flag.collect, [])
    .option("--repeat <n>", "run n times with seeds seed…seed+n−1 and report mean ± standard deviation (at most 1000)", flag.repeatCount, 1)
    .addOption(noExpect())
    .option("--per-day <n>", "scale the measured per-payment requests and bytes to n payments a day and a month (default with --price or --clock virtual: the arrival rate, else 10,000)", flag.perDay)
    .option("--price <spec>", `price requests and bytes: terms such as "3.50/M requests, 0.09/GB", or presets (${PRICE_PRESET_NAMES.join(", ")})`, flag.price)
    .option("--details", "include every payment's timeline in the JSON output")
    .option("--force", "run on the real clock even above what one machine runs faithfully (100,000 payments, 20,000 requests a second)")
    .addOption(new Option("--clock <clock>", "real: loopback HTTP; virtual: the same scenario as a discrete-event simulation, for scales one machine cannot run").choices(["real", "virtual"]).argParser(flag.choiceFlag("--clock", ["real", "virtual"], "a clock")).default("real"))
    .option("--live", "draw every strategy's timeline on stderr while the run goes, with a compact summary (only on a terminal)")
    .option("--table", "with --live: print the full table after the live view too (otherwise the verdict follows its summary)")
    .option("--serve", "play the run in a browser: a classroom page on 127.0.0.1, with controls and predictions, until Ctrl-C")
    .option("--port <port>", "port for --serve (default 4330; 0 picks a free one)", flag.port("--port"))
    .option("--report <file>", "also write a self-contained HTML report (table, charts, timeline)")
    .option("--trace [payment]", "narrate every HTTP exchange on stderr, or only one payment's (such as pay_3)")
    .addHelpText("after", () => strategyHelp)
    .action((file: string | undefined, flags: CompareFlags) => setTask(async () => (await import("./cli/actions.js")).compareCommand(file, flags, io, interrupts)));

  program
    .command("check")
    .description("run every scenario found and check its expectations; exit 0 only when all hold")
    .argument("[paths...]", "scenario files or directories", ["examples"])
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).argParser(flag.choiceFlag("--format", ["table", "json", "markdown"], "an output format")).default("table"))
    .option("--junit <file>", "also write a JUnit XML report (one testcase per expectation)")
    .option("--report <file>", "also write a self-contained HTML report of every scenario")
    .option("--jobs <n>", "run up to n scenarios at once, each in its own thread; one the health check calls distorted runs again alone (1 to 16)", flag.jobs, 1)
    .addOption(new Option("--clock <clock>", "real: loopback HTTP; virtual: the fast mode, each scenario simulated (no sockets, no machine overhead)").choices(["real", "virtual"]).argParser(flag.choiceFlag("--clock", ["real", "virtual"], "a clock")).default("real"))
    .option("--force", "run scenarios above what one machine runs faithfully on the real clock")
    .addOption(profileOption())
    .addOption(explainOption())
    .addHelpText(
      "after",
      [
        "",
        "Progress goes to stderr: a line per scenario in a log, a redrawn line on a",
        "terminal. With GITHUB_ACTIONS=true, each failing expectation becomes an ::error",
        "annotation at its line, and the Markdown summary is appended to",
        "$GITHUB_STEP_SUMMARY.",
      ].join("\n"),
    )
    .action((paths: string[], flags: CheckFlags) => setTask(async () => (await import("./cli/check.js")).checkCommand(paths, flags, io, interrupts)));

  program
    .command("sweep")
    .description("run polling at several intervals and show the trade-off of requests against latency, the webhook as reference")
    .argument("[scenario]", "scenario file (JSON or YAML); flags override it")
    .option("--intervals <list>", "up to 20 poll intervals, such as 250ms,500ms,1s,2s,5s (the default)", flag.intervals)
    .option("-n, --payments <n>", "number of payments (1 to 10,000,000; the real clock runs at most 1,000,000)", flag.payments)
    .option("--seed <n>", "seed for settlement delays and outcomes (0 to 4294967295)", flag.seed)
    .option("--delay <distribution>", "settlement delay distribution", flag.delay)
    .option("--speed <factor>", "run scenario time this many times faster than real time (1 to 10000)", flag.speedFactor)
    .option("--target <expectation>", `find the largest interval that meets an expectation over polling's figures, such as "p95 < 2s" or "requests.perPayment <= 3" (searched on the virtual clock, confirmed with one real run)`)
    .option("--per-day <n>", "show each run's requests a day at n payments a day (default: the arrival rate, else 10,000)", flag.perDay)
    .option("--price <spec>", `price requests and bytes: terms such as "3.50/M requests, 0.09/GB", or presets (${PRICE_PRESET_NAMES.join(", ")})`, flag.price)
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).argParser(flag.choiceFlag("--format", ["table", "json", "markdown"], "an output format")).default("table"))
    .option("--report <file>", "also write the trade-off chart as a self-contained HTML file")
    .option("--force", "run even above what one machine runs faithfully on the real clock")
    .addOption(profileOption())
    .addOption(explainOption())
    .action((file: string | undefined, flags: SweepFlags) => setTask(async () => (await import("./cli/sweep.js")).sweepCommand(file, flags, io, interrupts)));

  const standalone = <O>(load: () => Promise<(o: O & { color: boolean }, io: Io, signal: AbortSignal) => Promise<number>>, options: O, server = false) =>
    setTask(async () => {
      if (server) interrupts.stopsOnSignal();
      const [command, { colorEnabled }] = await Promise.all([load(), import("./render/color.js")]);
      const value = await command({ ...options, color: colorEnabled(io.stdout, io.env) }, io, interrupts.signal);
      return interrupts.exitCode ?? value;
    });

  program
    .command("provider")
    .description("run the simulated payment provider on its own until Ctrl-C (point your own code at it)")
    .argument("[scenario]", "scenario file whose settlement, retries, rate limit and faults to play")
    .option("--port <port>", "port to listen on", flag.port("--port"), 4010)
    .option("--host <host>", "address to bind (anything but loopback is exposed to your network)", "127.0.0.1")
    .option("--print-secret", "print each registered endpoint's signing secret", false)
    .option("--allow-host <host>", "also deliver webhooks to this host (repeatable; loopback only by default, never link-local or metadata addresses)", flag.collect, [])
    .option("--quiet", "print no line per request (settlements, deliveries and the banner still print)", false)
    .addOption(profileOption())
    .addOption(explainOption())
    .action((scenario: string | undefined, o: { port: number; host: string; printSecret: boolean; allowHost: string[]; quiet: boolean; profile?: ProfileName; explain?: boolean }) =>
      o.explain ? setTask(() => explainProfile(o.profile, scenario, io)) : standalone(async () => (await import("./commands/provider.js")).providerCommand, { scenario, ...o }, true),
    );

  program
    .command("listen")
    .description("run a webhook receiver on its own, printing each delivery and whether it verified")
    .option("--port <port>", "port to listen on", flag.port("--port"), 4011)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--secret <whsec_…>", "the endpoint's signing secret (other users see it in `ps`: prefer --secret-file or APIWH_WEBHOOK_SECRET)")
    .option("--secret-file <path>", "read the signing secret from this file")
    .option("--provider <url>", "register with this provider and take the secret from its answer")
    .addOption(new Option("--signature <format>", "signature format").choices(["standard-webhooks", "stripe"]).argParser(flag.choiceFlag("--signature", ["standard-webhooks", "stripe"], "a signature format")).default("standard-webhooks"))
    .option("--print-secret", "print the secret the provider handed out", false)
    .addOption(profileOption())
    .addOption(explainOption())
    .action((o: { port: number; host: string; secret?: string; secretFile?: string; provider?: string; signature: "standard-webhooks" | "stripe"; printSecret: boolean; profile?: ProfileName; explain?: boolean }) =>
      o.explain ? setTask(() => explainProfile(o.profile, undefined, io)) : standalone(async () => (await import("./commands/listen.js")).listenCommand, o, true),
    );

  program
    .command("pay")
    .description("create payments on a running provider")
    .requiredOption("--provider <url>", "base URL of the provider, such as http://127.0.0.1:4010")
    .option("--count <n>", "number of payments (at most 100,000)", flag.createCount("--count"), 1)
    .option("--amount <n>", "amount in the currency's smallest unit", flag.amount, 1000)
    .option("--currency <code>", "three-letter currency code", "usd")
    .action((o: { provider: string; count: number; amount: number; currency: string }) => standalone(async () => (await import("./commands/pay.js")).payCommand, o));

  program
    .command("poll")
    .description("poll payments on a running provider, printing each knock, until every outcome is known")
    .argument("[ids...]", "payment ids such as pay_3")
    .requiredOption("--provider <url>", "base URL of the provider, such as http://127.0.0.1:4010")
    .option("-i, --interval <duration>", "poll interval", flag.interval, 1000)
    .option("--create <n>", "create this many payments first and poll them too", flag.createCount("--create"))
    .action((ids: string[], o: { provider: string; interval: number; create?: number }) =>
      standalone(async () => (await import("./commands/poll.js")).pollCommand, { provider: o.provider, ids, intervalMs: o.interval, create: o.create }),
    );

  program
    .command("probe")
    .description("send signed deliveries, right and wrong, to your own webhook receiver and grade how it handles each")
    .argument("<url>", "your receiver's URL, such as http://localhost:3000/webhooks")
    .option("--secret <whsec_…>", "the endpoint's signing secret (other users see it in `ps`: prefer --secret-file or APIWH_WEBHOOK_SECRET)")
    .option("--secret-file <path>", "read the signing secret from this file")
    .addOption(new Option("--signature <format>", "signature format").choices(["standard-webhooks", "stripe"]).default("standard-webhooks"))
    .addOption(new Option("--timeout <duration>", "how long each delivery may take, 100ms to 60s").argParser(flag.boundedDuration("--timeout", 60_000, "10s")).default(10_000, "10s"))
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "markdown"]).default("table"))
    .option("--junit <file>", "also write a JUnit XML report (one testcase per check)")
    .option("--only <checks>", "run only these checks, comma-separated (such as replay,burst)")
    .option("--observe <url>", "your endpoint answering GET <url>?id=<event id> with {\"processed\": n, \"status\": …}, to check idempotency and ordering")
    .option("--deliveries <n>", "valid deliveries for slow-path, one at a time", flag.count("--deliveries", "a delivery count", 1_000), 50)
    .option("--concurrency <n>", "deliveries sent at once for burst", flag.count("--concurrency", "a concurrency", 200), 20)
    .addOption(profileOption())
    .addOption(explainOption())
    .action((url: string, o: Omit<import("./commands/probe.js").ProbeCommandOptions, "url" | "color"> & { explain?: boolean }) =>
      o.explain ? setTask(() => explainProfile(o.profile, undefined, io)) : standalone(async () => (await import("./commands/probe.js")).probeCommand, { url, ...o }),
    );

  return program;
}

/** Joins commander's multi-line messages ("error: …\n(Did you mean …?)") into one line. */
/**
 * The form a command line should have had, for commander's own errors (an unknown option, a
 * missing argument or value): the command's usage and where its options are listed.
 */
function expectedForm(program: Command, argv: readonly string[], code: string): string {
  if (code === "commander.invalidArgument") return ""; // our own argument parsers already say what they expected
  const name = argv.slice(2).find((a) => !a.startsWith("-"));
  const command = program.commands.find((c) => c.name() === name);
  if (!command) return `; expected apiwh <command>, one of ${program.commands.map((c) => c.name()).join(", ")} (apiwh --help)`;
  return `; expected apiwh ${command.name()} ${command.usage()} (apiwh ${command.name()} --help lists the options)`;
}

function oneLine(message: string): string {
  return message
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)
    .join(" ")
    .replace(/^error:\s*/i, "")
    .replace(/'([^']*)'/g, (_, echoed: string) => `'${flag.quote(echoed).slice(1, -1)}'`);
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
  // Installed before anything else, so a signal during start-up, the run or the writing of a report
  // is always an orderly stop that prints what was gathered, never a kill with nothing printed.
  const interrupts = new Interrupts(io).install();
  const code = await runCommand(argv, io, interrupts);
  interrupts.finish(code);
  return code;
}

async function runCommand(argv: string[], io: Io, interrupts: Interrupts): Promise<number> {
  // `apiwh --version` alone is answered before the parser loads: what commander would print.
  if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-V")) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  await loadParser();
  let task: (() => Promise<number>) | undefined;
  // The strategies' parameters come from the scenario's declaration, which loads zod: only for compare's help.
  const args = argv.slice(2);
  const wantsHelp = args.includes("compare") && args.some((a) => a === "--help" || a === "-h" || a === "help");
  const strategyHelp = wantsHelp ? (await import("./scenario/parameters.js")).strategyParametersHelp() : "";
  const program = buildProgram(io, interrupts, (t) => (task = t), strategyHelp);
  try {
    await program.parseAsync(argv);
    if (!task) {
      io.stderr.write(program.helpInformation());
      return 2;
    }
    return await task();
  } catch (err) {
    if (err instanceof CommanderError) {
      // `apiwh` alone prints the help to stderr as an error (commander's exit code 1): no command
      // was given, which is a usage mistake (2), so a script that forgot its command fails.
      if (err.code === "commander.help" && err.exitCode !== 0) return 2;
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      io.stderr.write(`error: ${oneLine(err.message)}${expectedForm(program, argv, err.code)}\n`);
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
