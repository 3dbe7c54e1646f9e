// The BullMQ worker process: takes delivery jobs off the queue, 64 at a time, signs each with HMAC-SHA256
// (node:crypto, Standard Webhooks v1 headers) and POSTs it with undici. Prints {"ready":true} once connected.
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { exitWithParent } from '../../delivery/child-process.js';
import { createDeliveryPool, postDelivery } from '../../delivery/delivery-client.js';
import type { DeliveryJob } from './jobs.js';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    redis: { type: 'string' },
    receiver: { type: 'string' },
    concurrency: { type: 'string' },
    secret: { type: 'string' },
  },
});
const { queue, redis, receiver, secret } = values;
const concurrency = Number(values.concurrency);
if (queue === undefined || redis === undefined || receiver === undefined || secret === undefined) {
  throw new Error('worker needs --queue --redis --receiver --concurrency --secret');
}
if (!Number.isInteger(concurrency) || concurrency <= 0) throw new Error('--concurrency must be a positive integer');

const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const pool = createDeliveryPool(receiver, concurrency);

async function deliver(job: Job<DeliveryJob>): Promise<void> {
  const { id, path, payload } = job.data;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(payload).digest('base64');
  await postDelivery(
    pool,
    path,
    {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${signature}`,
    },
    payload,
  );
}

// A blocking connection for the worker: BullMQ requires maxRetriesPerRequest null on it.
const connection = new Redis(redis, { maxRetriesPerRequest: null });
const worker = new Worker<DeliveryJob>(queue, deliver, { connection, concurrency });
worker.on('error', (error) => console.error('bullmq worker:', error));
await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true }));

exitWithParent(async () => {
  await worker.close(true);
  await pool.close();
  connection.disconnect();
});
