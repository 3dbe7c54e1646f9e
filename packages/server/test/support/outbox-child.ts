// A process that begins a transaction, writes its own row and publishes through the outbox in it, says so on stdout,
// and waits to be killed before it commits (outbox-postgres.test.ts). Arguments: database URL with ?schema=, app id,
// the application's table, the event id.
import pg from 'pg';
import { createHookline } from '../../src/embedded/create-hookline.js';

const [database, appId, table, eventId] = process.argv.slice(2) as [string, string, string, string];
const hookline = await createHookline({ database, allowPrivateNetworks: true });
const client = new pg.Client({ connectionString: database.replace(/\?.*$/, '') });
await client.connect();
await client.query('BEGIN');
await client.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [eventId]);
await hookline.publish(appId, 'order.created', { eventId }, { eventId, client });
process.stdout.write('written\n');
// Never commits: the test kills this process here.
setInterval(() => undefined, 60_000);
