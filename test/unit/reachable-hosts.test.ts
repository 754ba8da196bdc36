import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { reachableHosts } from '../../main/headless/server';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): os.NetworkInterfaceInfo => ({
  address,
  family,
  internal,
  netmask: '',
  mac: '',
  cidr: null,
  scopeid: 0,
});

const interfaces = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::20', 'IPv6')],
};

describe('reachableHosts', () => {
  it('is the bound address itself for a specific host', () => {
    expect(reachableHosts('127.0.0.1', interfaces)).toEqual(['127.0.0.1']);
    expect(reachableHosts('localhost', interfaces)).toEqual(['127.0.0.1']);
    expect(reachableHosts('192.168.1.20', interfaces)).toEqual(['192.168.1.20']);
    expect(reachableHosts('::1', interfaces)).toEqual(['[::1]']);
  });

  it('lists the network addresses first, then loopback, for a wildcard bind', () => {
    expect(reachableHosts('0.0.0.0', interfaces)).toEqual(['192.168.1.20', '127.0.0.1']);
    expect(reachableHosts('::', interfaces)).toEqual(['192.168.1.20', '[2001:db8::20]', '127.0.0.1', '[::1]']);
  });
});
