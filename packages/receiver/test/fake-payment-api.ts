// A stand-in for a payment provider's API on loopback: GET /v1/payments/{id} answers the payment, or 404.
import { type Running, startNodeServer } from './support.js';

export interface FakePaymentApi extends Running {
  /** Payment ids asked about, in order. */
  asked: string[];
}

export async function startFakePaymentApi(paid: ReadonlySet<string>): Promise<FakePaymentApi> {
  const asked: string[] = [];
  const server = await startNodeServer((req, res) => {
    const match = /^\/v1\/payments\/([^/?]+)$/.exec(req.url ?? '');
    const id = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    if (id !== undefined) asked.push(id);
    const found = id !== undefined && paid.has(id);
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found ? { id, status: 'paid' } : { error: 'no such payment' }));
  });
  return { ...server, asked };
}
