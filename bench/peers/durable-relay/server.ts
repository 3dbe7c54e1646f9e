// The durable relay's process: the relay (../relay/server.ts) with its queue in memory replaced by a bare durable
// queue in SQLite (durable-queue.ts), and nothing else. A publish is answered 202 only once its row is committed
// and the WAL fsynced; a dispatcher keeps `--concurrency` sends in flight, claiming due rows in batches, and records
// every answer (an attempt row and the event's status). Written to follow the relay line by line, so a diff of the
// two files is what durability adds. Prints {"ready":true,"url":...} once listening.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../delivery/child-process.js';
import {
  createDeliveryPool,
  DELIVERY_TIMEOUT_MS,
  DeliveryFailedError,
  postDelivery,
} from '../../delivery/delivery-client.js';
import { type ClaimedEvent, DurableQueue } from './durable-queue.js';

const { values } = parseArgs({
  options: {
    receiver: { type: 'string' },
    concurrency: { type: 'string' },
    secret: { type: 'string' },
    database: { type: 'string' },
  },
});
const { receiver, secret, database } = values;
const concurrency = Number(values.concurrency);
if (receiver === undefined || secret === undefined || database === undefined) {
  throw new Error('durable relay needs --receiver --concurrency --secret --database');
}
if (!Number.isInteger(concurrency) || concurrency <= 0) throw new Error('--concurrency must be a positive integer');

const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const pool = createDeliveryPool(receiver, concurrency);
/** Endpoint paths on the receiver per run id, set by POST /run/{id} before the run (configuration, as the relay's). */
const pathsOf = new Map<string, readonly string[]>();

let inFlight = 0;
let paused = false;
let failed = 0;

const queue = new DurableQueue(
  database,
  {
    wanted: () => (paused ? 0 : concurrency - inFlight),
    claimed: (events) => {
      for (const event of events) send(event);
    },
  },
  // Longer than a send's timeout, so a slow send is never claimed again while it is still in flight.
  { leaseMs: DELIVERY_TIMEOUT_MS + 5_000 },
);
// Rows a previous process left behind are due now.
queue.wake();

async function deliver(event: ClaimedEvent): Promise<number> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key)
    .update(`${event.message_id}.${timestamp}.`)
    .update(event.payload)
    .digest('base64');
  return await postDelivery(
    pool,
    event.path,
    {
      'content-type': 'application/json',
      'webhook-id': event.message_id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    event.payload,
  );
}

function send(event: ClaimedEvent): void {
  inFlight++;
  deliver(event).then(
    (statusCode) => {
      inFlight--;
      queue.record(event.id, statusCode, true);
    },
    (error: unknown) => {
      inFlight--;
      failed++;
      queue.record(event.id, error instanceof DeliveryFailedError ? error.statusCode : null, false);
    },
  );
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
    queue.wake();
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
  queue.publish(id, paths, body, () =>
    answer(response, 202, {
      id,
      eventId: event.eventId,
      eventType: event.eventType,
      timestamp: new Date().toISOString(),
    }),
  );
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` }));
});

exitWithParent(async () => {
  server.close();
  await pool.close();
  await queue.close();
});
