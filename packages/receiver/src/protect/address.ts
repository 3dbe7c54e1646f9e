// "Is this address allowed" and "who is the client", as pure functions over strings. IPv4-mapped IPv6
// (`::ffff:10.0.0.1`, what a dual-stack socket reports) is read as the IPv4 address it carries.
import ipaddr from 'ipaddr.js';
import { InvalidConfigurationError } from '../errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

function parseAddress(text: string): Address | undefined {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(trimmed)) return undefined;
  // process() turns an IPv4-mapped IPv6 address into the IPv4 one, so one rule matches both spellings.
  return ipaddr.process(trimmed);
}

function parseRange(text: string): Range {
  const spec = text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`;
  try {
    const [address, bits] = ipaddr.parseCIDR(spec);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [address, bits];
  } catch {
    throw new InvalidConfigurationError(`not an IP address or CIDR range: ${text}`);
  }
}

/** A predicate over addresses, built once from CIDR ranges or single addresses (`10.0.0.0/8`, `2001:db8::/32`). */
export function createAddressMatcher(ranges: readonly string[]): (address: string | undefined) => boolean {
  const parsed = ranges.map(parseRange);
  return (text) => {
    if (text === undefined) return false;
    const address = parseAddress(text);
    if (address === undefined) return false;
    for (const [base, bits] of parsed) {
      if (base.kind() === address.kind() && address.match(base, bits)) return true;
    }
    return false;
  };
}

/**
 * Whom to believe about the client's address.
 * - `false` (default): the socket's peer; X-Forwarded-For is ignored (anyone can write it).
 * - a number n: n proxies of yours stand in front; the address n hops left of the peer in the chain.
 * - a list of CIDR ranges: your proxies; walk the chain from the right, skipping addresses in those ranges.
 * - `true`: the leftmost X-Forwarded-For entry; only when every request passes a proxy that overwrites it.
 */
export type TrustProxy = boolean | number | readonly string[];

export function createClientAddressResolver(
  trustProxy: TrustProxy,
): (peer: string | undefined, forwardedFor: string | undefined) => string | undefined {
  if (trustProxy === false || trustProxy === 0) return (peer) => peer;
  const isTrusted = Array.isArray(trustProxy) ? createAddressMatcher(trustProxy) : undefined;
  return (peer, forwardedFor) => {
    if (peer === undefined) return undefined;
    if (forwardedFor === undefined) return peer;
    // Bounded: a hostile header with thousands of entries is cut to the last 32 hops.
    const chain = forwardedFor
      .split(',')
      .slice(-32)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    chain.push(peer);
    if (trustProxy === true) return chain[0];
    if (typeof trustProxy === 'number') return chain[Math.max(0, chain.length - 1 - trustProxy)];
    let index = chain.length - 1;
    while (index > 0 && isTrusted?.(chain[index]) === true) index--;
    return chain[index];
  };
}
