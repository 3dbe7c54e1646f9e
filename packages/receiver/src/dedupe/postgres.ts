// Dedupe in PostgreSQL through the caller's pg Pool or Client (typed structurally: no runtime dependency).
// Same statement as SQLite: INSERT … ON CONFLICT … WHERE expired … RETURNING, atomic under concurrent callers.
import { type PostgresQueryable, PostgresTable } from '../postgres-table.js';
import { assertSqlIdentifier, type ClaimResult, DEFAULT_DEDUPE_TTL_SECONDS, type DedupeStore } from './dedupe-store.js';

export type { PostgresQueryable } from '../postgres-table.js';

export interface PostgresDedupeOptions {
  /** Default `hookline_dedupe`. May be schema-qualified only through the connection's search_path. */
  table?: string;
  now?: () => number;
}

const sql = (table: string) => ({
  create: `CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  )`,
  claim: `INSERT INTO ${table} (id, state, expires_at) VALUES ($1, 'in-progress', $2)
    ON CONFLICT (id) DO UPDATE SET state = 'in-progress', expires_at = excluded.expires_at
    WHERE ${table}.expires_at <= $3
    RETURNING id`,
  state: `SELECT state FROM ${table} WHERE id = $1`,
  complete: `INSERT INTO ${table} (id, state, expires_at) VALUES ($1, 'done', $2)
    ON CONFLICT (id) DO UPDATE SET state = 'done', expires_at = excluded.expires_at`,
  release: `DELETE FROM ${table} WHERE id = $1 AND state = 'in-progress'`,
  prune: `DELETE FROM ${table} WHERE expires_at <= $1`,
});

export class PostgresDedupeStore implements DedupeStore {
  readonly #db: PostgresQueryable;
  readonly #sql: ReturnType<typeof sql>;
  readonly #now: () => number;
  readonly #table: PostgresTable;

  constructor(db: PostgresQueryable, options: PostgresDedupeOptions = {}) {
    this.#db = db;
    this.#sql = sql(assertSqlIdentifier(options.table ?? 'hookline_dedupe'));
    this.#table = new PostgresTable(db, this.#sql.create);
    this.#now = options.now ?? Date.now;
  }

  /** Creates the table if needed. Called on first use; call it at start to fail early. */
  migrate(): Promise<void> {
    return this.#table.ensure();
  }

  async claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    await this.migrate();
    const now = this.#now();
    const claimed = await this.#db.query(this.#sql.claim, [id, now + leaseSeconds * 1000, now]);
    if (claimed.rows.length > 0) return 'claimed';
    const { rows } = await this.#db.query(this.#sql.state, [id]);
    return (rows[0] as { state?: string } | undefined)?.state === 'done' ? 'done' : 'in-progress';
  }

  async complete(id: string, ttlSeconds: number = DEFAULT_DEDUPE_TTL_SECONDS): Promise<void> {
    await this.migrate();
    await this.#db.query(this.#sql.complete, [id, this.#now() + ttlSeconds * 1000]);
  }

  async release(id: string): Promise<void> {
    await this.migrate();
    await this.#db.query(this.#sql.release, [id]);
  }

  async prune(): Promise<void> {
    await this.migrate();
    await this.#db.query(this.#sql.prune, [this.#now()]);
  }
}
