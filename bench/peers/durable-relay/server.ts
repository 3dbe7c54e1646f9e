// The durable relay's process: the relay (../relay/server.ts) with its queue in memory replaced by a bare durable
// queue in SQLite (durable-queue.ts), and nothing else. A publish is answered 202 only once its row is committed
// and the WAL fsynced; a dispatcher keeps `--concurrency` sends in flight, claiming due rows in batches, and records
// every answer (an attempt row and the event's status). Written to follow the relay line by line, so a diff of the
// two files is what durability adds (their HTTP side is one module, ../relay/relay-api.ts). Prints
// {"ready":true,"url":...} once listening.
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../delivery/child-process.js';
import {
  createDeliveryPool,
  DELIVERY_TIMEOUT_MS,
  DeliveryFailedError,
  postDelivery,
} from '../../delivery/delivery-client.js';
import { serveRelayApi, signedHeaders } from '../relay/relay-api.js';
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
  return await postDelivery(pool, event.path, signedHeaders(key, event.message_id, event.payload), event.payload);
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

const server = serveRelayApi({
  setPaused(value) {
    paused = value;
    queue.wake();
  },
  failed: () => failed,
  accept(id, paths, body, accepted) {
    queue.publish(id, paths, body, accepted);
  },
});

exitWithParent(async () => {
  server.close();
  await pool.close();
  await queue.close();
});
