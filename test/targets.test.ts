import { Socket } from "node:net";
import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProvider, type Provider } from "../src/provider/server.js";
import { classify, TargetPolicy } from "../src/provider/targets.js";
import { json, recordingServer } from "./helpers/http.js";
import { providerOptions } from "./helpers/provider.js";
import { runCli } from "./helpers/cli.js";

// Issue 13, S1: the provider delivers to loopback unless --allow-host names another host, and to
// link-local or metadata addresses never. Every socket the process opens is watched: one headed
// anywhere but loopback is recorded and destroyed before it connects, so these tests observe the
// refusal and never send to a refused address.

const attempted: string[] = [];
const originalConnect = Socket.prototype.connect;
beforeEach(() => {
  attempted.length = 0;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    // net.connect() hands the socket its arguments already normalized, as an array [options, callback].
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === "object" && first !== null ? first : { port: first, host: args[1] }) as { host?: string; path?: string };
    if (options.path) return originalConnect.apply(this, args as Parameters<Socket["connect"]>);
    const host = String(options.host ?? "localhost");
    attempted.push(host);
    const stop = (address: string) => {
      if (classify(address) !== "loopback") this.destroy(Object.assign(new Error(`test: blocked a connection to ${address}`), { code: "ECONNREFUSED" }));
    };
    // An address is stopped before connect; a name once it resolves (the socket checks it was not destroyed before connecting).
    if (/^[\d.]+$|:/.test(host)) {
      if (classify(host) !== "loopback") {
        process.nextTick(() => stop(host));
        return this;
      }
    } else this.on("lookup", (err: Error | null, address: string) => !err && (attempted.push(`${host}→${address}`), stop(address)));
    return originalConnect.apply(this, args as Parameters<Socket["connect"]>);
  } as Socket["connect"];
});
afterEach(async () => {
  Socket.prototype.connect = originalConnect;
  for (const c of cleanups.splice(0)) await c();
});
const cleanups: Array<() => Promise<void>> = [];

/** A resolver with fixed answers, changeable during the test (a name that later resolves elsewhere). */
function fakeDns(table: Record<string, string[]>) {
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    const found = table[host];
    if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { table, resolve };
}

async function provider(allowHosts: string[] = [], dns = fakeDns({})): Promise<Provider> {
  const p = await startProvider(providerOptions("fixed(100ms)", { allowHosts, resolve: dns.resolve, webhook: { retriesMs: [0, 100], timeoutMs: 1000, signature: "standard-webhooks" } }));
  cleanups.push(() => p.close());
  return p;
}

const register = (p: Provider, url: string) => json(`${p.url}/webhook-endpoints`, { method: "POST", body: { url } });

describe("classify", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["0.0.0.0", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["169.254.169.254", "forbidden"],
    ["169.254.0.1", "forbidden"],
    ["::ffff:169.254.169.254", "forbidden"],
    ["fe80::1", "forbidden"],
    ["fd00:ec2::254", "forbidden"],
    ["100.100.100.200", "forbidden"],
    ["224.0.0.1", "forbidden"],
    ["255.255.255.255", "forbidden"],
    ["10.0.0.1", "other"],
    ["192.168.1.10", "other"],
    ["8.8.8.8", "other"],
    ["2001:db8::1", "other"],
    ["not an address", "forbidden"],
  ])("%s is %s", (address, kind) => {
    expect(classify(address)).toBe(kind);
  });
});

describe("POST /webhook-endpoints refuses what the rule does not allow, with 400 naming it", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a link-local, metadata, multicast or broadcast address/],
    ["http://10.0.0.1/hook", /10\.0\.0\.1 is not a loopback address and --allow-host does not name it/],
    ["http://[fe80::1]:8080/hook", /fe80::1 is a link-local/],
    ["http://[::ffff:169.254.169.254]/", /is a link-local/],
    ["http://metadata.test/", /metadata\.test \(169\.254\.169\.254\) is a link-local/],
    ["http://intranet.test/hook", /intranet\.test \(10\.1\.2\.3\) is not a loopback address/],
    ["http://nowhere.test/", /its host nowhere\.test does not resolve \(ENOTFOUND\)/],
  ])("%s", async (url, reason) => {
    const p = await provider([], fakeDns({ "metadata.test": ["169.254.169.254"], "intranet.test": ["10.1.2.3"] }));
    const r = await register(p, url);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe("url");
    expect(r.body.error.message).toMatch(reason);
    expect(r.body.error.message).toMatch(/webhooks are delivered only to loopback addresses .* unless the provider was started with --allow-host/);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempted.filter((h) => !/^127\.|^localhost$/.test(h))).toEqual([]);
  });

  it("--allow-host lets a named host in, but never a link-local or metadata address, even by name", async () => {
    const dns = fakeDns({ "partner.test": ["10.9.9.9"], "sneaky.test": ["10.9.9.8", "169.254.169.254"] });
    const p = await provider(["10.0.0.1", "partner.test", "sneaky.test", "169.254.169.254"], dns);
    expect((await register(p, "http://10.0.0.1/hook")).status).toBe(201);
    expect((await register(p, "http://partner.test/hook")).status).toBe(201);
    const sneaky = await register(p, "http://sneaky.test/hook");
    expect(sneaky.status).toBe(400);
    expect(sneaky.body.error.message).toMatch(/sneaky\.test \(169\.254\.169\.254\) is a link-local/);
    expect((await register(p, "http://169.254.169.254/")).status).toBe(400);
    // The allowed endpoints were dialled (the warm-up), and stopped here before connecting.
    await until(() => attempted.includes("10.0.0.1") && attempted.includes("partner.test→10.9.9.9"));
    expect(attempted.some((h) => h.includes("169.254"))).toBe(false);
  });

  it("a name that resolves to loopback at registration and elsewhere later (DNS rebinding) is never connected elsewhere", async () => {
    // Every answer closes its connection, so each delivery opens (and looks up) a new one.
    const posted: string[] = [];
    const hook = createServer((req, res) => {
      req.resume();
      if (req.method === "POST") posted.push(req.url ?? "");
      res.writeHead(204, { connection: "close" }).end();
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => (hook.close(() => r()), hook.closeAllConnections())));
    const port = (hook.address() as AddressInfo).port;
    const dns = fakeDns({ "rebind.test": ["127.0.0.1"] });
    const p = await provider([], dns);
    expect((await register(p, `http://rebind.test:${port}/hook`)).status).toBe(201);
    await until(() => attempted.includes("rebind.test→127.0.0.1")); // the registration's warm-up
    // From now on the name points at the metadata service, then at the private network.
    dns.table["rebind.test"] = ["169.254.169.254", "10.0.0.7"];
    await json(`${p.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    // Its delivery and its retry both fail at the lookup: the sender's socket gets no address to connect to.
    await until(() => p.snapshot().deliveries.attempted >= 2);
    expect(p.snapshot().deliveries.succeeded).toBe(0);
    expect(posted).toEqual([]);
    // The one connection the name got was the registration's warm-up, to the address checked then.
    expect(attempted.filter((h) => h.startsWith("rebind.test→"))).toEqual(["rebind.test→127.0.0.1"]);
  });

  it("a redirect is never followed: a 307 to another address is a failed attempt, and the target never hears of it", async () => {
    const target = await recordingServer();
    cleanups.push(() => target.close());
    const redirector: Server = createServer((req, res) => {
      req.resume();
      if (req.method === "OPTIONS") return void res.writeHead(204).end();
      res.writeHead(307, { location: target.url }).end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => (redirector.close(() => r()), redirector.closeAllConnections())));
    const p = await provider();
    expect((await register(p, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`)).status).toBe(201);
    await json(`${p.url}/payments`, { method: "POST", body: { amount: 100, currency: "usd" } });
    await until(() => p.snapshot().deliveries.attempted >= 2);
    expect(p.snapshot().deliveries.succeeded).toBe(0);
    expect(target.deliveries).toHaveLength(0);
  });
});

describe("apiwh provider --allow-host", () => {
  it("refuses a link-local or metadata address, and what is not a host, exit 2", async () => {
    for (const [host, message] of [
      ["169.254.169.254", /^error: --allow-host 169\.254\.169\.254: a link-local, metadata, multicast or broadcast address is never a webhook target/],
      ["fe80::1", /^error: --allow-host fe80::1: a link-local/],
      ["http://x/", /^error: --allow-host "http:\/\/x\/": not a host; expected a host name or an address/],
    ] as const) {
      const r = await runCli(["provider", "--port", "0", "--allow-host", host]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
