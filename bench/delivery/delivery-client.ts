// The HTTP client settings every contender that we write uses toward the receiver: one undici Pool per origin,
// keep-alive, one request per connection at a time, and a timeout so a hanging endpoint ends in an error.
import { Pool } from 'undici';

/** Long enough for any healthy delivery on loopback, short enough that /hang/ requests end within a run. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export function createDeliveryPool(origin: string, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: DELIVERY_TIMEOUT_MS,
    bodyTimeout: DELIVERY_TIMEOUT_MS,
    keepAliveTimeout: 30_000,
  });
}

export class DeliveryFailedError extends Error {
  readonly code = 'BENCH_DELIVERY_FAILED';
  constructor(
    readonly path: string,
    readonly statusCode: number,
  ) {
    super(`POST ${path} answered ${statusCode}`);
    this.name = 'DeliveryFailedError';
  }
}

/**
 * POSTs one delivery and resolves with the status code when the receiver answered 2xx (a sender that records its
 * attempts keeps it); the response body is read and dropped.
 */
export async function postDelivery(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  const response = await pool.request({ method: 'POST', path, headers, body });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) throw new DeliveryFailedError(path, response.statusCode);
  return response.statusCode;
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight; the first failure rejects the whole. */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
