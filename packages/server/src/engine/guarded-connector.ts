// The SSRF guard's I/O edge: an undici connector that resolves the hostname itself, judges every address with
// checkAddress, and dials only an address it has judged, so a DNS answer that changes in between cannot slip by.

import { lookup as dnsLookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { buildConnector } from 'undici';
import { checkAddress, type NetworkPolicy, parseCidrs, SsrfBlockedError } from './ssrf-guard.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * TLS options passed through to undici's buildConnector. The options that decide where the socket goes or whether
 * the peer is verified are left out: the guard owns them (address, SNI) and verification is always on.
 */
export type GuardedTlsOptions = Omit<
  ConnectionOptions,
  | 'host'
  | 'port'
  | 'path'
  | 'socket'
  | 'lookup'
  | 'servername'
  | 'timeout'
  | 'rejectUnauthorized'
  | 'checkServerIdentity'
>;

export interface GuardedConnectorOptions {
  policy: NetworkPolicy;
  /** DNS lookup, injectable for tests (default node:dns lookup with {all:true}). */
  lookup?: (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;
  /** Bounds the DNS lookup and, separately, the TCP/TLS connect (undici's default is 10 s). */
  connectTimeoutMs?: number;
  /** passed through to undici.buildConnector (tls options etc.). */
  tls?: GuardedTlsOptions;
}

/** The name could not be turned into addresses: no answer, or no answer in time. DNS errors pass through as-is. */
export class HostLookupError extends Error {
  readonly code = 'HOOKLINE_HOST_LOOKUP_FAILED';
  override readonly name = 'HostLookupError';
  readonly hostname: string;
  readonly detail: string;

  constructor(hostname: string, problem: string) {
    const detail = `could not resolve ${hostname}: ${problem}`;
    super(detail);
    this.hostname = hostname;
    this.detail = detail;
  }
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// undici is required when a connector is made, not when this file is imported: broker destinations import the
// address check below at start, and undici is ~20 MiB a process that has not sent yet need not carry (issue 12).
const require = createRequire(import.meta.url);
// A name with many addresses must not turn one connect into dozens of slow tries; four covers dual-stack hosts
// with a couple of addresses per family.
const MAX_ADDRESSES_TRIED = 4;
// Errors that say "this address is unreachable", after which another address of the same name may still work.
// Anything else (TLS verification, resets after connect) is reported at once.
const TRY_NEXT_ADDRESS_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

async function systemLookup(hostname: string): Promise<ResolvedAddress[]> {
  // verbatim: keep the resolver's order (RFC 6724 preference) rather than forcing IPv4 first.
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Addresses to dial for `hostname`, every one of them checked. Policy: if ANY address in the answer is refused,
 * the whole name is refused. Dialing only the allowed ones would let an attacker who controls the DNS mix a
 * private address into a public answer and probe for it whenever the public one fails; a name that honestly
 * points at both public and private networks is a misconfiguration worth surfacing.
 */
export async function resolveCheckedAddresses(
  hostname: string,
  policy: NetworkPolicy,
  lookup: (hostname: string) => Promise<ResolvedAddress[]> = systemLookup,
  timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<string[]> {
  if (isIP(hostname) !== 0) {
    const verdict = checkAddress(hostname, policy);
    if (!verdict.allowed) throw new SsrfBlockedError(hostname, verdict.reason);
    return [hostname];
  }
  const answers = await withTimeout(
    lookup(hostname),
    timeoutMs,
    () => new HostLookupError(hostname, `no answer within ${timeoutMs} ms`),
  );
  if (answers.length === 0) throw new HostLookupError(hostname, 'the answer has no addresses');
  for (const { address } of answers) {
    // Only canonical literals are dialed: anything else would make net.connect run a DNS lookup of its own.
    if (isIP(address) === 0) throw new SsrfBlockedError(address, 'not an ip address', hostname);
    const verdict = checkAddress(address, policy);
    if (!verdict.allowed) throw new SsrfBlockedError(address, verdict.reason, hostname);
  }
  return answers.slice(0, MAX_ADDRESSES_TRIED).map(({ address }) => address);
}

/**
 * An undici connector (`new Agent({ connect: createGuardedConnector(...) })`) that refuses forbidden addresses
 * with SsrfBlockedError before any packet is sent.
 *
 * How the checked address is pinned: undici's own connector is called with `hostname` replaced by the checked IP
 * literal, so net/tls.connect receive an IP and do no DNS lookup of their own; the socket can only go where we
 * looked. `host` (the original "name:port") is left as it was and `servername` is set to the original name, so TLS
 * sends SNI for the name and verifies the certificate against the name (Node checks `servername`, not the IP).
 * The alternative, a `lookup` option for net.connect, would need a per-connection buildConnector (losing undici's
 * TLS session cache) and is skipped by Node for IP-literal hosts, so those would need this path anyway.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const { policy } = options;
  // Fail at start on a bad allowlist, not on the first delivery.
  parseCidrs(policy.allowedCidrs);
  const lookup = options.lookup ?? systemLookup;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const undici = require('undici') as { buildConnector: typeof buildConnector };
  const connectToAddress = undici.buildConnector({ ...options.tls, timeout: timeoutMs, rejectUnauthorized: true });

  return function guardedConnect(connectOptions, callback) {
    const { hostname } = connectOptions;
    // Undici strips IPv6 brackets before calling the connector, so a literal arrives as '::1'.
    // Undici passes null or '' when the URL host is an IP literal; then there is no name to send or verify.
    const servername = connectOptions.servername || (isIP(hostname) === 0 ? hostname : undefined);

    const dial = (addresses: readonly string[], index: number): void => {
      const address = addresses[index];
      if (address === undefined) return;
      const pinned = { ...connectOptions, hostname: address, ...(servername !== undefined ? { servername } : {}) };
      try {
        connectToAddress(pinned, (error, socket) => {
          if (error === null) {
            callback(null, socket);
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          const next = index + 1;
          // Bounded: addresses.length <= MAX_ADDRESSES_TRIED.
          if (next < addresses.length && code !== undefined && TRY_NEXT_ADDRESS_CODES.has(code)) {
            dial(addresses, next);
            return;
          }
          callback(error, null);
        });
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)), null);
      }
    };

    resolveCheckedAddresses(hostname, policy, lookup, timeoutMs).then(
      (addresses) => dial(addresses, 0),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}
