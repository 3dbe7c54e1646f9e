// A process that takes leases and then waits to be killed: `node --import tsx lease-holder.ts <url> <schema>
// <perEndpointLimit>` claims every due delivery it may (leases of 10 minutes), prints `claimed <n>` and idles. It
// exits by itself after 2 minutes, so a test that forgets it leaves nothing running.
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';

const [url, schema, limit] = process.argv.slice(2);
if (url === undefined || schema === undefined || limit === undefined) throw new Error('usage: url schema limit');
const store = new PostgresStore({ url, schema, max: 2 });
const now = Date.now();
const claimed = await store.claimDueDeliveries({
  now,
  leaseUntil: now + 600_000,
  limit: 100,
  excludeEndpointIds: [],
  perEndpointLimit: Number(limit),
  endpointCaps: {},
});
process.stdout.write(`claimed ${claimed.length}\n`);
setTimeout(() => process.exit(0), 120_000);
