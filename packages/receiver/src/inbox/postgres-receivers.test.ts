// Two receivers (two processes' worth: separate pools) on one PostgreSQL inbox: a redelivery to either is a
// duplicate, and each event runs exactly once whichever worker takes it.
import { type IncomingWebhookRequest, PostgresInboxStore, Webhooks } from '@hookline/receiver';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { SECRET, signedStandard } from '../../test/support.js';

const ok = await serviceAvailable('postgres');

async function request(n: number): Promise<IncomingWebhookRequest> {
  const signed = await signedStandard({ type: 'order.created', n }, { id: `msg_pg_${process.pid}_${n}` });
  return {
    method: 'POST',
    headers: signed.headers,
    remoteAddress: '127.0.0.1',
    body: new TextEncoder().encode(signed.body),
  };
}

describe.skipIf(!ok)('two receivers on one PostgreSQL inbox', () => {
  const table = `hookline_inbox_rx_${process.pid}_${Date.now().toString(36)}`;
  const pools = [0, 1].map(() => new pg.Pool({ connectionString: SERVICES.postgres.url, max: 4 }));
  afterAll(async () => {
    await pools[0]?.query(`DROP TABLE IF EXISTS ${table}`);
    for (const pool of pools) await pool.end();
  });

  it('each event is stored once and handled once', async () => {
    const runs = new Map<string, number>();
    const receivers = pools.map((pool) => {
      const webhooks = new Webhooks({
        scheme: 'standard-webhooks',
        secret: SECRET,
        inbox: { store: new PostgresInboxStore(pool, { table }) },
      });
      webhooks.on('order.created', (event) => {
        runs.set(event.id ?? '', (runs.get(event.id ?? '') ?? 0) + 1);
      });
      return webhooks;
    });
    const [a, b] = receivers as [Webhooks, Webhooks];
    await new PostgresInboxStore(pools[0] as pg.Pool, { table }).migrate();
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) {
      // Every event goes to both receivers: one stores it, the other sees a duplicate.
      const [first, second] = await Promise.all([a.handle(await request(n)), b.handle(await request(n))]);
      statuses.push(first.status, second.status);
      expect([JSON.parse(first.body).status, JSON.parse(second.body).status].sort()).toEqual(['accepted', 'duplicate']);
    }
    await Promise.all([a.drainInbox(), b.drainInbox()]);
    expect(runs.size).toBe(20);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
  });
});
