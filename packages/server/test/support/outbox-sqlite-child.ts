// A process that begins a transaction on its own better-sqlite3 connection, writes its own row and publishes through
// the outbox in it, says so on stdout, and waits to be killed before it commits (outbox-sqlite.test.ts). Arguments:
// the SQLite file, app id, the event id.
import BetterSqlite3 from 'better-sqlite3';
import { createHookline } from '../../src/embedded/create-hookline.js';

const [file, appId, eventId] = process.argv.slice(2) as [string, string, string];
const hookline = await createHookline({ database: file, allowPrivateNetworks: true });
const db = new BetterSqlite3(file);
db.pragma('busy_timeout = 30000');
db.exec('BEGIN IMMEDIATE');
db.prepare('INSERT INTO orders (event_id) VALUES (?)').run(eventId);
await hookline.publish(appId, 'order.created', { eventId }, { eventId, db });
// Written, as this transaction sees it: the kill comes after the write, not before it.
const seen = db.prepare('SELECT count(*) FROM messages WHERE event_id = ?').pluck().get(eventId);
if (seen !== 1) throw new Error(`the message is not in the transaction (${String(seen)})`);
process.stdout.write('written\n');
// Never commits: the test kills this process here.
setInterval(() => undefined, 60_000);
