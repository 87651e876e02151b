import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileName } from "../src/api/profile.js";
import { withProfile } from "../src/api/profile-scenario.js";
import type { CompareResult } from "../src/contract/result.js";
import { loadScenarioFile } from "../src/scenario/load.js";
import { simulateScenario } from "../src/virtual/simulate.js";
import { runCli } from "./helpers/cli.js";

/**
 * The virtual clock against the real run for every profile but the standard one (which
 * test/virtual-agreement.test.ts covers): the webhook's deliveries, the receiver failing 30% of
 * attempts as the seed plans them, so retries (Slack's numbered ones among them) are counted too.
 * The virtual clock builds each delivery with the sender's own function, and the plan decides
 * every answer, so nothing here depends on timing: requests, deliveries and payments are equal,
 * and bytes are equal to the byte (the Date header and the ports have fixed widths).
 */
const PROFILES: ProfileName[] = ["stripe", "github", "shopify", "slack", "square", "svix"];

const FILE = {
  seed: 3,
  payments: { count: 20, arrival: { rate: "10/s" } },
  settlement: { delay: "uniform(500ms, 4s)", failureRate: 0.05 },
  strategies: ["webhook"],
  // The profiles' own schedules wait minutes; a file's schedule wins over a profile's and keeps the run to seconds.
  webhook: { retries: ["0s", "0s", "1s"] },
  faults: { webhook: { failureRate: 0.3 } },
};

describe("virtual clock agrees with the real run, profile by profile", () => {
  let dir: string;
  const runs = new Map<ProfileName, { real: CompareResult; virtual: CompareResult }>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apiwh-virtual-profiles-"));
    await Promise.all(
      PROFILES.map(async (profile) => {
        const path = join(dir, `${profile}.json`);
        await writeFile(path, JSON.stringify({ name: `agreement-${profile}`, profile, ...FILE }));
        const cli = await runCli(["compare", path, "--format", "json"], { timeoutMs: 60_000 });
        expect(cli.code, cli.stderr).toBe(0);
        runs.set(profile, { real: JSON.parse(cli.stdout) as CompareResult, virtual: simulateScenario(withProfile(await loadScenarioFile(path))) });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const profile of PROFILES) {
    it(`${profile}: the same requests, deliveries, payments and bytes`, () => {
      const { real, virtual } = runs.get(profile)!;
      const [r] = real.strategies;
      const [v] = virtual.strategies;
      // The seed must exercise retries, or the retry headers would go uncounted.
      expect(r!.deliveries.retried).toBeGreaterThan(0);
      expect(v!.requests).toEqual(r!.requests);
      expect(v!.deliveries).toEqual(r!.deliveries);
      expect(v!.payments).toEqual(r!.payments);
      expect(v!.bytes).toEqual(r!.bytes);
    });
  }

  it("each profile's deliveries differ in size: the envelope and headers are really the profile's", () => {
    const sizes = new Set(PROFILES.map((p) => runs.get(p)!.real.strategies[0]!.bytes.providerToConsumer));
    expect(sizes.size).toBe(PROFILES.length);
  });
});
