import { createAddressMatcher, createClientAddressResolver } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';

describe('createAddressMatcher', () => {
  const allowed = createAddressMatcher([
    '192.30.252.0/22',
    '2620:112:3000::/44',
    '203.0.113.9',
    '::ffff:198.51.100.0/120',
  ]);

  it.each([
    ['192.30.252.1', true],
    ['192.30.255.254', true],
    ['192.30.251.255', false],
    ['::ffff:192.30.253.7', true],
    ['2620:112:3000::1', true],
    ['2620:112:3010::1', false],
    ['203.0.113.9', true],
    ['203.0.113.10', false],
    ['198.51.100.20', true],
    ['[2620:112:3000::5]', true],
    ['not-an-ip', false],
    ['', false],
  ])('%s → %s', (address, expected) => {
    expect(allowed(address)).toBe(expected);
  });

  it('an undefined address is never allowed', () => {
    expect(allowed(undefined)).toBe(false);
  });

  it('refuses a bad range at construction', () => {
    expect(() => createAddressMatcher(['10.0.0.0/33'])).toThrow(/CIDR/);
    expect(() => createAddressMatcher(['example.com'])).toThrow(/CIDR/);
  });
});

describe('createClientAddressResolver', () => {
  const xff = '198.51.100.1, 10.0.0.2, 10.0.0.3';

  it('false: the socket peer, whatever X-Forwarded-For says', () => {
    expect(createClientAddressResolver(false)('10.0.0.4', xff)).toBe('10.0.0.4');
  });

  it('a hop count: that many proxies from the right', () => {
    expect(createClientAddressResolver(1)('10.0.0.4', xff)).toBe('10.0.0.3');
    expect(createClientAddressResolver(3)('10.0.0.4', xff)).toBe('198.51.100.1');
    expect(createClientAddressResolver(10)('10.0.0.4', xff)).toBe('198.51.100.1');
  });

  it('trusted ranges: the first address from the right that is not a proxy of ours', () => {
    expect(createClientAddressResolver(['10.0.0.0/8'])('10.0.0.4', xff)).toBe('198.51.100.1');
    // A client that forges an entry on the left does not get past an untrusted hop.
    expect(createClientAddressResolver(['10.0.0.0/8'])('10.0.0.4', '10.9.9.9, 203.0.113.5')).toBe('203.0.113.5');
    expect(createClientAddressResolver(['10.0.0.0/8'])('203.0.113.5', xff)).toBe('203.0.113.5');
  });

  it('true: the leftmost entry', () => {
    expect(createClientAddressResolver(true)('10.0.0.4', xff)).toBe('198.51.100.1');
    expect(createClientAddressResolver(true)('10.0.0.4', undefined)).toBe('10.0.0.4');
  });
});
