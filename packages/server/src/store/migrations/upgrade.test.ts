// A database left at any earlier version, holding rows written then, migrates to the latest on both stores: it
// ends with every version recorded, the same schema as a fresh database, and its old rows still deliverable.
// Each earlier version is built by applying the first k migration files, as the code of that time did.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { dropSchema, randomSchemaName } from '../../../test/support/postgres-schema.js';
import { claimAll, newMessage, SECRET, succeeded, T0 } from '../conformance/fixtures.js';
import { migratePostgres, postgresMigrations } from '../postgres/migrations.js';
import { PostgresStore } from '../postgres/postgres-store.js';
import { migrateSqlite, sqliteMigrations } from '../sqlite/migrations.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../store.js';

const OLD = {
  app: 'app_2ZDwBvNd0Q1hH0uKfVTxqZ',
  endpoint: 'ep_2ZDwBvNd0Q1hH0uKfVTxqZ',
  message: 'msg_2ZDwBvNd0Q1hH0uKfVTxqZ',
  delivery: 'dlv_2ZDwBvNd0Q1hH0uKfVTxqZ',
};

/** Rows in the shape of migration 1, which every later version still accepts (later columns have defaults). */
const OLD_ROWS = `
INSERT INTO applications (id, uid, name, metadata, created_at, updated_at)
  VALUES ('${OLD.app}', 'old-app', 'Old', '{}', ${T0}, ${T0});
INSERT INTO endpoints (id, app_id, url, created_at, updated_at)
  VALUES ('${OLD.endpoint}', '${OLD.app}', 'https://receiver.example.com/old', ${T0}, ${T0});
INSERT INTO endpoint_secrets (endpoint_id, secret, created_at) VALUES ('${OLD.endpoint}', '${SECRET}', ${T0});
INSERT INTO messages (id, app_id, event_type, event_id, payload, created_at)
  VALUES ('${OLD.message}', '${OLD.app}', 'invoice.paid', 'evt-old', '{"old":true}', ${T0});
INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, next_attempt_at, created_at, updated_at)
  VALUES ('${OLD.delivery}', '${OLD.message}', '${OLD.endpoint}', '${OLD.app}', 'pending', ${T0}, ${T0}, ${T0});
`;

/** The old rows, read and delivered through the upgraded store; then a new publish, which uses every later column. */
async function expectOldRowsDeliverable(store: Store): Promise<void> {
  expect(await store.getApplication('old-app')).toMatchObject({ id: OLD.app, name: 'Old' });
  const [claimed, ...others] = await claimAll(store, T0 + 1);
  expect(others).toEqual([]);
  expect(claimed).toMatchObject({
    delivery: { id: OLD.delivery },
    message: { id: OLD.message, payload: '{"old":true}' },
    endpoint: { url: 'https://receiver.example.com/old' },
  });
  if (claimed === undefined) return;
  expect((await store.activeSecrets(OLD.endpoint, T0 + 1)).map((secret) => secret.secret)).toEqual([SECRET]);
  await store.recordAttempts([succeeded(claimed, T0 + 2)]);
  const attempts = await store.listAttemptsForMessage(OLD.app, OLD.message, { limit: 10 });
  expect(attempts.data.map((attempt) => attempt.statusCode)).toEqual([200]);

  await store.publish(OLD.app, newMessage({ tags: ['t'], channels: ['c'] }), T0 + 3);
  expect(await claimAll(store, T0 + 3)).toHaveLength(1);
}

describe('SQLite: a database at each earlier version migrates to the latest', () => {
  const all = sqliteMigrations();
  let folder = '';
  let fresh = '';
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'hookline-upgrade-'));
    const store = new SqliteStore({ path: join(folder, 'fresh.db') });
    await store.migrate();
    await store.close();
    fresh = sqliteSchema(join(folder, 'fresh.db'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it.each(all.slice(0, -1).map((migration) => migration.version))('from version %i', async (version) => {
    const path = join(folder, `at-${version}.db`);
    const old = new BetterSqlite3(path);
    await migrateSqlite(old, all.slice(0, version));
    old.exec(OLD_ROWS);
    old.close();

    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      const db = new BetterSqlite3(path, { readonly: true });
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      db.close();
      expect(versions).toEqual(all.map((migration) => migration.version));
      expect(sqliteSchema(path)).toEqual(fresh);
      await expectOldRowsDeliverable(store);
    } finally {
      await store.close();
    }
  });
});

function sqliteSchema(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return JSON.stringify(
      db
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'schema_migrations' ORDER BY name")
        .all(),
    );
  } finally {
    db.close();
  }
}

const postgresAvailable = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;

describe.skipIf(!postgresAvailable)('PostgreSQL: a schema at each earlier version migrates to the latest', () => {
  const all = postgresMigrations();
  const schemas: string[] = [];
  let fresh = '';
  beforeAll(async () => {
    const schema = randomSchemaName();
    schemas.push(schema);
    const store = new PostgresStore({ url, schema, max: 2 });
    await store.migrate();
    await store.close();
    fresh = await postgresSchema(schema);
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });

  it.each(all.slice(0, -1).map((migration) => migration.version))('from version %i', async (version) => {
    const schema = randomSchemaName();
    schemas.push(schema);
    await withClient(null, (client) => client.query(`CREATE SCHEMA ${schema}`));
    await withClient(schema, async (client) => {
      await migratePostgres(client, all.slice(0, version));
      await client.query(OLD_ROWS);
      // Version 1 already had the per-endpoint gate row, which createEndpoint writes beside each endpoint.
      await client.query(`INSERT INTO endpoint_gates (endpoint_id) VALUES ('${OLD.endpoint}')`);
    });

    const store = new PostgresStore({ url, schema, max: 2 });
    try {
      await store.migrate();
      const { rows } = await store.pool.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((row) => row.version)).toEqual(all.map((migration) => migration.version));
      expect(await postgresSchema(schema)).toEqual(fresh);
      await expectOldRowsDeliverable(store);
    } finally {
      await store.close();
    }
  });
});

async function withClient<T>(schema: string | null, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Columns, constraints, indexes and functions of a schema, with its name taken out so two schemas compare. */
async function postgresSchema(schema: string): Promise<string> {
  return withClient(null, async (client) => {
    const parts: unknown[] = [];
    // One query at a time: a pg client runs them in sequence anyway.
    for (const text of [
      `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, collation_name
           FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
           FROM pg_constraint WHERE connamespace = $1::regnamespace ORDER BY 1, 2`,
      'SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2',
      `SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prosrc
           FROM pg_proc p WHERE p.pronamespace = $1::regnamespace ORDER BY 1, 2`,
    ]) {
      parts.push((await client.query(text, [schema])).rows);
    }
    return JSON.stringify(parts).replaceAll(schema, 'S');
  });
}
