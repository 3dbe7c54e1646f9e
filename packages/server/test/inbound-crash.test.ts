// Durable before the answer: a child `hookline serve` is killed with SIGKILL while providers post into a source.
// Every request that was answered 200 must reach the application after the last restart (a provider told 200 never
// sends again); a request whose answer the crash cut off is sent again, as a provider does, and is then either a
// duplicate of the one already committed or accepted now. The relayed events equal the acknowledged ones. On
// both stores: SQLite's file and a fresh PostgreSQL schema, where the commit before the 200 is the server's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { apiOk, type HooklineProcess, HooklineProcesses, writeConfig } from './support/hookline-process.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const EVENTS = 1000;
const KILLS = 3;
const TOKEN = 'crash-source-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'hookline-inbound-crash-'));
const processes = new HooklineProcesses();
const postgresAvailable = await serviceAvailable('postgres');
const schemas: string[] = [];

afterAll(async () => {
  await processes.stopAll();
  rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(SERVICES.postgres.url, schema);
});

function postgresDatabase(): string {
  const schema = randomSchemaName();
  schemas.push(schema);
  const url = new URL(SERVICES.postgres.url);
  url.searchParams.set('schema', schema);
  return url.toString();
}

const stores = [
  { store: 'sqlite', skip: false, database: () => join(dir, 'hookline.db') },
  { store: 'postgres', skip: !postgresAvailable, database: postgresDatabase },
];

describe.each(stores)('$store', ({ skip, database: freshDatabase }) => {
  it.skipIf(skip)(
    `every request answered 200 is relayed across ${KILLS} kill -9s while ${EVENTS} flow in`,
    {
      timeout: 300_000,
    },
    async () => {
      await crashWhileProvidersPost(freshDatabase());
    },
  );
});

async function crashWhileProvidersPost(database: string): Promise<void> {
  const receiver = new TestReceiver();
  await receiver.start();
  const config = writeConfig(dir, {
    timeoutMs: 2000,
    leaseMarginMs: 1000,
    pollIntervalMs: 200,
    retrySchedule: [0.1, 0.2, 0.5, 1, 1, 1, 1],
  });
  let current: HooklineProcess = await processes.start({ role: 'all', database, config });
  await apiOk(current.url, 'POST', '/api/v1/app', { name: 'crash', uid: 'crash' });
  await apiOk(current.url, 'POST', '/api/v1/app/crash/endpoint', { url: `${receiver.url}/sink` });
  await apiOk(current.url, 'POST', '/api/v1/app/crash/source', {
    uid: 'provider',
    name: 'provider',
    verification: { type: 'header-token', header: 'x-provider-token', token: TOKEN },
  });

  // The providers: each event is posted until it is answered 200 (accepted, or a duplicate of one committed before
  // a crash cut its first answer off), as a provider retries anything else.
  const acknowledged = new Set<number>();
  let next = 0;
  const deadline = Date.now() + 240_000;
  const provider = async () => {
    while (next < EVENTS) {
      const seq = next++;
      for (;;) {
        if (Date.now() > deadline) throw new Error('posting did not finish in time');
        try {
          const response = await fetch(`${current.url}/in/provider`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-provider-token': TOKEN },
            body: JSON.stringify({ type: 'order.created', id: `evt-${seq}`, seq }),
          });
          await response.text();
          if (response.status === 200) {
            acknowledged.add(seq);
            break;
          }
        } catch {
          // The process is down or restarting: send the same event again.
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const posting = Promise.all(Array.from({ length: 16 }, provider));

  for (let kill = 0; kill < KILLS; kill++) {
    // Kill while requests are in flight: after some more have been acknowledged since the last restart.
    const target = acknowledged.size + 100 + Math.floor(Math.random() * 200);
    await waitFor(() => acknowledged.size >= Math.min(target, EVENTS), 'more acknowledged requests', 120_000);
    current.child.kill('SIGKILL');
    await current.exited;
    current = await processes.start({ role: 'all', database, config });
  }
  await posting;
  expect(acknowledged.size).toBe(EVENTS);

  const relayed = () => new Set(receiver.on('/sink').map((r) => (JSON.parse(r.body) as { seq: number }).seq));
  await waitFor(() => relayed().size === EVENTS, `all ${EVENTS} acknowledged events at the app`, 120_000);
  expect([...relayed()].sort((a, b) => a - b)).toEqual([...acknowledged].sort((a, b) => a - b));
  // Each relayed body is the provider's, byte for byte.
  const sample = receiver.on('/sink')[0];
  const seq = (JSON.parse(sample?.body ?? '{}') as { seq: number }).seq;
  expect(sample?.body).toBe(JSON.stringify({ type: 'order.created', id: `evt-${seq}`, seq }));
  await receiver.stop();
}
