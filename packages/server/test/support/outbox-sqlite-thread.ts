// One application thread of outbox-sqlite.test.ts's concurrent transactions: its own Hookline (no worker) and its
// own better-sqlite3 connection to the shared file. Says 'ready', waits for 'go' (so all the threads begin together),
// then in one transaction writes its order row, publishes, lets the event loop turn with the transaction open (as an
// application awaiting other work would), and commits or rolls back as told; says 'done'. Its Hookline is left for
// the thread's end: closing it is one more write, which would queue behind the other threads' transactions.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { createHookline } from '../../src/embedded/create-hookline.js';

export interface OutboxThreadData {
  file: string;
  appId: string;
  eventId: string;
  outcome: 'COMMIT' | 'ROLLBACK';
}

const { file, appId, eventId, outcome } = workerData as OutboxThreadData;
const port = parentPort;
if (port === null) throw new Error('outbox-sqlite-thread.ts runs as a worker thread');

// No worker here: the test's process delivers.
const hookline = await createHookline({ database: file, allowPrivateNetworks: true });
const db = new BetterSqlite3(file);
// Sixteen writers take SQLite's one write lock in turn: wait for it generously on a busy machine.
db.pragma('busy_timeout = 60000');
await new Promise<void>((resolve) => {
  port.once('message', () => resolve());
  port.postMessage('ready');
});
db.exec('BEGIN IMMEDIATE');
try {
  db.prepare('INSERT INTO orders (event_id) VALUES (?)').run(eventId);
  await hookline.publish(appId, 'order.created', { eventId }, { eventId, db });
  await new Promise((resolve) => setImmediate(resolve));
} finally {
  db.exec(outcome);
}
db.close();
port.postMessage('done');
