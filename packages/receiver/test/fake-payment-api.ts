// A stand-in for a payment provider's API on loopback: GET /v1/payments/{id} answers the payment, or 404; an id
// in `broken` gets a 500 (the API cannot tell now).
import { type Running, startNodeServer } from './support.js';

export interface FakePaymentApi extends Running {
  /** Payment ids asked about, in order. */
  asked: string[];
}

export async function startFakePaymentApi(
  paid: ReadonlySet<string>,
  broken: ReadonlySet<string> = new Set(),
): Promise<FakePaymentApi> {
  const asked: string[] = [];
  const server = await startNodeServer((req, res) => {
    const match = /^\/v1\/payments\/([^/?]+)$/.exec(req.url ?? '');
    const id = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    if (id !== undefined) asked.push(id);
    if (id !== undefined && broken.has(id)) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      return;
    }
    const found = id !== undefined && paid.has(id);
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found ? { id, status: 'paid' } : { error: 'no such payment' }));
  });
  return { ...server, asked };
}
