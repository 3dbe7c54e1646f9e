// Broker destination credentials at rest (issue 17's credential class, issue 16 item 14's rule), on both stores: a
// URL that holds a password (amqp://user:pass@…, redis://:pass@…) or a NATS token (nats://token@…) is kept whole only
// in endpoints.sealed_url, encrypted like secrets and custom headers; endpoints.url holds the form that is shown
// (***). The store hands the engine the whole URL and the API the shown one; a row under a key the server is not
// given still lists, and its claim carries the problem. Rows written before (the credential in url, in clear) are
// moved by the migration and sealed by the re-encryption pass.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../test/support/services.js';
import { migratePostgres, postgresMigrations } from '../src/store/postgres/migrations.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { encryptionKeyId, SecretBox } from '../src/store/secret-box.js';
import { migrateSqlite, sqliteMigrations } from '../src/store/sqlite/migrations.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { type OpenedStore, storeKinds } from './support/stores.js';

const T0 = 1_800_000_000_000;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const boxA = () => new SecretBox({ current: keyA, old: [] });
const PASSWORD = `pw${randomBytes(8).toString('hex')}`;
const TOKEN = `tok${randomBytes(8).toString('hex')}`;
const AMQP = `amqp://hookline:${PASSWORD}@127.0.0.1:5672/%2F?exchange=events`;
const AMQP_SHOWN = 'amqp://hookline:***@127.0.0.1:5672/%2F?exchange=events';
const NATS = `nats://${TOKEN}@127.0.0.1:4222?subject=events`;
const NATS_SHOWN = 'nats://***@127.0.0.1:4222?subject=events';
const REDIS = `redis://:${PASSWORD}@127.0.0.1:6379/0?stream=events`;
const REDIS_SHOWN = 'redis://:***@127.0.0.1:6379/0?stream=events';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const claimOptions = (now: number) => ({
  now,
  leaseUntil: now + 60_000,
  limit: 10,
  perEndpointLimit: 10,
  excludeEndpointIds: [],
  endpointCaps: {},
});

async function rawUrl(db: { sql: OpenedStore['sql'] }, endpointId: string) {
  const [row] = await db.sql('SELECT url, sealed_url FROM endpoints WHERE id = ?', endpointId);
  return { url: String(row?.url), sealedUrl: row?.sealed_url === null ? null : String(row?.sealed_url) };
}

/** The whole URL each of the store's readers gives back. */
async function urlsSeen(store: Store, appId: string, endpointId: string, now: number) {
  const endpoint = await store.getEndpoint(appId, endpointId);
  await store.publish(appId, { eventType: 'a.b', payload: '{}' }, now);
  const [claimed] = await store.claimDueDeliveries(claimOptions(now + 1));
  return { url: endpoint?.url, urlShown: endpoint?.urlShown, claimed: claimed?.endpoint.url };
}

for (const kind of await storeKinds()) {
  describe(`broker credentials at rest (${kind.name})`, () => {
    async function open(box: SecretBox) {
      const db = await kind.open({ secretBox: box });
      cleanups.push(() => db.close());
      return db;
    }

    it('are never in the endpoints table in clear; the engine gets the whole URL, the API the shown one', async () => {
      const db = await open(boxA());
      const app = await db.store.createApplication({ name: 'brokers' }, T0);
      const amqp = await db.store.createEndpoint(
        app.id,
        { url: AMQP, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        T0,
      );
      const raw = await rawUrl(db, amqp.id);
      expect(raw.url).toBe(AMQP_SHOWN);
      expect(raw.sealedUrl?.startsWith(`enc:v1:${encryptionKeyId(keyA)}:`)).toBe(true);
      expect(JSON.stringify(raw)).not.toContain(PASSWORD);
      expect(await urlsSeen(db.store, app.id, amqp.id, T0 + 1)).toEqual({
        url: AMQP,
        urlShown: AMQP_SHOWN,
        claimed: AMQP,
      });

      // A NATS token is a credential too; a change to an http URL leaves nothing sealed behind.
      await db.store.updateEndpoint(app.id, amqp.id, { url: NATS }, T0 + 2);
      expect((await rawUrl(db, amqp.id)).url).toBe(NATS_SHOWN);
      expect(JSON.stringify(await rawUrl(db, amqp.id))).not.toContain(TOKEN);
      expect((await db.store.getEndpoint(app.id, amqp.id))?.url).toBe(NATS);
      await db.store.updateEndpoint(app.id, amqp.id, { url: 'https://example.com/hook' }, T0 + 3);
      expect(await rawUrl(db, amqp.id)).toEqual({ url: 'https://example.com/hook', sealedUrl: null });
      // Patching something else keeps the sealed URL as it is.
      await db.store.updateEndpoint(app.id, amqp.id, { url: REDIS }, T0 + 4);
      const before = await rawUrl(db, amqp.id);
      await db.store.updateEndpoint(app.id, amqp.id, { description: 'renamed' }, T0 + 5);
      expect(await rawUrl(db, amqp.id)).toEqual(before);
      expect((await db.store.getEndpoint(app.id, amqp.id))?.url).toBe(REDIS);
    });

    it('under a key the server is not given: listed with the shown URL; the claim carries the problem', async () => {
      const db = await open(boxA());
      const app = await db.store.createApplication({ name: 'brokers' }, T0);
      const endpoint = await db.store.createEndpoint(
        app.id,
        { url: REDIS, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        T0,
      );
      const wrong = await db.reopen({ secretBox: new SecretBox({ current: keyB, old: [] }) });
      cleanups.push(() => wrong.close());
      const listed = await wrong.store.listEndpoints(app.id, { limit: 10 });
      expect(listed.data.map((each) => each.urlShown)).toEqual([REDIS_SHOWN]);
      const read = await wrong.store.getEndpoint(app.id, endpoint.id);
      expect(() => read?.url).toThrow(encryptionKeyId(keyA));
      await wrong.store.publish(app.id, { eventType: 'a.b', payload: '{}' }, T0 + 1);
      const [claimed] = await wrong.store.claimDueDeliveries(claimOptions(T0 + 2));
      expect(claimed?.problem).toContain(encryptionKeyId(keyA));
      expect(claimed?.endpoint.url).not.toContain(PASSWORD);
      // Given the old key, the pass moves the sealed URL to the new one.
      const rotated = await db.reopen({ secretBox: new SecretBox({ current: keyB, old: [keyA] }) });
      cleanups.push(() => rotated.close());
      expect((await rotated.store.resealSecrets()).unreadable).toBe(0);
      expect((await rawUrl(rotated, endpoint.id)).sealedUrl?.startsWith(`enc:v1:${encryptionKeyId(keyB)}:`)).toBe(true);
    });
  });
}

/** Rows from before the migration: the credential in url, in clear, as the code of that time wrote them. */
const OLD_ROWS = `
INSERT INTO applications (id, uid, name, metadata, created_at, updated_at)
  VALUES ('app_old', 'old', 'Old', '{}', ${T0}, ${T0});
INSERT INTO endpoints (id, app_id, url, created_at, updated_at) VALUES
  ('ep_amqp', 'app_old', '${AMQP}', ${T0}, ${T0}),
  ('ep_nats', 'app_old', '${NATS}', ${T0}, ${T0}),
  ('ep_redis', 'app_old', '${REDIS}', ${T0}, ${T0}),
  ('ep_http', 'app_old', 'https://receiver.example.com/a@b', ${T0}, ${T0});
`;

async function expectMoved(store: Store, sql: OpenedStore['sql']) {
  expect((await store.resealSecrets()).unreadable).toBe(0);
  const rows = await sql('SELECT id, url, sealed_url FROM endpoints ORDER BY id');
  expect(rows.map((row) => [row.id, row.url])).toEqual([
    ['ep_amqp', AMQP_SHOWN],
    ['ep_http', 'https://receiver.example.com/a@b'],
    ['ep_nats', NATS_SHOWN],
    ['ep_redis', REDIS_SHOWN],
  ]);
  expect(rows.find((row) => row.id === 'ep_http')?.sealed_url).toBeNull();
  expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  expect(JSON.stringify(rows)).not.toContain(TOKEN);
  const urls = await Promise.all(['ep_amqp', 'ep_nats', 'ep_redis'].map((id) => store.getEndpoint('app_old', id)));
  expect(urls.map((endpoint) => endpoint?.url)).toEqual([AMQP, NATS, REDIS]);
}

const postgresAvailable = (await storeKinds()).some((each) => each.name === 'postgres');

describe('the migration of rows written before', () => {
  it('SQLite: moves each credential into sealed_url and leaves url as shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-broker-credentials-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'hookline.db');
    const all = sqliteMigrations();
    const before = new BetterSqlite3(path);
    await migrateSqlite(
      before,
      all.filter((migration) => !migration.name.includes('broker-credentials')),
    );
    before.exec(OLD_ROWS);
    before.close();
    const store = new SqliteStore({ path, secretBox: boxA() });
    cleanups.push(() => store.close());
    await store.migrate();
    await expectMoved(store, async (text, ...values) => store.db.prepare(text).all(...values) as never);
  });

  it.skipIf(!postgresAvailable)(
    'PostgreSQL: moves each credential into sealed_url and leaves url as shown',
    async () => {
      const schema = randomSchemaName();
      cleanups.push(() => dropSchema(SERVICES.postgres.url, schema));
      const admin = new pg.Client({ connectionString: SERVICES.postgres.url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`).finally(() => admin.end());
      const client = new pg.Client({ connectionString: SERVICES.postgres.url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await migratePostgres(
          client,
          postgresMigrations().filter((migration) => !migration.name.includes('broker-credentials')),
        );
        await client.query(OLD_ROWS);
      } finally {
        await client.end();
      }
      const store = new PostgresStore({ url: SERVICES.postgres.url, schema, max: 2, secretBox: boxA() });
      cleanups.push(() => store.close());
      await store.migrate();
      await expectMoved(store, async (text, ...values) => {
        let n = 0;
        return (
          await store.pool.query(
            text.replace(/\?/g, () => `$${++n}`),
            values,
          )
        ).rows;
      });
    },
  );
});
