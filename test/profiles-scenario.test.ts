/**
 * A profile in a scenario: the values it sets fill what the file leaves out, and what the file or a
 * flag sets wins (flag > scenario field > profile > default), whichever order they come in. The
 * scenario schema (the file editors read) knows the field.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROFILE_NAMES } from "../src/api/profile.js";
import { PROFILES } from "../src/api/profiles.js";
import { withProfile } from "../src/api/profile-scenario.js";
import { applyFlags } from "../src/cli/flags.js";
import * as flag from "../src/cli/flags.js";
import { defaultScenario, STANDARD_RETRIES_MS } from "../src/scenario/defaults.js";
import { validateScenario } from "../src/scenario/validate.js";

const file = (doc: object) => withProfile(validateScenario(doc, "s.json"));

describe("a scenario's profile", () => {
  it("the standard profile is today's scenario: Standard Webhooks' schedule, 15 s, no rate limit", () => {
    const s = file({});
    expect(s.profile).toBe("standard");
    expect(s.webhook.retriesMs).toEqual(STANDARD_RETRIES_MS);
    expect(s.webhook.timeoutMs).toBe(15_000);
    expect(s.provider.rateLimitPerSecond).toBeNull();
  });

  it("fills the retries, the timeout and the rate limit the file leaves out", () => {
    const s = file({ profile: "shopify" });
    expect(s.webhook.retriesMs).toEqual(PROFILES.shopify.retries.value);
    expect(s.webhook.retriesMs).toHaveLength(8);
    expect(s.webhook.timeoutMs).toBe(5_000);
    expect(s.provider.rateLimitPerSecond).toBe(2);
    expect(file({ profile: "github" }).webhook.retriesMs).toEqual([0]);
  });

  it("never overrides what the file sets", () => {
    const s = file({ profile: "shopify", webhook: { timeout: "3s", retries: "none" }, provider: { rateLimit: "10/s" } });
    expect(s.webhook.timeoutMs).toBe(3_000);
    expect(s.webhook.retriesMs).toEqual([0]);
    expect(s.provider.rateLimitPerSecond).toBe(10);
  });

  it("--profile wins over the file's profile, and still not over the file's own fields; flags win over both", () => {
    const base = validateScenario({ profile: "shopify", webhook: { timeout: "3s" } }, "s.json");
    const github = withProfile(applyFlags(base, { profile: flag.profile("github") }));
    expect(github.profile).toBe("github");
    expect(github.webhook.retriesMs).toEqual([0]);
    expect(github.webhook.timeoutMs).toBe(3_000);
    expect(github.provider.rateLimitPerSecond).toBeCloseTo(5000 / 3600, 6);
    const flags = withProfile(applyFlags(base, { profile: flag.profile("slack"), webhookTimeout: flag.webhookTimeout("1s"), rateLimit: flag.rateLimit("50/s"), retries: flag.retriesSchedule("none") }));
    expect(flags.webhook.timeoutMs).toBe(1_000);
    expect(flags.provider.rateLimitPerSecond).toBe(50);
    expect(flags.webhook.retriesMs).toEqual([0]);
    // Applied again (as check and provider do after the CLI), nothing the flags chose moves.
    expect(withProfile(flags)).toEqual(flags);
  });

  it("a profile given to a scenario that had another takes that one's values wholesale", () => {
    const s = withProfile(withProfile(defaultScenario(), "square"), "standard");
    expect(s.webhook).toEqual(defaultScenario().webhook);
    expect(s.provider).toEqual(defaultScenario().provider);
  });

  it("an unknown profile in a file names the profiles", () => {
    expect(() => validateScenario({ profile: "gitlab" }, "s.json")).toThrow(/profile.*"gitlab".*did you mean "github"/s);
  });

  it("the scenario schema knows the field: every profile name, standard by default", () => {
    const schema = JSON.parse(readFileSync(new URL("../examples/scenario.schema.json", import.meta.url), "utf8")) as {
      properties: { profile: { enum: string[]; default: string }; webhook: { properties: { retries: { default?: unknown }; timeout: { default?: unknown } } } };
    };
    expect(schema.properties.profile.enum).toEqual([...PROFILE_NAMES]);
    expect(schema.properties.profile.default).toBe("standard");
    // No literal default: the profile sets them.
    expect(schema.properties.webhook.properties.retries.default).toBeUndefined();
    expect(schema.properties.webhook.properties.timeout.default).toBeUndefined();
  });
});
