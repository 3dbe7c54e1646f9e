// The relay ceiling's process: the least any service can do that takes events in over an HTTP API and delivers
// them over HTTP. node:http, no framework, no auth, no database, no retries: the body is parsed (a JSON API must
// read it), answered 202, and the payload is signed (HMAC-SHA256, Standard Webhooks headers) and POSTed with undici
// from a queue in memory, `--concurrency` at a time. It keeps nothing: it is a ceiling to measure against, not a
// sender anyone should run. Prints {"ready":true,"url":...} once listening.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../delivery/child-process.js';
import { createDeliveryPool, postDelivery } from '../../delivery/delivery-client.js';

const { values } = parseArgs({
  options: { receiver: { type: 'string' }, concurrency: { type: 'string' }, secret: { type: 'string' } },
});
const { receiver, secret } = values;
const concurrency = Number(values.concurrency);
if (receiver === undefined || secret === undefined) throw new Error('relay needs --receiver --concurrency --secret');
if (!Number.isInteger(concurrency) || concurrency <= 0) throw new Error('--concurrency must be a positive integer');

const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const pool = createDeliveryPool(receiver, concurrency);
/** Endpoint paths on the receiver per run id, set by POST /run/{id} before the run. */
const pathsOf = new Map<string, readonly string[]>();

interface Delivery {
  id: string;
  path: string;
  body: string;
}
const queue: Delivery[] = [];
let head = 0;
let inFlight = 0;
let paused = false;
let failed = 0;

async function deliver(delivery: Delivery): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key)
    .update(`${delivery.id}.${timestamp}.`)
    .update(delivery.body)
    .digest('base64');
  await postDelivery(
    pool,
    delivery.path,
    {
      'content-type': 'application/json',
      'webhook-id': delivery.id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    delivery.body,
  );
}

function pump(): void {
  while (!paused && inFlight < concurrency && head < queue.length) {
    const delivery = queue[head++] as Delivery;
    inFlight++;
    deliver(delivery)
      .catch(() => {
        failed++;
      })
      .finally(() => {
        inFlight--;
        pump();
      });
  }
  if (head === queue.length) {
    queue.length = 0;
    head = 0;
  }
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const server = createServer(async (request, response) => {
  const url = request.url ?? '/';
  const text = await readBody(request);
  if (url === '/pause' || url === '/resume') {
    paused = url === '/pause';
    pump();
    return answer(response, 200, { paused, failed });
  }
  const run = /^\/run\/([^/]+)(\/msg)?$/.exec(url);
  const runId = run?.[1];
  if (request.method !== 'POST' || runId === undefined) return answer(response, 404, { code: 'not_found' });
  if (run?.[2] === undefined) {
    pathsOf.set(runId, JSON.parse(text) as string[]);
    return answer(response, 200, { runId });
  }
  const paths = pathsOf.get(runId);
  const event = JSON.parse(text) as { eventType?: unknown; eventId?: unknown; payload?: unknown };
  if (paths === undefined || typeof event.eventId !== 'string' || typeof event.payload !== 'object') {
    return answer(response, 422, { code: 'validation' });
  }
  const id = `msg_${event.eventId}`;
  const body = JSON.stringify(event.payload);
  for (const path of paths) queue.push({ id, path, body });
  answer(response, 202, {
    id,
    eventId: event.eventId,
    eventType: event.eventType,
    timestamp: new Date().toISOString(),
  });
  pump();
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` }));
});

exitWithParent(async () => {
  server.close();
  await pool.close();
});
