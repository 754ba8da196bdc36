import dns from 'node:dns';
import type net from 'node:net';

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
