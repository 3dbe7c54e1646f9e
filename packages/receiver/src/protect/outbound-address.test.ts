import { describe, expect, it } from 'vitest';
import { createOutboundAddressGuard, judgeUrlHost } from './outbound-address.js';

describe('createOutboundAddressGuard', () => {
  const guard = createOutboundAddressGuard();

  it('allows public unicast addresses, IPv4 and IPv6', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '[2606:4700::1111]']) {
      expect(guard(address), address).toEqual({ allowed: true });
    }
  });

  it('refuses loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and the like', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['192.0.2.1', 'reserved'],
      ['::1', 'loopback'],
      ['fe80::1', 'linkLocal'],
      ['fd00::1', 'uniqueLocal'],
      ['2002:7f00:1::', '6to4'],
      ['2001::1', 'teredo'],
      ['::7f00:1', 'reserved'], // IPv4-compatible: outside 2000::/3
    ];
    for (const [address, reason] of cases) {
      expect(guard(address), address).toEqual({ allowed: false, reason: `${reason} address` });
    }
  });

  it('judges the IPv4 address an IPv4-mapped or NAT64 address carries', () => {
    expect(guard('::ffff:127.0.0.1')).toEqual({ allowed: false, reason: 'loopback address' });
    expect(guard('64:ff9b::a00:1')).toEqual({ allowed: false, reason: 'private address' });
    expect(guard('::ffff:8.8.8.8')).toEqual({ allowed: true });
  });

  it('refuses what is not a canonical address (inet_aton forms are the URL parser’s job)', () => {
    for (const text of ['localhost', '127.1', '0x7f000001', '2130706433', '', 'fe80::1%eth0']) {
      expect(guard(text).allowed, text).toBe(false);
    }
  });

  it('allowPrivateNetworks opens everything; allowedCidrs opens only the ranges named', () => {
    expect(createOutboundAddressGuard({ allowPrivateNetworks: true })('127.0.0.1')).toEqual({ allowed: true });
    const some = createOutboundAddressGuard({ allowedCidrs: ['10.1.0.0/16'] });
    expect(some('10.1.2.3')).toEqual({ allowed: true });
    expect(some('::ffff:10.1.2.3')).toEqual({ allowed: true });
    expect(some('10.2.0.1').allowed).toBe(false);
    expect(some('127.0.0.1').allowed).toBe(false);
  });

  it('refuses a bad CIDR at configuration', () => {
    expect(() => createOutboundAddressGuard({ allowedCidrs: ['10.0.0.0/99'] })).toThrow(/CIDR/);
  });
});

describe('judgeUrlHost', () => {
  const guard = createOutboundAddressGuard();
  it('judges address hosts and localhost names, and leaves other names to resolution', () => {
    expect(judgeUrlHost(new URL('http://0x7f.1/').hostname, guard)).toEqual({
      allowed: false,
      reason: 'loopback address',
    });
    expect(judgeUrlHost(new URL('http://[::1]/').hostname, guard)?.allowed).toBe(false);
    expect(judgeUrlHost('localhost', guard)).toEqual({ allowed: false, reason: 'loopback name' });
    expect(judgeUrlHost('api.localhost.', guard)?.allowed).toBe(false);
    expect(judgeUrlHost('api.pay.example', guard)).toBeUndefined();
    expect(judgeUrlHost('localhost', createOutboundAddressGuard({ allowPrivateNetworks: true }))).toEqual({
      allowed: true,
    });
  });
});
