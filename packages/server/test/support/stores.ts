// For tests that must hold on both stores and need to reach under the Store interface (write a row as an older
// version or a hand-made UPDATE would, read what is really on disk): each kind opens a fresh real store and runs
// raw SQL on it, with `?` placeholders on both dialects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, randomSchemaName } from './postgres-schema.js';

export type StoreKindName = 'sqlite' | 'postgres';

export interface OpenedStore<S extends Store = Store> {
  store: S;
  /** Runs one statement under the store; `?` placeholders on both dialects. */
  sql(text: string, ...values: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Opens another store on the same database (a restart, another process), migrated. */
  reopen(options?: ReopenOptions): Promise<OpenedStore>;
  close(): Promise<void>;
}

/** Options a test may vary between opens of one database: the encryption keys. */
export type ReopenOptions = Partial<Pick<SqliteStoreOptions & PostgresStoreOptions, 'secretBox'>>;

export interface StoreKind {
  name: StoreKindName;
  /** A fresh database (temp file or schema), migrated. */
  open(options?: ReopenOptions): Promise<OpenedStore>;
}

function sqliteKind(): StoreKind {
  return {
    name: 'sqlite',
    async open(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'hookline-stores-'));
      const path = join(dir, 'hookline.db');
      const openAt = async (reopenOptions: ReopenOptions, removeDir: boolean): Promise<OpenedStore> => {
        const store = new SqliteStore({ path, synchronous: 'NORMAL', ...reopenOptions });
        await store.migrate();
        return {
          store,
          async sql(text, ...values) {
            const statement = store.db.prepare(text);
            if (statement.reader) return statement.all(...values) as Array<Record<string, unknown>>;
            statement.run(...values);
            return [];
          },
          reopen: (again = {}) => openAt(again, false),
          async close() {
            await store.close();
            if (removeDir) rmSync(dir, { recursive: true, force: true });
          },
        };
      };
      return openAt(options, true);
    },
  };
}

function postgresKind(): StoreKind {
  const url = SERVICES.postgres.url;
  return {
    name: 'postgres',
    async open(options = {}) {
      const schema = randomSchemaName();
      const openAt = async (reopenOptions: ReopenOptions, dropAfter: boolean): Promise<OpenedStore> => {
        const store = new PostgresStore({ url, schema, max: 4, ...reopenOptions });
        await store.migrate();
        return {
          store,
          async sql(text, ...values) {
            let n = 0;
            const { rows } = await store.pool.query(
              text.replace(/\?/g, () => `$${++n}`),
              values,
            );
            return rows as Array<Record<string, unknown>>;
          },
          reopen: (again = {}) => openAt(again, false),
          async close() {
            await store.close();
            if (dropAfter) await dropSchema(url, schema);
          },
        };
      };
      return openAt(options, true);
    },
  };
}

/** SQLite always; PostgreSQL when it answers (under CI=true it must: see test/support/services.ts). */
export async function storeKinds(): Promise<StoreKind[]> {
  const kinds = [sqliteKind()];
  if (await serviceAvailable('postgres')) kinds.push(postgresKind());
  return kinds;
}
