// How the fetch-back's GET is made. One small interface, so the check itself is plain logic and a caller (the
// Hookline server's future sources, a test) can bring its own HTTP client and network guard.
import type { OutboundAddressGuard } from '../protect/outbound-address.js';
import type { FetchBackAnswer } from './answer.js';
import { fetchTransport } from './fetch-transport.js';
import { hasNodeHttp, nodeTransport } from './node-transport.js';

export interface FetchBackRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  /** The whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Reading stops past this; the answer is then unusable. */
  maxResponseBytes: number;
  /** Judges every address the transport would dial. */
  guard: OutboundAddressGuard;
}

/**
 * Makes one GET, follows no redirect, and resolves the status and body. Throws FetchBackAddressRefusedError when
 * the guard refuses an address, FetchBackUnavailableError for anything else that prevents an answer.
 */
export type FetchBackTransport = (request: FetchBackRequest) => Promise<FetchBackAnswer>;

/**
 * On Node: node:http(s), with every resolved address judged at connect time (a DNS answer cannot slip a private
 * address past the check). Elsewhere (edge runtimes, which have no DNS API): `fetch`, with the URL's host judged
 * when it is an address or a localhost name.
 */
export function defaultTransport(): FetchBackTransport {
  return hasNodeHttp() ? nodeTransport() : fetchTransport;
}
