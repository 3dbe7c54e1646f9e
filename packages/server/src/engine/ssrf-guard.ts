// The SSRF guard's pure core: which addresses and endpoint URLs the delivery engine may reach. No I/O here; the
// connector (guarded-connector.ts) resolves names and asks these functions about every address it would dial.

import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface NetworkPolicy {
  /** Local development and tests only: allow every address (loopback, private...). Never the default. */
  allowPrivateNetworks: boolean;
  /** CIDR ranges allowed even though they are private/loopback/etc (e.g. '10.1.0.0/16', 'fd00::/8'). */
  allowedCidrs: readonly string[];
  /** Production: endpoint URLs must be https: (checked when an endpoint is created or changed). */
  requireHttps?: boolean;
}

export const DEFAULT_NETWORK_POLICY: NetworkPolicy = Object.freeze({
  allowPrivateNetworks: false,
  allowedCidrs: Object.freeze([]) as readonly string[],
});

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type EndpointUrlVerdict =
  | { ok: true; url: URL }
  | {
      ok: false;
      code: 'invalid_url' | 'unsupported_scheme' | 'forbidden_address' | 'credentials_in_url' | 'https_required';
      detail: string;
    };

/** Why an address is refused. Addresses that embed an IPv4 address get a prefix: 'ipv4-mapped loopback'. */
export type BlockedAddressCategory =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'site-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'teredo'
  | '6to4'
  | 'reserved';

/** The engine records this on the attempt; `code` is stable, `reason` is a BlockedAddressCategory (maybe prefixed). */
/** What to do about a refused address, said where the refusal is: the guard is on by default, and how to lower it. */
export const PRIVATE_ADDRESS_HINT =
  'endpoints must be public addresses (SSRF guard). For a receiver on this machine, run the server in development mode (npm start, or npx hookline serve --dev) or with --allow-private-networks; to reach chosen private ranges, list them in allowedCidrs';

export class SsrfBlockedError extends Error {
  readonly code = 'HOOKLINE_SSRF_BLOCKED';
  override readonly name = 'SsrfBlockedError';
  readonly address: string;
  readonly reason: string;
  /** The name that resolved to `address`, when the target was a hostname rather than a literal. */
  readonly hostname: string | undefined;
  readonly detail: string;

  constructor(address: string, reason: string, hostname?: string) {
    const via = hostname !== undefined && hostname !== address ? ` (resolved from ${hostname})` : '';
    const detail = `refused to connect to ${address}${via}: ${reason} address`;
    super(detail);
    this.address = address;
    this.reason = reason;
    this.hostname = hostname;
    this.detail = detail;
  }
}

export class InvalidCidrError extends Error {
  readonly code = 'HOOKLINE_INVALID_CIDR';
  override readonly name = 'InvalidCidrError';
  readonly cidr: string;
  readonly detail: string;

  constructor(cidr: string, problem: string) {
    const detail = `invalid CIDR ${JSON.stringify(cidr)} in allowedCidrs: ${problem}`;
    super(detail);
    this.cidr = cidr;
    this.detail = detail;
  }
}

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface CidrRange {
  /** Normalized text, e.g. '10.1.0.0/16'. */
  readonly cidr: string;
  readonly network: IpAddress;
  readonly prefixLength: number;
}

/** Explicit bound: long URLs are a smuggling vector and no real endpoint needs more. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

// Blocked ranges, after the IANA IPv4/IPv6 Special-Purpose Address Registries. Matched in insertion order, so a
// narrower entry (broadcast) is listed before the wider one that contains it (240.0.0.0/4).
type Range = [IpAddress, number];
const v4 = (cidr: string): Range => ipaddr.IPv4.parseCIDR(cidr);
const v6 = (cidr: string): Range => ipaddr.IPv6.parseCIDR(cidr);

const BLOCKED_IPV4: ReadonlyArray<readonly [BlockedAddressCategory, readonly Range[]]> = [
  ['unspecified', [v4('0.0.0.0/8')]], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['loopback', [v4('127.0.0.0/8')]],
  ['private', [v4('10.0.0.0/8'), v4('172.16.0.0/12'), v4('192.168.0.0/16')]],
  ['cgnat', [v4('100.64.0.0/10')]],
  ['link-local', [v4('169.254.0.0/16')]], // includes the cloud metadata service 169.254.169.254
  ['multicast', [v4('224.0.0.0/4')]],
  ['broadcast', [v4('255.255.255.255/32')]],
  ['documentation', [v4('192.0.2.0/24'), v4('198.51.100.0/24'), v4('203.0.113.0/24')]],
  ['benchmarking', [v4('198.18.0.0/15')]],
  ['6to4', [v4('192.88.99.0/24')]], // deprecated 6to4 relay anycast
  ['reserved', [v4('192.0.0.0/24'), v4('240.0.0.0/4')]],
];

const BLOCKED_IPV6: ReadonlyArray<readonly [BlockedAddressCategory, readonly Range[]]> = [
  ['unspecified', [v6('::/128')]],
  ['loopback', [v6('::1/128')]],
  ['link-local', [v6('fe80::/10')]],
  ['site-local', [v6('fec0::/10')]], // deprecated, but still routed inside some networks
  ['unique-local', [v6('fc00::/7')]],
  ['multicast', [v6('ff00::/8')]],
  ['documentation', [v6('2001:db8::/32'), v6('3fff::/20')]],
  ['benchmarking', [v6('2001:2::/48')]],
  ['teredo', [v6('2001::/32')]], // tunnels to an IPv4 address we would not check
  ['6to4', [v6('2002::/16')]], // embeds any IPv4 address, private ones included
  ['reserved', [v6('2001::/23')]], // IETF protocol assignments (ORCHID, AMT, ...)
];

// Everything outside 2000::/3 that is not handled above is refused: IPv4-compatible ::/96, discard 100::/64,
// local-use NAT64 64:ff9b:1::/48, segment routing, and space IANA has not allocated for global unicast.
const GLOBAL_UNICAST_V6 = v6('2000::/3');
const IPV4_MAPPED = v6('::ffff:0:0/96');
// NAT64 well-known prefix (RFC 6052). On IPv6-only networks DNS64 synthesizes these for every IPv4-only host, so
// refusing the prefix outright would make such subscribers undeliverable; instead the embedded IPv4 is judged.
const NAT64_WELL_KNOWN = v6('64:ff9b::/96');

const parsedCidrsCache = new WeakMap<readonly string[], readonly CidrRange[]>();

/**
 * Validates allowlist CIDRs at configuration time. A bare address means that one host (/32 or /128). IPv4 must be
 * four-part decimal: '10.1/16' is valid to inet_aton but not what a reader of the config file would assume.
 */
export function parseCidrs(cidrs: readonly string[]): readonly CidrRange[] {
  return cidrs.map(parseOneCidr);
}

function parseOneCidr(raw: string): CidrRange {
  const text = raw.trim();
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  let network: IpAddress;
  if (isIPv4(addressText)) {
    network = ipaddr.IPv4.parse(addressText);
  } else if (isIPv6(addressText) && !addressText.includes('%')) {
    network = ipaddr.IPv6.parse(addressText);
  } else {
    throw new InvalidCidrError(raw, 'expected an IPv4 (a.b.c.d/n) or IPv6 (x::/n) network');
  }
  const maxPrefix = network.kind() === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) {
    throw new InvalidCidrError(raw, `the prefix length must be a number 0-${maxPrefix}`);
  }
  const prefixLength = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefixLength > maxPrefix) {
    throw new InvalidCidrError(raw, `the prefix length must be a number 0-${maxPrefix}`);
  }
  const cidr = `${network.toString()}/${prefixLength}`;
  const networkAddress =
    network.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  if (networkAddress.toString() !== network.toString()) {
    // Refused rather than silently widened: '10.1.2.3/16' is more often a typo than a wish for all of 10.1.0.0/16.
    throw new InvalidCidrError(raw, `host bits are set; did you mean ${networkAddress.toString()}/${prefixLength}?`);
  }
  return { cidr, network, prefixLength };
}

function allowedRanges(policy: NetworkPolicy): readonly CidrRange[] {
  // Parsed once per allowlist array: the engine asks about every connection with the same policy object.
  let ranges = parsedCidrsCache.get(policy.allowedCidrs);
  if (ranges === undefined) {
    ranges = parseCidrs(policy.allowedCidrs);
    parsedCidrsCache.set(policy.allowedCidrs, ranges);
  }
  return ranges;
}

/**
 * Reads an IP literal. IPv4 is read with inet_aton rules (127.1, 0x7f.1, 0177.0.0.1, 2130706433), the same rules
 * the WHATWG URL parser and getaddrinfo apply, so the verdict is about the address a socket would reach.
 */
function parseIpLiteral(ip: string): IpAddress | undefined {
  if (ip.includes(':')) {
    if (!isIPv6(ip)) return undefined;
    const parsed = ipaddr.IPv6.parse(ip);
    // ipaddr.js reads the deprecated IPv4-compatible form '::a.b.c.d' as IPv4-mapped '::ffff:a.b.c.d'; the real
    // address is ::a.b.c.d (outside 2000::/3), so undo that reading rather than judge the wrong address.
    if (/^::\d+\.\d+\.\d+\.\d+(%.*)?$/.test(ip)) parsed.parts[5] = 0;
    return parsed;
  }
  return ipaddr.IPv4.isValid(ip) ? ipaddr.IPv4.parse(ip) : undefined;
}

function isInside(address: IpAddress, [network, prefixLength]: Range): boolean {
  return address.kind() === network.kind() && address.match(network, prefixLength);
}

function blockedCategory(address: IpAddress): BlockedAddressCategory | undefined {
  const table = address.kind() === 'ipv4' ? BLOCKED_IPV4 : BLOCKED_IPV6;
  for (const [category, ranges] of table) {
    if (ranges.some((range) => isInside(address, range))) return category;
  }
  if (address.kind() === 'ipv6' && !isInside(address, GLOBAL_UNICAST_V6)) return 'reserved';
  return undefined;
}

/** The IPv4 address an IPv6 address carries and a packet to it would reach: IPv4-mapped, or NAT64. */
function embeddedIPv4(address: IpAddress): { via: 'ipv4-mapped' | 'nat64'; ipv4: ipaddr.IPv4 } | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6address = address as ipaddr.IPv6;
  const [, , , , , , high = 0, low = 0] = v6address.parts;
  const ipv4 = new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  if (isInside(address, IPV4_MAPPED)) return { via: 'ipv4-mapped', ipv4 };
  if (isInside(address, NAT64_WELL_KNOWN)) return { via: 'nat64', ipv4 };
  return undefined;
}

/** Judges one literal IPv4 or IPv6 address. Anything that does not parse as an address is refused. */
export function checkAddress(ip: string, policy: NetworkPolicy): AddressVerdict {
  if (policy.allowPrivateNetworks) return { allowed: true };
  const address = parseIpLiteral(ip);
  if (address === undefined) return { allowed: false, reason: 'not an ip address' };
  const embedded = embeddedIPv4(address);
  // An allowlisted network is reachable however it is spelled: 10.1.2.3 and ::ffff:10.1.2.3 are one host.
  const ranges = allowedRanges(policy);
  const allowlisted = (candidate: IpAddress) =>
    ranges.some((range) => isInside(candidate, [range.network, range.prefixLength]));
  if (allowlisted(address) || (embedded !== undefined && allowlisted(embedded.ipv4))) return { allowed: true };
  if (embedded !== undefined) {
    const category = blockedCategory(embedded.ipv4);
    return category === undefined ? { allowed: true } : { allowed: false, reason: `${embedded.via} ${category}` };
  }
  const category = blockedCategory(address);
  return category === undefined ? { allowed: true } : { allowed: false, reason: category };
}

/** 'localhost' and '*.localhost' always mean this machine (RFC 6761), whatever DNS says. */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Create-time check of an endpoint URL. Literal IPs are judged here; a hostname passes, because its addresses can
 * change and are judged at connect time by the guarded connector.
 */
export function checkEndpointUrl(raw: string, policy: NetworkPolicy): EndpointUrlVerdict {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) {
    return { ok: false, code: 'invalid_url', detail: `the URL is longer than ${MAX_ENDPOINT_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: 'invalid_url', detail: 'not a valid absolute URL' };
  }
  // Normalization (punycode, percent-decoding) can lengthen a URL; the stored form is what must fit.
  if (url.href.length > MAX_ENDPOINT_URL_LENGTH) {
    return { ok: false, code: 'invalid_url', detail: `the URL is longer than ${MAX_ENDPOINT_URL_LENGTH} characters` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      code: 'unsupported_scheme',
      detail: `scheme ${url.protocol} is not supported; use http or https`,
    };
  }
  if (policy.requireHttps === true && url.protocol !== 'https:') {
    return {
      ok: false,
      code: 'https_required',
      detail: 'this server only delivers to https: URLs (setting requireHttps)',
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      code: 'credentials_in_url',
      detail: 'the URL carries a username or password; send credentials in a custom header instead',
    };
  }
  return checkUrlHost(url, policy);
}

/**
 * The host part of the create-time check, shared with broker destinations (amqp:, nats:, redis:): a literal IP is
 * judged here, 'localhost' is refused unless private networks are allowed, a name passes to the connect-time check.
 */
export function checkUrlHost(url: URL, policy: NetworkPolicy): EndpointUrlVerdict {
  // The WHATWG parser has already turned 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 into 127.0.0.1, and wraps IPv6
  // literals in brackets, so what is left is a dotted quad, a bracketed IPv6 address, or a domain name.
  const host = url.hostname;
  if (host === '') return { ok: false, code: 'invalid_url', detail: 'the URL names no host' };
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : isIPv4(host) ? host : undefined;
  if (literal !== undefined) {
    const verdict = checkAddress(literal, policy);
    if (!verdict.allowed) {
      return {
        ok: false,
        code: 'forbidden_address',
        detail: `${host} is a ${verdict.reason} address: ${PRIVATE_ADDRESS_HINT}`,
      };
    }
    return { ok: true, url };
  }
  if (!policy.allowPrivateNetworks && isLocalhostName(host)) {
    return {
      ok: false,
      code: 'forbidden_address',
      detail: `${host} names this machine (loopback): ${PRIVATE_ADDRESS_HINT}`,
    };
  }
  return { ok: true, url };
}
