import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkEndpointUrl,
  DEFAULT_NETWORK_POLICY,
  InvalidCidrError,
  MAX_ENDPOINT_URL_LENGTH,
  type NetworkPolicy,
  parseCidrs,
  SsrfBlockedError,
} from './ssrf-guard.js';

const policy = (overrides: Partial<NetworkPolicy> = {}): NetworkPolicy => ({ ...DEFAULT_NETWORK_POLICY, ...overrides });

/** A URL is judged by checkEndpointUrl, anything else by checkAddress; both report the reason. */
function judge(target: string, networkPolicy: NetworkPolicy = DEFAULT_NETWORK_POLICY): string {
  if (!target.includes('://')) {
    const verdict = checkAddress(target, networkPolicy);
    return verdict.allowed ? 'allowed' : verdict.reason;
  }
  const verdict = checkEndpointUrl(target, networkPolicy);
  if (verdict.ok) return 'allowed';
  expect(verdict.code).toBe('forbidden_address');
  // detail reads "<host> is a <reason> address: <what to do>"
  expect(verdict.detail).toContain('--allow-private-networks');
  return verdict.detail.split(': ')[0]?.replace(/^.* is an? (.*) address$/, '$1') ?? '';
}

// [target, expected reason]. URLs go through the create-time check, bare strings through checkAddress.
const REFUSED: Array<[string, string]> = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://127.255.255.254:8080/hook', 'loopback'],
  ['127.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://0/', 'unspecified'],
  ['http://10.0.0.1/', 'private'],
  ['http://0x0a.0.0.1/', 'private'],
  ['https://10.255.255.255:8443/hook', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.254/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://100.64.0.1/', 'cgnat'],
  ['http://100.127.255.254/', 'cgnat'],
  ['http://169.254.169.254/latest/meta-data/', 'link-local'],
  ['http://169.254.0.1/', 'link-local'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250/', 'multicast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://192.0.0.8/', 'reserved'],
  ['http://198.18.0.1/', 'benchmarking'],
  ['http://198.19.255.254/', 'benchmarking'],
  ['http://192.0.2.1/', 'documentation'],
  ['http://203.0.113.7/', 'documentation'],
  ['http://192.88.99.1/', '6to4'],
  ['http://[::1]/', 'loopback'],
  ['http://[::]/', 'unspecified'],
  ['http://[fe80::1]/', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['http://[fec0::1]/', 'site-local'],
  ['http://[fc00::1]/', 'unique-local'],
  ['http://[fd12:3456::1]/', 'unique-local'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[ff0e::1]/', 'multicast'],
  ['http://[::ffff:127.0.0.1]/', 'ipv4-mapped loopback'],
  ['http://[::ffff:7f00:1]/', 'ipv4-mapped loopback'],
  ['::ffff:127.0.0.1', 'ipv4-mapped loopback'],
  ['http://[::ffff:10.0.0.1]/', 'ipv4-mapped private'],
  ['http://[::ffff:169.254.169.254]/', 'ipv4-mapped link-local'],
  ['http://[::ffff:0.0.0.0]/', 'ipv4-mapped unspecified'],
  // NAT64 (64:ff9b::/96): the embedded IPv4 address is judged, see ssrf-guard.ts.
  ['http://[64:ff9b::10.0.0.1]/', 'nat64 private'],
  ['http://[64:ff9b::7f00:1]/', 'nat64 loopback'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'nat64 link-local'],
  ['http://[64:ff9b:1::a00:1]/', 'reserved'],
  ['http://[2001:db8::1]/', 'documentation'],
  ['http://[2001::1]/', 'teredo'],
  ['http://[2001:2::1]/', 'benchmarking'],
  ['http://[2002:7f00:1::1]/', '6to4'],
  ['http://[100::1]/', 'reserved'],
  // IPv4-compatible (deprecated): ipaddr.js alone would read this as ::ffff:127.0.0.1; it is ::7f00:1.
  ['::127.0.0.1', 'reserved'],
  ['::8.8.8.8', 'reserved'],
  ['http://[::127.0.0.1]/', 'reserved'],
  ['not-an-ip', 'not an ip address'],
  ['', 'not an ip address'],
  ['::ffff:0x7f.0.0.1', 'not an ip address'],
  ['1.2.3.4.5', 'not an ip address'],
];

const ALLOWED: string[] = [
  'http://93.184.216.34/',
  'https://1.1.1.1/hook',
  'http://8.8.8.8:8080/',
  'http://[2606:4700:4700::1111]/',
  'https://example.com/webhooks?tenant=1',
  'https://hooks.example.com:8443/a/b',
  'http://localhost.example.com/',
  // A name is not judged at create time: its addresses are checked by the connector when it connects.
  'https://internal.corp.example/',
  // Neighbours of blocked ranges, so an off-by-one in a prefix length fails here.
  'http://172.15.255.255/',
  'http://172.32.0.1/',
  'http://100.63.255.255/',
  'http://100.128.0.1/',
  'http://169.253.255.255/',
  'http://192.169.0.1/',
  'http://198.20.0.1/',
  'http://223.255.255.255/',
  'http://[::ffff:1.1.1.1]/',
  'http://[64:ff9b::808:808]/',
  'http://[2620:4f:8000::1]/',
  '93.184.216.34',
  '1.1.1.1',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
];

describe('SSRF refusals', () => {
  it('has a table of at least 30 targets', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(REFUSED)('refuses %s as %s', (target, reason) => {
    expect(judge(target)).toBe(reason);
  });

  it.each(ALLOWED)('allows the public target %s', (target) => {
    expect(judge(target)).toBe('allowed');
  });

  it.each([
    ['http://localhost/'],
    ['http://localhost./'],
    ['http://LOCALHOST:8080/hook'],
    ['http://foo.localhost/'],
    ['https://a.b.localhost:3000/'],
  ])('refuses the name %s, which always means this machine', (url) => {
    const verdict = checkEndpointUrl(url, DEFAULT_NETWORK_POLICY);
    expect(verdict).toMatchObject({ ok: false, code: 'forbidden_address' });
  });

  it.each([
    ['ftp://example.com/', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'unsupported_scheme'],
    ['ws://example.com/', 'unsupported_scheme'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['http://user:pass@example.com/', 'credentials_in_url'],
    ['http://user@example.com/', 'credentials_in_url'],
    ['https://:secret@example.com/', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
    ['/relative/path', 'invalid_url'],
    ['http://1.2.3.4.5/', 'invalid_url'],
    ['http://[fe80::1%25eth0]/', 'invalid_url'],
    [`https://example.com/${'a'.repeat(MAX_ENDPOINT_URL_LENGTH)}`, 'invalid_url'],
  ])('rejects %s with %s', (url, code) => {
    const verdict = checkEndpointUrl(url, DEFAULT_NETWORK_POLICY);
    expect(verdict).toMatchObject({ ok: false, code });
  });

  it('accepts a URL of exactly the maximum length and returns the parsed URL', () => {
    const prefix = 'https://example.com/';
    const url = prefix + 'a'.repeat(MAX_ENDPOINT_URL_LENGTH - prefix.length);
    const verdict = checkEndpointUrl(url, DEFAULT_NETWORK_POLICY);
    expect(verdict.ok && verdict.url.href).toBe(url);
  });

  it('returns the normalized URL, not the raw string', () => {
    const verdict = checkEndpointUrl('HTTPS://Example.COM:443/hook', DEFAULT_NETWORK_POLICY);
    expect(verdict.ok && verdict.url.href).toBe('https://example.com/hook');
  });
});

describe('allowlist and allowPrivateNetworks', () => {
  it('allowedCidrs lets 10.1.2.3 through but not 10.2.0.1', () => {
    const allowing = policy({ allowedCidrs: ['10.1.0.0/16'] });
    expect(checkAddress('10.1.2.3', allowing)).toEqual({ allowed: true });
    expect(checkAddress('10.2.0.1', allowing)).toEqual({ allowed: false, reason: 'private' });
    expect(checkEndpointUrl('http://10.1.2.3:9000/hook', allowing).ok).toBe(true);
    expect(checkEndpointUrl('http://10.2.0.1:9000/hook', allowing)).toMatchObject({ ok: false });
  });

  it('an allowlisted IPv4 network is allowed in its IPv4-mapped spelling too, and nothing wider', () => {
    const allowing = policy({ allowedCidrs: ['10.1.0.0/16'] });
    expect(checkAddress('::ffff:10.1.2.3', allowing)).toEqual({ allowed: true });
    expect(checkAddress('::ffff:10.2.0.1', allowing)).toEqual({ allowed: false, reason: 'ipv4-mapped private' });
    expect(checkAddress('127.0.0.1', allowing)).toEqual({ allowed: false, reason: 'loopback' });
  });

  it('IPv6 ranges and single hosts can be allowlisted', () => {
    const allowing = policy({ allowedCidrs: ['fd00::/8', '192.168.1.10'] });
    expect(checkAddress('fd12::1', allowing)).toEqual({ allowed: true });
    expect(checkAddress('fc00::1', allowing)).toEqual({ allowed: false, reason: 'unique-local' });
    expect(checkAddress('192.168.1.10', allowing)).toEqual({ allowed: true });
    expect(checkAddress('192.168.1.11', allowing)).toEqual({ allowed: false, reason: 'private' });
  });

  it('an allowlisted loopback range does not let the name localhost pass at create time', () => {
    const allowing = policy({ allowedCidrs: ['127.0.0.0/8'] });
    expect(checkEndpointUrl('http://127.0.0.1:8080/', allowing).ok).toBe(true);
    expect(checkEndpointUrl('http://localhost:8080/', allowing)).toMatchObject({ ok: false });
  });

  it('allowPrivateNetworks lets every address in the refusal table through', () => {
    const open = policy({ allowPrivateNetworks: true });
    for (const [target] of REFUSED) {
      if (target.includes('://')) expect(judge(target, open), target).toBe('allowed');
    }
    for (const address of ['127.0.0.1', '::1', '169.254.169.254', '::ffff:10.0.0.1', 'fe80::1%eth0']) {
      expect(checkAddress(address, open), address).toEqual({ allowed: true });
    }
    expect(checkEndpointUrl('http://localhost:3000/hook', open).ok).toBe(true);
    expect(checkEndpointUrl('http://app.localhost/', open).ok).toBe(true);
  });

  it('allowPrivateNetworks does not allow other schemes or credentials', () => {
    const open = policy({ allowPrivateNetworks: true });
    expect(checkEndpointUrl('ftp://127.0.0.1/', open)).toMatchObject({ ok: false, code: 'unsupported_scheme' });
    expect(checkEndpointUrl('http://a:b@127.0.0.1/', open)).toMatchObject({ ok: false, code: 'credentials_in_url' });
  });

  it('requireHttps refuses http: with https_required and lets https: through; off by default', () => {
    const strict = policy({ requireHttps: true });
    expect(checkEndpointUrl('http://example.com/hook', strict)).toMatchObject({ ok: false, code: 'https_required' });
    expect(checkEndpointUrl('HTTP://example.com/hook', strict)).toMatchObject({ ok: false, code: 'https_required' });
    expect(checkEndpointUrl('https://example.com/hook', strict).ok).toBe(true);
    expect(checkEndpointUrl('http://example.com/hook', policy({})).ok).toBe(true);
    // The address rules still apply to an https: URL.
    expect(checkEndpointUrl('https://127.0.0.1/', strict)).toMatchObject({ ok: false, code: 'forbidden_address' });
  });

  it('the default policy refuses private networks and allowlists nothing', () => {
    expect(DEFAULT_NETWORK_POLICY).toEqual({ allowPrivateNetworks: false, allowedCidrs: [] });
    expect(Object.isFrozen(DEFAULT_NETWORK_POLICY)).toBe(true);
  });
});

describe('parseCidrs', () => {
  it('normalizes valid ranges and reads a bare address as one host', () => {
    const ranges = parseCidrs(['10.1.0.0/16', 'FD00::/8', '192.168.1.10', '::1', '0.0.0.0/0']);
    expect(ranges.map((range) => range.cidr)).toEqual([
      '10.1.0.0/16',
      'fd00::/8',
      '192.168.1.10/32',
      '::1/128',
      '0.0.0.0/0',
    ]);
  });

  it.each([
    ['10.1.2.3/16', 'did you mean 10.1.0.0/16?'],
    ['fd00::1/8', 'did you mean fd00::/8?'],
    ['10.0.0.0/33', 'prefix length must be a number 0-32'],
    ['fd00::/129', 'prefix length must be a number 0-128'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/8x', 'prefix length'],
    ['10.1/16', 'expected an IPv4'],
    ['0x0a.0.0.0/8', 'expected an IPv4'],
    ['banana', 'expected an IPv4'],
    ['', 'expected an IPv4'],
    ['fe80::%eth0/10', 'expected an IPv4'],
  ])('refuses %s with a clear message (%s)', (cidr, message) => {
    let thrown: unknown;
    try {
      parseCidrs(['10.0.0.0/8', cidr]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidCidrError);
    expect(thrown).toMatchObject({ code: 'HOOKLINE_INVALID_CIDR', cidr });
    expect((thrown as InvalidCidrError).message).toContain(message);
  });

  it('checkAddress refuses to run with an invalid allowlist instead of ignoring it', () => {
    expect(() => checkAddress('10.0.0.1', policy({ allowedCidrs: ['10.0.0.0/40'] }))).toThrow(InvalidCidrError);
  });
});

describe('SsrfBlockedError', () => {
  it('carries a stable code, the address, the reason and the name it came from', () => {
    const error = new SsrfBlockedError('10.0.0.1', 'private', 'internal.example.com');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'HOOKLINE_SSRF_BLOCKED',
      address: '10.0.0.1',
      reason: 'private',
      hostname: 'internal.example.com',
      name: 'SsrfBlockedError',
    });
    expect(error.message).toBe('refused to connect to 10.0.0.1 (resolved from internal.example.com): private address');
  });
});
