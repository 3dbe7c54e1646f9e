// The pruner's passes on a real SQLite store: batches of batchSize, history before payloads, passes that never
// overlap, a walk that resumes where the last pass stopped, and a stop that ends a pass between two batches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RetentionConfig } from '../config.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { Pruner } from './pruner.js';
import { DAY_MS } from './retention-cutoffs.js';

const RETENTION: RetentionConfig = {
  payloadDays: 1,
  historyDays: 3,
  batchSize: 10,
  batchPauseMs: 0,
  intervalMs: 60_000,
};
/** After the real clock: ids carry their time and never go back within a process (ids.ts). */
const START = Date.now() + DAY_MS;
const silent = pino({ level: 'silent' });

let dir: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-pruner-'));
  store = new SqliteStore({ path: join(dir, 'hookline.db'), synchronous: 'NORMAL' });
  await store.migrate();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `n` messages with no endpoint (nothing keeps them) at `at`. */
async function publishAt(appId: string, n: number, at: number): Promise<void> {
  await store.publishMany(
    appId,
    Array.from({ length: n }, () => ({ eventType: 'invoice.paid', payload: '{"a":1}' })),
    at,
  );
}

let offset = 0;
/** A start later than the previous test's, for the same reason as START. */
function freshStart(): number {
  offset += 100 * DAY_MS;
  return START + offset;
}

it('prunes in batches of batchSize: history first, then payloads; a second pass has nothing left', async () => {
  const t0 = freshStart();
  const app = await store.createApplication({ name: 'acme' }, t0);
  await publishAt(app.id, 25, t0);
  await publishAt(app.id, 15, t0 + 2 * DAY_MS);
  await publishAt(app.id, 5, t0 + 3.5 * DAY_MS);
  const pruner = new Pruner({ store, now: () => t0, logger: silent, retention: RETENTION });

  const summary = await pruner.runPass(t0 + 3.5 * DAY_MS);
  // History: 25 messages before day 0.5, batches of 10 (3, the last short). Payloads: 15 before day 2.5 (2).
  expect(summary).toEqual({ messages: 25, payloads: 15, logRows: 0, batches: 3 + 2 + 1 });
  expect((await store.listMessages(app.id, { limit: 100 })).data).toHaveLength(20);
  expect(await pruner.runPass(t0 + 3.5 * DAY_MS)).toMatchObject({ messages: 0, payloads: 0 });
});

it('two passes asked for at once run one after the other, each at its own time', async () => {
  const t0 = freshStart();
  const app = await store.createApplication({ name: 'acme' }, t0);
  await publishAt(app.id, 5, t0);
  const pruner = new Pruner({ store, now: () => t0, logger: silent, retention: RETENTION });
  const [early, late] = await Promise.all([pruner.runPass(t0 + 2 * DAY_MS), pruner.runPass(t0 + 4 * DAY_MS)]);
  expect(early).toMatchObject({ payloads: 5, messages: 0 });
  expect(late).toMatchObject({ payloads: 0, messages: 5 });
});

it('a pass resumes the payload walk where the last one stopped, and the walk starts over from the oldest in time', async () => {
  const t0 = freshStart();
  const app = await store.createApplication({ name: 'acme' }, t0);
  const endpoint = await store.createEndpoint(
    app.id,
    { url: 'https://receiver.example.com/hook', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    t0,
  );
  const { message } = await store.publish(app.id, { eventType: 'invoice.paid', payload: '{"a":1}' }, t0);
  const retention = { ...RETENTION, historyDays: 0 };
  const pruner = new Pruner({ store, now: () => t0, logger: silent, retention });
  // Pending: kept; the walk goes past it.
  expect(await pruner.runPass(t0 + 2 * DAY_MS)).toMatchObject({ payloads: 0 });
  const [claimed] = await store.claimDueDeliveries({
    now: t0 + 2 * DAY_MS,
    leaseUntil: t0 + 2 * DAY_MS + 60_000,
    limit: 10,
    excludeEndpointIds: [],
    perEndpointLimit: 10,
    endpointCaps: {},
  });
  expect(claimed?.delivery.endpointId).toBe(endpoint.id);
  await store.recordAttempts([
    {
      deliveryId: claimed?.delivery.id as string,
      leaseUntil: claimed?.delivery.leaseUntil as number,
      outcome: 'succeeded',
      trigger: 'scheduled',
      url: endpoint.url,
      statusCode: 200,
      responseBody: '',
      durationMs: 1,
      error: null,
      at: t0 + 2 * DAY_MS + 1,
      next: { status: 'dead' },
      disableEndpoint: null,
    },
  ]);
  // An hour later the walk resumes after it: not looked at again yet.
  expect(await pruner.runPass(t0 + 2 * DAY_MS + 3_600_000)).toMatchObject({ payloads: 0 });
  // Six hours after the last walk from the oldest, one starts there again and takes it.
  expect(await pruner.runPass(t0 + 2 * DAY_MS + 6 * 3_600_000)).toMatchObject({ payloads: 1 });
  expect((await store.getMessage(app.id, message.id))?.payloadPrunedAt).toBe(t0 + 2 * DAY_MS + 6 * 3_600_000);
});

it('stop() ends the scheduled pass after its batch in progress; a pruner with both limits at 0 never starts', async () => {
  const t0 = freshStart();
  const app = await store.createApplication({ name: 'acme' }, t0);
  await publishAt(app.id, 50, t0);
  let stopped: Promise<void> | null = null;
  let batches = 0;
  const pruner: Pruner = new Pruner({
    // The store as it is, but the first batch asks the pruner to stop while it runs.
    store: {
      prunePayloads: (batch, now) => store.prunePayloads(batch, now),
      pruneLogs: (before, limit) => store.pruneLogs(before, limit),
      pruneHistory: async (batch) => {
        batches++;
        const result = await store.pruneHistory(batch);
        stopped ??= pruner.stop();
        return result;
      },
    },
    now: () => t0 + 10 * DAY_MS,
    logger: silent,
    retention: RETENTION,
  });
  pruner.start();
  await waitUntil(() => stopped !== null);
  await stopped;
  expect(batches).toBe(1);
  expect((await store.listMessages(app.id, { limit: 100 })).data).toHaveLength(40);
  // A pass asked for by hand is not the schedule's: it runs whole, stopped pruner or not.
  expect(await pruner.runPass(t0 + 10 * DAY_MS)).toMatchObject({ messages: 40 });

  const idle = new Pruner({
    store,
    now: () => t0,
    logger: silent,
    retention: { ...RETENTION, payloadDays: 0, historyDays: 0 },
  });
  idle.start();
  expect(await idle.runPass(t0 + 100 * DAY_MS)).toEqual({ messages: 0, payloads: 0, logRows: 0, batches: 0 });
  await idle.stop();
});

/** Yields to the event loop until `condition` holds (a bound on the number of turns, not on time). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('the condition never held');
}
