import { describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { runCli } from "./helpers/cli.js";

/** A port that was free a moment ago: bind 0, read it, let it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** True when the port can be bound again: nothing of the run still holds it. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe.each([
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)("apiwh compare interrupted by %s", (signal, code) => {
  it(`exits ${code} within 2 s, prints partial JSON, no stack trace, and frees its ports`, async () => {
    const port = await freePort();
    let signalledAt = 0;
    // Payments settle after 20 s: the run is mid-flight, the receiver holding the port, when the signal lands.
    const result = await runCli(["compare", "--format", "json", "--payments", "5", "--delay", "fixed(20s)", "--deadline", "60s", "--strategies", "webhook,polling", "--webhook-port", String(port)], {
      timeoutMs: 15_000,
      onSpawn: (child) => {
        setTimeout(() => {
          signalledAt = Date.now();
          child.kill(signal);
        }, 1500);
      },
    });
    const exitedAfter = Date.now() - signalledAt;
    expect(signalledAt).toBeGreaterThan(0);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(code);
    expect(exitedAfter).toBeLessThan(2000);
    const json = JSON.parse(result.stdout) as { schemaVersion: number; partial: boolean; strategies: Array<{ name: string; payments: { total: number; missedByReason: Record<string, number> } }> };
    expect(json.schemaVersion).toBe(1);
    expect(json.partial).toBe(true);
    expect(json.strategies.map((s) => s.name)).toEqual(["webhook"]);
    expect(json.strategies[0]!.payments.total).toBe(5);
    // Still pending 1.5 s into a 60 s deadline: cut short by the signal, not missed by the deadline.
    expect(json.strategies[0]!.payments.missedByReason).toMatchObject({ interrupted: 5, deadline: 0 });
    expect(result.stderr).not.toMatch(/\n\s+at |Error:|Unhandled|ERR_/);
    expect(await canBind(port)).toBe(true);
  }, 20_000);
});
