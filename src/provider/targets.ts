/**
 * Where the provider may deliver webhooks (issue 13, S1). Registration is open to anyone who
 * reaches the API, and with `--host 0.0.0.0` that is the network: without a rule, the provider
 * would connect wherever it is told, cloud metadata and the private network included, and keep
 * retrying on the schedule. The rule:
 *
 * - loopback (127.0.0.0/8, ::1, and 0.0.0.0/:: which reach only this host) is always allowed;
 * - any other address only when `--allow-host` names the URL's host (a name or an address);
 * - link-local (169.254.0.0/16, fe80::/10, where every cloud keeps its metadata service), the
 *   other known metadata addresses, multicast and broadcast never, whatever is allowed.
 *
 * A name is resolved and each of its addresses checked, at registration and again at every
 * connection (the sender's pools connect through `lookup` below, which hands the socket only
 * checked addresses), so a name that later resolves elsewhere (DNS rebinding) is refused too.
 * Redirects are never followed: a 3xx answer is a failed attempt, and the next attempt goes to
 * the registered URL again.
 */
import { BlockList, isIP, type LookupFunction } from "node:net";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";

export type AddressClass = "loopback" | "forbidden" | "other";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("0.0.0.0", "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
LOOPBACK.addAddress("::", "ipv6");

const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet("169.254.0.0", 16, "ipv4"); // link-local: AWS, GCP, Azure, OCI metadata at 169.254.169.254
FORBIDDEN.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
FORBIDDEN.addAddress("192.0.0.192", "ipv4"); // Oracle Cloud's older metadata address
FORBIDDEN.addSubnet("224.0.0.0", 4, "ipv4"); // multicast
FORBIDDEN.addAddress("255.255.255.255", "ipv4"); // broadcast
FORBIDDEN.addSubnet("fe80::", 10, "ipv6"); // link-local
FORBIDDEN.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
FORBIDDEN.addSubnet("ff00::", 8, "ipv6"); // multicast

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it maps. */
function unmapped(address: string): { address: string; type: "ipv4" | "ipv6" } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: "ipv4" };
  const version = isIP(address);
  if (version === 0) return null;
  return { address, type: version === 4 ? "ipv4" : "ipv6" };
}

export function classify(address: string): AddressClass {
  const ip = unmapped(address);
  if (!ip) return "forbidden";
  if (FORBIDDEN.check(ip.address, ip.type)) return "forbidden";
  if (LOOPBACK.check(ip.address, ip.type)) return "loopback";
  return "other";
}

/** Resolves a host name to every address it has (as dns.lookup with `all`). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** The rule in words, for the 400 and the docs. */
export const TARGET_RULE =
  "webhooks are delivered only to loopback addresses (127.0.0.0/8, ::1) unless the provider was started with --allow-host naming the host; link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10) never";

export class TargetPolicy {
  private readonly allowed: Set<string>;

  constructor(
    allowHosts: readonly string[] = [],
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.allowed = new Set(allowHosts.map(normalHost));
  }

  /** Why `host` may not receive deliveries, or null when it may; resolves a name to check each address. */
  async refusal(host: string): Promise<string | null> {
    const name = normalHost(host);
    let addresses: string[];
    if (isIP(name) !== 0) addresses = [name];
    else {
      try {
        addresses = (await this.resolver(name)).map((a) => a.address);
      } catch (err) {
        return `its host ${name.slice(0, 64)} does not resolve (${(err as NodeJS.ErrnoException).code ?? "error"})`;
      }
      if (addresses.length === 0) return `its host ${name.slice(0, 64)} does not resolve`;
    }
    return this.refusalOf(name, addresses);
  }

  private refusalOf(name: string, addresses: string[]): string | null {
    for (const address of addresses) {
      const kind = classify(address);
      const shown = address === name ? address : `${name.slice(0, 64)} (${address})`;
      if (kind === "forbidden") return `${shown} is a link-local, metadata, multicast or broadcast address, never a webhook target`;
      if (kind === "other" && !this.allowed.has(name)) return `${shown} is not a loopback address and --allow-host does not name it`;
    }
    return null;
  }

  /**
   * A `lookup` for net.connect: resolves as the system does, then passes on only addresses the
   * rule allows for that name, so a socket can only ever open to a checked address.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const name = normalHost(hostname);
    this.resolver(name).then(
      (found) => {
        const checked = found.filter((a) => this.refusalOf(name, [a.address]) === null);
        if (checked.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`${name.slice(0, 64)}: ${this.refusalOf(name, found.map((a) => a.address)) ?? "no address"}`);
          err.code = "EACCES";
          return callback(err, "");
        }
        if (options.all) return callback(null, checked);
        callback(null, checked[0]!.address, checked[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

function normalHost(host: string): string {
  return host.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
}
