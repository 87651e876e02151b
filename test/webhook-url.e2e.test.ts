/**
 * `compare --webhook-url`: the run's webhooks go to a receiver in another process, the real
 * `apiwh listen --profile X` (which verifies each delivery in the profile's scheme with the
 * secret it was given), and the run counts each outcome when that receiver acknowledged it.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompareResult } from "../src/contract/result.js";
import { planDeliveries } from "../src/policy/delivery.js";
import { validateScenario } from "../src/scenario/validate.js";
import { BIN, runCli } from "./helpers/cli.js";

/** `apiwh listen` on a free port with `secret` from the environment; its URL once it prints it, and what it printed once stopped. */
async function listen(profile: string, secret: string) {
  const child = spawn(process.execPath, [BIN, "listen", "--port", "0", "--profile", profile], {
    env: { ...process.env, NO_COLOR: "1", APIWH_WEBHOOK_SECRET: secret },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (c) => {
      out += c;
      const m = /receiving on (http:\/\/127\.0\.0\.1:\d+\/webhook)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`listen exited: ${out}`)));
  });
  return {
    url,
    async stop(): Promise<string> {
      child.kill("SIGINT");
      await exited;
      return out;
    },
  };
}

const secret = `whsec_${randomBytes(32).toString("base64")}`;

describe("compare --webhook-url against apiwh listen in a child process", () => {
  for (const profile of ["svix", "square"]) {
    it(`${profile}: every payment's delivery reaches it, verified, and each outcome counts when acknowledged`, async () => {
      const receiver = await listen(profile, secret);
      let printed: string;
      let run: Awaited<ReturnType<typeof runCli>>;
      try {
        run = await runCli(["compare", "--profile", profile, "--payments", "8", "--speed", "10", "--strategies", "webhook", "--webhook-url", receiver.url, "--format", "json"], {
          env: { APIWH_WEBHOOK_SECRET: secret },
        });
      } finally {
        printed = await receiver.stop();
      }
      expect(run.code, run.stderr).toBe(0);
      const [webhook] = (JSON.parse(run.stdout) as CompareResult).strategies;
      expect(webhook!.receiver).toBe("external");
      expect(webhook!.payments.detected).toBe(8);
      expect(webhook!.deliveries).toEqual({ attempted: 8, succeeded: 8, retried: 0 });
      // The registration, and one delivery per payment as the provider sent it.
      expect(webhook!.requests).toMatchObject({ total: 9, providerToConsumer: 8, unattributed: 1 });
      // Bytes as the sender wrote them and read the answers: apiwh listen answers as the built-in
      // receiver does, and the virtual clock counts the built-in receiver's exchanges to the byte.
      const virtual = await runCli(["compare", "--profile", profile, "--payments", "8", "--speed", "10", "--strategies", "webhook", "--clock", "virtual", "--format", "json"]);
      expect(virtual.code, virtual.stderr).toBe(0);
      expect(webhook!.bytes).toEqual((JSON.parse(virtual.stdout) as CompareResult).strategies[0]!.bytes);
      // The receiver verified each one with the secret: eight ids, all different, nothing refused.
      const verified = printed.split("\n").filter((l) => l.includes("✓ verified"));
      expect(new Set(verified.map((l) => /pay_\d+/.exec(l)?.[0])).size).toBe(8);
      expect(printed).toMatch(/stopped: 8 deliveries verified, 0 duplicates, 0 rejected/);
      // The secret is never printed by either side.
      expect(run.stdout + run.stderr + printed).not.toContain(secret.slice(6));
    }, 30_000);
  }

  it("the plan's failures are played at the sender: retries and failures counted, only real attempts reach the receiver", async () => {
    const dir = await mkdtemp(join(tmpdir(), "apiwh-external-"));
    const doc = {
      name: "external-faults",
      seed: 5,
      profile: "svix",
      payments: { count: 10 },
      settlement: { delay: "fixed(100ms)", failureRate: 0 },
      strategies: ["webhook"],
      webhook: { retries: ["0s", "200ms", "400ms", "800ms"] },
      faults: { webhook: { failureRate: 0.4 } },
      speed: 4,
    };
    const file = join(dir, "faults.json");
    await writeFile(file, JSON.stringify(doc));
    // What the seed prescribes: every attempt, and which of them the plan fails (played at the sender, nothing sent).
    const s = validateScenario(doc, file);
    const perPayment = Array.from({ length: 10 }, (_, i) => planDeliveries(s.seed, s.faults.webhook, s.webhook.retriesMs, i, 100));
    const plan = perPayment.flat();
    const delivered = plan.filter((a) => a.outcome === "delivered").length;
    expect(plan.length, "the seed must make the plan fail some attempts").toBeGreaterThan(delivered);
    const receiver = await listen("svix", secret);
    let printed: string;
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(["compare", file, "--webhook-url", receiver.url, "--format", "json"], { env: { APIWH_WEBHOOK_SECRET: secret } });
    } finally {
      printed = await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
    expect(run.code, run.stderr).toBe(0);
    const [webhook] = (JSON.parse(run.stdout) as CompareResult).strategies;
    expect(webhook!.deliveries).toEqual({ attempted: plan.length, succeeded: delivered, retried: plan.filter((a) => a.attempt > 0).length });
    expect(webhook!.payments.detected).toBe(perPayment.filter((attempts) => attempts.some((a) => a.outcome === "delivered")).length);
    // Only the attempts the plan let through were sent, and the receiver verified each of them.
    expect(webhook!.requests.providerToConsumer).toBe(delivered);
    expect(printed.split("\n").filter((l) => l.includes("✓ verified"))).toHaveLength(delivered);
  }, 30_000);

  it("the table says what detection means with an external receiver", async () => {
    const receiver = await listen("standard", secret);
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(["compare", "--payments", "3", "--speed", "10", "--webhook-url", receiver.url], { env: { APIWH_WEBHOOK_SECRET: secret } });
    } finally {
      await receiver.stop();
    }
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.replace(/\s+/g, " ")).toContain("webhook: receiver external (--webhook-url): detected means acknowledged, your receiver answered 2xx");
  }, 30_000);

  it("refuses, in one line and exit 2, a target other than loopback, a missing secret, the virtual clock, and a secret alone", async () => {
    const env = { APIWH_WEBHOOK_SECRET: "" };
    const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
      [["--webhook-url", "http://10.0.0.5/hooks", "--secret", secret], /--webhook-url .* refused: .*loopback/],
      [["--webhook-url", "http://169.254.169.254/latest", "--secret", secret], /refused/],
      [["--webhook-url", "http://127.0.0.1:9/hooks"], /needs the receiver's signing secret/, env],
      [["--webhook-url", "http://127.0.0.1:9/hooks", "--secret", secret, "--clock", "virtual"], /needs the real clock/],
      [["--webhook-url", "http://127.0.0.1:9/hooks", "--secret", secret, "--strategies", "polling"], /expected webhook among --strategies/],
      [["--secret", secret], /expected it with --webhook-url/],
    ];
    for (const [args, message, extra] of cases) {
      const run = await runCli(["compare", ...args], { env: extra });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr).not.toContain(secret.slice(6));
    }
  }, 30_000);
});
