/**
 * `apiwh provider [scenario]`: the simulated payment provider on its own, so a class can run the
 * provider and the listener in two terminals, and a developer can point their own code at it.
 */
import { ServerResponse, type IncomingMessage, type Server } from "node:http";
import type { Io } from "../io.js";
import { monotonicClock, type Clock } from "../measure/clock.js";
import { idOf } from "../api/payment.js";
import type { ProviderEvent } from "../contract/events.js";
import { startProvider, type Provider } from "../provider/server.js";
import { makePalette, type Palette } from "../render/color.js";
import { defaultScenario } from "../scenario/defaults.js";
import { settlementRule } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import { bannerLines, deliveryLine, requestLineFrom, requestWhat, settledLine, shedLine, stopLine, type ServedRequest } from "./provider-log.js";
import { bindError, checkHost, checkPort, exposureWarning, printable, untilAborted, wallStamp } from "./shared.js";
import { isIP } from "node:net";
import { UsageError } from "../errors.js";
import { classify } from "../provider/targets.js";
import type { ProfileName } from "../api/profile.js";
import { withProfile } from "../api/profile-scenario.js";

export const PROVIDER_DEFAULTS = { port: 4010, host: "127.0.0.1" } as const;

export interface ProviderCommandOptions {
  /** Scenario file (JSON or YAML) whose settlement, webhook schedule, rate limit and faults the provider plays; absent = built-in. */
  scenario?: string;
  port: number;
  host: string;
  /** Print each registered endpoint's signing secret; off by default so logs never carry it. */
  printSecret: boolean;
  /** Hosts webhooks may be delivered to besides loopback (`--allow-host`, repeatable). */
  allowHost?: string[];
  /** `--profile`: whose webhook and API habits to take on; wins over the scenario file's `profile`. */
  profile?: ProfileName;
  /** Print no line per request (`--quiet`): settlements, deliveries and the banner still print. */
  quiet?: boolean;
  color: boolean;
}

/**
 * The log's lines are gathered and written in batches, at most this long apart or once this many
 * characters wait, and always before the provider's last line: one write per request cost the
 * provider a third of its throughput with the log going to /dev/null (see the README's bench).
 */
export const LOG_BATCH = { ms: 50, chars: 64 * 1024 } as const;

/** Runs the provider until the signal aborts; resolves 0 once it has closed and freed its port. */
export async function providerCommand(options: ProviderCommandOptions, io: Io, signal: AbortSignal, clock: Clock = monotonicClock): Promise<number> {
  checkPort("--port", options.port);
  checkHost(options.host);
  const allowHosts = options.allowHost ?? [];
  for (const host of allowHosts) checkAllowHost(host);
  const loaded: Scenario = options.scenario ? await (await import("../scenario/load.js")).loadScenarioFile(options.scenario) : defaultScenario();
  const scenario = withProfile(loaded, options.profile ?? loaded.profile);
  const p = makePalette(options.color);
  const warning = exposureWarning(options.host, "provider (anyone who reaches it can create payments and subscribe to webhooks)");
  if (warning) io.stderr.write(p.warn(warning));

  // The time of day, as `listen` and `poll` print it: three terminals line up.
  const stamp = sameMillisecond(wallStamp(clock));
  const log = new BatchedLines(io.stdout, LOG_BATCH.ms, LOG_BATCH.chars);
  const out = (line: string) => log.add(line);
  const onEvent = (e: ProviderEvent) => {
    if (e.kind === "settled") out(settledLine(idOf(e.index), e.status, e.at, stamp, p));
    else if (e.kind === "delivery") out(deliveryLine(e.attempt, idOf(e.attempt.paymentIndex), stamp, p));
    else if (e.kind === "shed") out(shedLine(e.reason, e.at, stamp, p));
    // "created" and "polled" are covered by the request lines.
  };
  let provider: Provider;
  try {
    provider = await startProvider(
      {
        host: options.host,
        port: options.port,
        settlement: settlementRule(scenario),
        speed: scenario.speed,
        network: { latencyMs: scenario.network.latencyMs, jitterMs: scenario.network.jitterMs },
        webhook: { ...scenario.webhook, profile: scenario.profile },
        rateLimitPerSecond: scenario.provider.rateLimitPerSecond,
        faults: scenario.faults,
        allowHosts,
      },
      onEvent,
      clock,
    );
  } catch (err) {
    throw bindError(err, options.port, options.host);
  }
  // The count of requests served is the provider's own (a second 'request' listener just to count
  // would cost every request an array copy); --quiet watches nothing more.
  if (!options.quiet) watchRequests(provider.server, clock, (r, what) => out(requestLineFrom(what(r, options.printSecret, p), r, stamp, p)));
  for (const line of bannerLines(provider.url, scenario, options.scenario ?? "built-in", p, allowHosts)) out(line);
  out("");
  // The banner at once: whoever started the provider waits for its address.
  log.flush();

  try {
    await untilAborted(signal);
    const snapshot = provider.snapshot();
    await provider.close();
    out(stopLine(snapshot, provider.requests()));
  } finally {
    // Every line gathered so far reaches stdout before the command returns, on Ctrl-C as on any other end.
    log.close();
  }
  return 0;
}

/**
 * Lines written in batches: one `write` per flush instead of one per line. Flushed by a timer that
 * does not keep the process alive, when the batch grows past `chars`, and by close().
 */
export class BatchedLines {
  private pending = "";
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly ms: number,
    private readonly chars: number,
  ) {}

  add(line: string): void {
    if (this.closed) {
      this.stream.write(line + "\n");
      return;
    }
    this.pending += line + "\n";
    if (this.pending.length >= this.chars) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.ms);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = "";
    this.stream.write(text);
  }

  /** Writes what waits; later lines are written one by one. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}

/** A busy provider logs many requests within one millisecond: their stamp is formatted once. */
function sameMillisecond(stamp: (at: number) => string): (at: number) => string {
  let lastMs = NaN;
  let last = "";
  return (at) => {
    const ms = Math.floor(at);
    if (ms !== lastMs) {
      lastMs = ms;
      last = stamp(at);
    }
    return last;
  };
}

/** A host name or an address, as a URL's host would hold it; link-local and metadata addresses stay refused whatever is named. */
function checkAllowHost(host: string): void {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 0 && !(bare.length <= 253 && /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/i.test(bare)))
    throw new UsageError(`--allow-host "${printable(host, 40)}": not a host; expected a host name or an address such as webhooks.example.test or 10.0.0.5`);
  if (isIP(bare) !== 0 && classify(bare) === "forbidden")
    throw new UsageError(`--allow-host ${bare}: a link-local, metadata, multicast or broadcast address is never a webhook target; expected another host`);
}

/**
 * Reports each request once its answer is sent or its client gave up. The provider's ProviderEvent
 * has no per-request event, so this listens on the server it exposes; the JSON answer is kept
 * (bounded) to show what the client learnt. The listeners are made once and shared by every
 * request (each finds its record on the response): a closure or two per request was a visible
 * share of the logging provider's cost.
 */
function watchRequests(server: Server, clock: Clock, onServed: (r: ServedRequest, what: (r: ServedRequest, printSecret: boolean, p: Palette) => string) => void): void {
  const end = ServerResponse.prototype.end as (...a: unknown[]) => ServerResponse;
  const captureEnd = function (this: WatchedResponse, ...args: unknown[]) {
    if (typeof args[0] === "string" && args[0].length <= 16_384) this[SERVED]!.body = args[0];
    return end.apply(this, args);
  } as ServerResponse["end"];
  // A poll's answer is the store's cached string, the same one until the payment changes: its part
  // of the line is parsed and formatted once, not per request (a string keeps its hash, so the
  // lookup does not rehash it). Formatting each line anew cost a quarter more CPU per request.
  const seen = new Map<string, { method: string; path: string; status: number; what: string }>();
  const whatOf = (r: ServedRequest, printSecret: boolean, p: Palette): string => {
    const body = (r as ServedRequest & { raw?: string }).raw;
    const known = body === undefined ? undefined : seen.get(body);
    if (known && known.method === r.method && known.status === r.status && known.path === r.path) return known.what;
    const what = requestWhat({ ...r, body: parse(body) }, printSecret, p);
    if (body !== undefined && !r.aborted) {
      if (seen.size >= 1024) seen.clear();
      seen.set(body, { method: r.method, path: r.path, status: r.status, what });
    }
    return what;
  };
  // 'close' follows 'finish' on every response, and comes alone when the client went away first.
  const report = function (this: WatchedResponse) {
    const r = this[SERVED]!;
    const served: ServedRequest & { raw?: string } = { at: r.at, method: r.method, path: r.path, status: this.statusCode, durationMs: clock.now() - r.at, aborted: !this.writableFinished, raw: r.body };
    onServed(served, whatOf);
  };
  // Ahead of the provider's own listener, which answers a plain poll before returning: the answer
  // must be watched before it is sent.
  server.prependListener("request", (req: IncomingMessage, res: WatchedResponse) => {
    const path = req.url ?? "/";
    res[SERVED] = { at: clock.now(), method: req.method ?? "?", path, body: undefined };
    if (!path.startsWith("/events")) res.end = captureEnd;
    res.on("close", report);
  });
}

const SERVED = Symbol("served");

function parse(body: string | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

interface WatchedResponse extends ServerResponse {
  [SERVED]?: { at: number; method: string; path: string; body: string | undefined };
}
