/**
 * A scenario under its profile: the values a profile sets (the retry schedule, the delivery
 * timeout, the API's rate limit) fill every field the scenario did not set itself. What a file or
 * a flag sets wins: flag > scenario field > profile > default. The scenario remembers what it set
 * (`webhook.given`, `provider.rateLimitGiven`), so applying a profile again, or another one (a
 * `--profile` flag over a file's `profile`), never undoes a value the user chose.
 *
 * Every entry point calls this once the file and the flags are read (src/cli/actions.ts
 * scenarioFor, src/run/check.ts, src/commands/provider.ts); the engines read the resolved fields.
 */
import type { Scenario } from "../scenario/types.js";
import type { ProfileName } from "./profile.js";
import { profileNamed } from "./profiles.js";

/** `scenario` with `name` (or its own profile) applied to every field it did not set; a new object. */
export function withProfile(scenario: Scenario, name: ProfileName = scenario.profile): Scenario {
  const profile = profileNamed(name);
  const { webhook, provider } = scenario;
  return {
    ...scenario,
    profile: name,
    webhook: {
      ...webhook,
      retriesMs: webhook.given.retries ? webhook.retriesMs : [...profile.retries.value],
      timeoutMs: webhook.given.timeout ? webhook.timeoutMs : profile.timeoutMs.value,
    },
    provider: { ...provider, rateLimitPerSecond: provider.rateLimitGiven ? provider.rateLimitPerSecond : (profile.rateLimit.value?.perSecond ?? null) },
  };
}
