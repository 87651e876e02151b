import { envelope } from "../contract/envelope.js";
import { UsageError } from "../errors.js";
import { profileNamed } from "../api/profiles.js";
import type { CompareResult, StrategyResult } from "../contract/result.js";
import type { Scenario, StrategyName } from "../scenario/types.js";
import { simulatePollersEvents } from "./events.js";
import { simulateHybrid } from "./hybrid.js";
import { simulatePollersDirect } from "./pollers.js";
import { simulateSse } from "./sse.js";
import { strategyResult, type Tally } from "./tally.js";
import { simulateWebhook } from "./webhook.js";
import { World, type SimulateOptions } from "./world.js";

export type { SimulateOptions } from "./world.js";

/** Strategies that poll `GET /payments/:id`, whose answers a profile's polling hint and free 304s change. */
const POLLERS: readonly StrategyName[] = ["polling", "conditional", "polling-backoff", "long-polling"];

/**
 * The virtual clock models a profile's signature, envelope, retry schedule, timeout and rate
 * limit, but not a polling hint the pollers obey (GitHub's X-Poll-Interval) nor 304s the rate
 * limit does not charge: a scenario that needs either with a poller is refused, with one line,
 * rather than given figures the real run would not match.
 */
export function virtualRefusal(scenario: Scenario): string | undefined {
  const profile = profileNamed(scenario.profile);
  if (!profile.pollHint.value && profile.conditional.value.notModifiedCounts) return undefined;
  const pollers = scenario.strategies.filter((s) => POLLERS.includes(s));
  if (pollers.length === 0) return undefined;
  return `--clock virtual cannot model the ${profile.name} profile's polling hint (${profile.pollHint.value?.header ?? "none"}) and free 304s for ${pollers.join(", ")}; expected --clock real, or only strategies that do not poll a payment (webhook, sse, hybrid)`;
}

/**
 * `--clock virtual`: the scenario as a discrete-event simulation in scenario time, without sockets
 * or timers, reported in the same JSON contract as the real run (marked `"clock": "virtual"`).
 * Each strategy faces the same creations and settlements, as in the real run.
 */
export function simulateScenario(scenario: Scenario, options: SimulateOptions = {}): CompareResult {
  const refusal = virtualRefusal(scenario);
  if (refusal) throw new UsageError(refusal);
  const world = new World(scenario, options);
  const strategies = scenario.strategies.map((name) => simulateIn(world, name, options));
  return { ...envelope(scenario, "virtual", false), strategies };
}

/** One strategy of the scenario, simulated. */
export function simulateStrategy(scenario: Scenario, name: StrategyName, options: SimulateOptions = {}): StrategyResult {
  const refusal = virtualRefusal({ ...scenario, strategies: [name] });
  if (refusal) throw new UsageError(refusal);
  return simulateIn(new World(scenario, options), name, options);
}

function simulateIn(world: World, name: StrategyName, options: SimulateOptions): StrategyResult {
  const tally = tallyFor(world, name, options);
  const result = strategyResult(world, name, tally, Boolean(options.details));
  tally.release(world);
  return result;
}

function tallyFor(world: World, name: StrategyName, options: SimulateOptions): Tally {
  const { provider, faults } = world.scenario;
  const apiClean = provider.rateLimitPerSecond === null && faults.api.errorRate === 0 && faults.api.latency === null;
  switch (name) {
    case "polling":
    case "conditional":
    case "polling-backoff":
    case "long-polling":
      // Shared API state (the rate limit, faults drawn by arrival order) needs every poll in time order.
      return apiClean && options.engine !== "events" ? simulatePollersDirect(world, name) : simulatePollersEvents(world, name);
    case "webhook":
      return simulateWebhook(world);
    case "sse":
      // One connection at a time: the rate limit and API faults need no event queue either.
      return simulateSse(world);
    case "hybrid":
      // List pages go one at a time, so the rate limit and API faults need no event queue here.
      return simulateHybrid(world);
  }
}
