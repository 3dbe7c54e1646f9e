// Ordered delivery end to end (issue 14 section 1), on each store: events published in order per key to a 'fifo'
// endpoint of a real `hookline serve` child, a receiver that answers some requests with 500 and lets some time out,
// and a kill -9 of the child once a third of the events are acknowledged. Per key the receiver never gets an event
// before the previous one was acknowledged, and its first arrivals are publish order. The full size (10,000
// events over 100 keys) runs in `npm run bench:ordering -- --check` (bench/ordering); this keeps CI to seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../test/support/services.js';
import { availableStores } from './support/each-store.js';
import { HooklineProcesses } from './support/hookline-process.js';
import { keysOutOfOrder, runOrderedDelivery } from './support/ordered-run.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';

const EVENTS = 300;
const KEYS = 20;
const dir = mkdtempSync(join(tmpdir(), 'hookline-ordered-'));
const schemas: string[] = [];
const stores = await availableStores();

afterAll(async () => {
  for (const schema of schemas) await dropSchema(SERVICES.postgres.url, schema);
  rmSync(dir, { recursive: true, force: true });
});

function databaseOn(store: 'sqlite' | 'postgres'): string {
  if (store === 'sqlite') return join(dir, `ordered-${Date.now()}.db`);
  const schema = randomSchemaName();
  schemas.push(schema);
  const url = new URL(SERVICES.postgres.url);
  url.searchParams.set('schema', schema);
  return url.toString();
}

describe.each(stores)('ordered delivery on %s', (store) => {
  it(`${EVENTS} events over ${KEYS} keys, 10% 500s, 2% timeouts and a kill -9: each key in publish order`, {
    timeout: 240_000,
  }, async () => {
    const processes = new HooklineProcesses();
    const result = await runOrderedDelivery({
      processes,
      database: databaseOn(store),
      dir,
      events: EVENTS,
      keys: KEYS,
      failRate: 0.1,
      timeoutRate: 0.02,
      killAt: 1 / 3,
      timeoutMs: 400,
      seed: 14,
      deadlineMs: 180_000,
    });
    expect(result.accepted).toBe(EVENTS);
    // The kill came mid-run: events were still to be acknowledged after it.
    expect(result.ackedAtKill).toBeLessThan(EVENTS);
    expect(result.violations).toEqual([]);
    expect(keysOutOfOrder(result.firstArrivals)).toEqual([]);
    expect([...result.firstArrivals.values()].reduce((n, seqs) => n + seqs.length, 0)).toBe(EVENTS);
    // Failures were injected: events were sent more than once.
    expect(result.repeats).toBeGreaterThan(0);
  });
});
