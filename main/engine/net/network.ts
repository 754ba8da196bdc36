import dns from 'node:dns';
import net from 'node:net';

/**
 * How a host name becomes addresses for every request the engine sends (providers, downloads,
 * staging). Injected so tests decide what exists: a resolver that knows only loopback proves no
 * request leaves the machine. The request then connects to exactly the addresses resolved here,
 * so what was checked is what is used.
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

/** A resolver for tests: `names` map to loopback addresses; everything else does not exist. */
export function loopbackOnlyResolver(names: readonly string[] = ['localhost']): HostResolver {
  return (hostname) => {
    const bare = hostname.replace(/^\[|\]$/g, '');
    if (bare === '127.0.0.1' || names.includes(bare)) return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    if (bare === '::1') return Promise.resolve([{ address: '::1', family: 6 }]);
    return Promise.reject(
      Object.assign(new Error(`${hostname} is not resolvable in this test`), { code: 'ENOTFOUND' }),
    );
  };
}

/** The host of a URL as a resolver takes it: IPv6 literals without brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Resolves a URL's host; an IP literal is still handed to the resolver, which may refuse it. */
export async function resolveUrlHost(url: URL, resolve: HostResolver): Promise<ResolvedAddress[]> {
  const addresses = await resolve(bareHost(url));
  if (addresses.length === 0) throw Object.assign(new Error(`${url.hostname} has no address`), { code: 'ENOTFOUND' });
  return addresses;
}

/** A `lookup` for Node's http/net that answers with addresses resolved beforehand, never asking DNS again. */
export function fixedLookup(addresses: readonly ResolvedAddress[]): net.LookupFunction {
  return ((_hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    if (options.all)
      callback(
        null,
        addresses.map((entry) => ({ address: entry.address, family: entry.family })),
      );
    else callback(null, addresses[0]?.address, addresses[0]?.family);
  }) as net.LookupFunction;
}

/** This machine: `localhost`, 127.0.0.0/8 or ::1 (a sandbox may live here; nothing else may use plain http). */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Addresses that are not the public internet: this machine, private networks, link-local (cloud
 * metadata services live there), carrier-grade NAT, multicast, documentation and benchmark ranges.
 */
const NOT_PUBLIC = (() => {
  const list = new net.BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['2001:db8::', 32],
    ['64:ff9b::', 96],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
})();

const LOOPBACK = (() => {
  const list = new net.BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
})();

/** An IPv4 address written as IPv6 (::ffff:10.0.0.5) is judged as the IPv4 address it is. */
function unmapped(address: ResolvedAddress): ResolvedAddress {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address.address);
  return match?.[1] ? { address: match[1], family: 4 } : address;
}

export function isPublicAddress(address: ResolvedAddress): boolean {
  const plain = unmapped(address);
  return !NOT_PUBLIC.check(plain.address, plain.family === 6 ? 'ipv6' : 'ipv4');
}

export function isLoopbackAddress(address: ResolvedAddress): boolean {
  const plain = unmapped(address);
  return LOOPBACK.check(plain.address, plain.family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * A rule on where a request may go, judged after DNS on the addresses it will connect to: the
 * reason it may not, or null. A host that resolves to a private address is refused before any
 * connection, whatever its name.
 */
export type AddressRule = (url: URL, addresses: readonly ResolvedAddress[]) => string | null;

/**
 * Where a provider's outputs may be fetched from: public addresses over https. A provider that
 * itself lives on this machine over plain http (a sandbox) may name outputs on this machine, and
 * only there. Private and link-local addresses never.
 */
export function outputAddressRule(providerBaseUrl: string): AddressRule {
  const base = URL.parse(providerBaseUrl);
  const sandbox = base !== null && base.protocol === 'http:' && isLoopbackHost(base.hostname);
  return sandbox ? loopbackOnly : publicHttpsOnly;
}

/** Where staging storage may be: a public https endpoint, or one on this machine (a test store). */
export const stagingAddressRule: AddressRule = (url, addresses) =>
  addresses.every(isLoopbackAddress) ? null : publicHttpsOnly(url, addresses);

const loopbackOnly: AddressRule = (_url, addresses) =>
  addresses.every(isLoopbackAddress) ? null : 'it is not on this machine, where the provider itself is';

const publicHttpsOnly: AddressRule = (url, addresses) => {
  if (url.protocol !== 'https:') return 'only https addresses are used';
  const inner = addresses.find((address) => !isPublicAddress(address));
  return inner ? `it resolves to ${inner.address}, a private or local address` : null;
};
