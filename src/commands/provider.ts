/**
 * `apiwh provider [scenario]`: the simulated payment provider on its own, so a class can run the
 * provider and the listener in two terminals, and a developer can point their own code at it.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Io } from "../io.js";
import { monotonicClock, type Clock } from "../measure/clock.js";
import { idOf } from "../api/payment.js";
import type { ProviderEvent } from "../contract/events.js";
import { startProvider, type Provider } from "../provider/server.js";
import { makePalette } from "../render/color.js";
import { defaultScenario } from "../scenario/defaults.js";
import { settlementRule } from "../scenario/plan.js";
import type { Scenario } from "../scenario/types.js";
import { bannerLines, deliveryLine, requestLine, settledLine, shedLine, stopLine, type ServedRequest } from "./provider-log.js";
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
  color: boolean;
}

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
  const stamp = wallStamp(clock);
  const out = (line: string) => io.stdout.write(line + "\n");
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
  let served = 0;
  watchRequests(provider.server, clock, (r) => {
    served++;
    out(requestLine(r, stamp, options.printSecret, p));
  });
  for (const line of bannerLines(provider.url, scenario, options.scenario ?? "built-in", p, allowHosts)) out(line);
  out("");

  await untilAborted(signal);
  const snapshot = provider.snapshot();
  await provider.close();
  out(stopLine(snapshot, served));
  return 0;
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
 * (bounded) to show what the client learnt.
 */
function watchRequests(server: Server, clock: Clock, onServed: (r: ServedRequest) => void): void {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const at = clock.now();
    const path = req.url ?? "/";
    let body: string | undefined;
    if (!path.startsWith("/events")) {
      const end = res.end;
      res.end = function (this: ServerResponse, ...args: unknown[]) {
        if (typeof args[0] === "string" && args[0].length <= 16_384) body = args[0];
        return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as ServerResponse["end"];
    }
    let reported = false;
    const report = (aborted: boolean) => {
      if (reported) return;
      reported = true;
      let parsed: unknown;
      try {
        parsed = body ? JSON.parse(body) : undefined;
      } catch {
        parsed = undefined;
      }
      onServed({ at, method: req.method ?? "?", path, status: res.statusCode, durationMs: clock.now() - at, body: parsed, aborted });
    };
    res.once("finish", () => report(false));
    res.once("close", () => report(!res.writableFinished));
  });
}

