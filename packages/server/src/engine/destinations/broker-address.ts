// Where a broker connection may go: the host of its URL resolved and every address judged by the SSRF guard, as
// the HTTP connector does, then the client is given the checked IP literal so it does no DNS lookup of its own.
import { resolveCheckedAddresses } from '../guarded-connector.js';
import type { OpenContext } from './destination.js';

export interface BrokerAddress {
  /** The checked IP literal to dial (IPv6 without brackets). */
  address: string;
  port: number;
  /** The name for TLS (SNI and certificate check), when the URL named a host rather than an address. */
  servername: string | undefined;
}

export async function checkedBrokerAddress(
  url: URL,
  defaultPort: number,
  context: OpenContext,
): Promise<BrokerAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const [address] = await resolveCheckedAddresses(host, context.policy, undefined, context.connectTimeoutMs);
  const isName = address !== host;
  return {
    address: address as string,
    port: url.port === '' ? defaultPort : Number(url.port),
    servername: isName ? host : undefined,
  };
}

/** A positive integer URL parameter, or the default; a problem string when it is set and not one. */
export function integerParameter(url: URL, name: string, fallback: number, max: number): number | string {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) return `${name} must be an integer from 1 to ${max}`;
  return value;
}
