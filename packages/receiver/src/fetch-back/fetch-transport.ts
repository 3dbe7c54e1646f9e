// The fetch-back's GET where there is no node:http (edge runtimes): the platform's `fetch`. Such runtimes give no
// DNS API, so only a host written as an address, or a localhost name, can be judged here; their own network rules
// (a Worker cannot reach a private network) do the rest.
import { readWebBody } from '../adapters/web/read-body.js';
import { FetchBackAddressRefusedError, FetchBackUnavailableError, PayloadTooLargeError } from '../errors.js';
import { judgeUrlHost } from '../protect/outbound-address.js';
import type { FetchBackAnswer } from './answer.js';
import type { FetchBackRequest } from './transport.js';

export async function fetchTransport(request: FetchBackRequest): Promise<FetchBackAnswer> {
  const { url, guard } = request;
  const verdict = judgeUrlHost(url.hostname, guard);
  if (verdict !== undefined && !verdict.allowed) throw new FetchBackAddressRefusedError(url.hostname, verdict.reason);
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...request.headers },
      redirect: 'manual',
      signal,
    });
    return { status: response.status, body: await readWebBody(response, request.maxResponseBytes) };
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      throw new FetchBackUnavailableError(`the fetch-back answer is over ${request.maxResponseBytes} bytes`);
    }
    const why = signal.aborted ? `took over ${request.timeoutMs} ms` : `failed: ${(error as Error).message}`;
    throw new FetchBackUnavailableError(`the fetch-back to ${url.origin} ${why}`);
  }
}
