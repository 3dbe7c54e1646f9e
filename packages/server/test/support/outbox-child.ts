// A process that begins a transaction, writes its own row and publishes through the outbox in it, says so on stdout,
// and waits to be killed before it commits (outbox-postgres.test.ts). Arguments: database URL with ?schema=, app id,
// the application's table (in the public schema), the event id, and the way it holds its transaction (OutboxWay).
import pg from 'pg';
import { createHookline } from '../../src/embedded/create-hookline.js';
import { OrderPlacer, type OutboxWay } from './outbox-orders.js';

const [database, appId, table, eventId, way] = process.argv.slice(2) as [string, string, string, string, OutboxWay];
const hookline = await createHookline({ database, allowPrivateNetworks: true });
const pool = new pg.Pool({ connectionString: database.replace(/\?.*$/, ''), max: 1 });
await new OrderPlacer(hookline, appId, table, pool).place(way, eventId, () => {
  process.stdout.write('written\n');
  // Never commits: the test kills this process here.
  return new Promise<void>(() => setInterval(() => undefined, 60_000));
});
