// Which addresses a request the receiver itself makes (the fetch-back check) may reach: public unicast only, unless
// the caller opts in to private networks (local development) or lists the private ranges it means. Pure: the
// transports resolve names and ask this about every address they would dial.
import ipaddr from 'ipaddr.js';
import { createAddressMatcher } from './address.js';

export interface OutboundNetworkPolicy {
  /** Local development and tests only: reach loopback, private and every other address. Default false. */
  allowPrivateNetworks?: boolean;
  /** Ranges reachable although they are not public (`10.1.0.0/16`, `fd00::/8`, or one address). */
  allowedCidrs?: readonly string[];
}

export type OutboundAddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type OutboundAddressGuard = (address: string) => OutboundAddressVerdict;

// IPv6 outside 2000::/3 is not global unicast, whatever ipaddr.js calls it (it reads ::7f00:1 as 'unicast').
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function verdictFor(address: ipaddr.IPv4 | ipaddr.IPv6): OutboundAddressVerdict {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    const range = v6.range();
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address they carry: judge that.
    if (range === 'ipv4Mapped' || range === 'rfc6052') {
      const [, , , , , , high = 0, low = 0] = v6.parts;
      return verdictFor(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]));
    }
    if (range !== 'unicast' || !v6.match(GLOBAL_UNICAST_V6)) {
      return { allowed: false, reason: `${range === 'unicast' ? 'reserved' : range} address` };
    }
    return { allowed: true };
  }
  const range = address.range();
  return range === 'unicast' ? { allowed: true } : { allowed: false, reason: `${range} address` };
}

/** Builds the guard once (the allowlist is parsed here, so a bad CIDR fails at configuration). */
export function createOutboundAddressGuard(policy: OutboundNetworkPolicy = {}): OutboundAddressGuard {
  if (policy.allowPrivateNetworks === true) return () => ({ allowed: true });
  const allowlisted = policy.allowedCidrs === undefined ? undefined : createAddressMatcher(policy.allowedCidrs);
  return (text) => {
    const literal = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    // Only canonical IPv4 (four decimal parts) and IPv6 literals: anything else is not an address to dial.
    if (!ipaddr.IPv6.isValid(literal) && !ipaddr.IPv4.isValidFourPartDecimal(literal)) {
      return { allowed: false, reason: 'not an IP address' };
    }
    if (allowlisted?.(literal) === true) return { allowed: true };
    return verdictFor(ipaddr.parse(literal));
  };
}

function isLocalhostName(hostname: string): boolean {
  const name = (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Judges a URL's host as far as it can be without DNS: an address (the URL parser has already turned 0x7f.1 and
 * 2130706433 into a dotted quad, and wraps IPv6 in brackets) or a localhost name, which always means this machine
 * (RFC 6761). Undefined for any other name: its addresses are judged when it is resolved.
 */
export function judgeUrlHost(hostname: string, guard: OutboundAddressGuard): OutboundAddressVerdict | undefined {
  if (hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return guard(hostname);
  if (isLocalhostName(hostname)) {
    return guard('127.0.0.1').allowed ? { allowed: true } : { allowed: false, reason: 'loopback name' };
  }
  return undefined;
}
