// The relay ceiling's process: the least any service can do that takes events in over an HTTP API and delivers
// them over HTTP. node:http, no framework, no auth, no database, no retries: the body is parsed (a JSON API must
// read it), answered 202, and the payload is signed (HMAC-SHA256, Standard Webhooks headers) and POSTed with undici
// from a queue in memory, `--concurrency` at a time. It keeps nothing: it is a ceiling to measure against, not a
// sender anyone should run. Prints {"ready":true,"url":...} once listening.
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../delivery/child-process.js';
import { createDeliveryPool, postDelivery } from '../../delivery/delivery-client.js';
import { serveRelayApi, signedHeaders } from './relay-api.js';

const { values } = parseArgs({
  options: { receiver: { type: 'string' }, concurrency: { type: 'string' }, secret: { type: 'string' } },
});
const { receiver, secret } = values;
const concurrency = Number(values.concurrency);
if (receiver === undefined || secret === undefined) throw new Error('relay needs --receiver --concurrency --secret');
if (!Number.isInteger(concurrency) || concurrency <= 0) throw new Error('--concurrency must be a positive integer');

const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const pool = createDeliveryPool(receiver, concurrency);

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
  await postDelivery(pool, delivery.path, signedHeaders(key, delivery.id, delivery.body), delivery.body);
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

const server = serveRelayApi({
  setPaused(value) {
    paused = value;
    pump();
  },
  failed: () => failed,
  accept(id, paths, body, accepted) {
    for (const path of paths) queue.push({ id, path, body });
    accepted();
    pump();
  },
});

exitWithParent(async () => {
  server.close();
  await pool.close();
});
