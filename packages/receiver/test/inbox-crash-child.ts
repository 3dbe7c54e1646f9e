// Started by src/inbox/durable.test.ts as a separate process: a receiver with a SQLite inbox whose handler never
// finishes. The test kills this process (SIGKILL) while the handler runs, then restarts on the same file.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { createNodeMiddleware, SqliteInboxStore, Webhooks } from '../src/index.js';
import { SECRET } from './support.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: inbox-crash-child <sqlite file>');
const db = new Database(file);
db.pragma('journal_mode = WAL');
const webhooks = new Webhooks({
  scheme: 'standard-webhooks',
  secret: SECRET,
  inbox: { store: new SqliteInboxStore(db), leaseSeconds: 30, pollIntervalMs: 50 },
});
webhooks.on('*', (event) => {
  process.send?.({ started: event.id });
  return new Promise(() => {});
});
webhooks.start();
const server = createServer(createNodeMiddleware(webhooks));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
