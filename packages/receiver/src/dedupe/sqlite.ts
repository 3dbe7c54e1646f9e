// Dedupe in SQLite through the caller's better-sqlite3 database (typed structurally: no runtime dependency).
// One INSERT … ON CONFLICT … WHERE expired … RETURNING is the atomic "first time?" check.
import { assertSqlIdentifier, type ClaimResult, DEFAULT_DEDUPE_TTL_SECONDS, type DedupeStore } from './dedupe-store.js';

/** What this store needs of a better-sqlite3 `Database`. */
export interface SqliteDatabaseLike {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatementLike;
}

export interface SqliteStatementLike {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDedupeOptions {
  /** Default `hookline_dedupe`. */
  table?: string;
  now?: () => number;
}

const sql = (table: string) => ({
  create: `CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  )`,
  claim: `INSERT INTO ${table} (id, state, expires_at) VALUES (?, 'in-progress', ?)
    ON CONFLICT (id) DO UPDATE SET state = 'in-progress', expires_at = excluded.expires_at
    WHERE ${table}.expires_at <= ?
    RETURNING id`,
  state: `SELECT state FROM ${table} WHERE id = ?`,
  complete: `INSERT INTO ${table} (id, state, expires_at) VALUES (?, 'done', ?)
    ON CONFLICT (id) DO UPDATE SET state = 'done', expires_at = excluded.expires_at`,
  release: `DELETE FROM ${table} WHERE id = ? AND state = 'in-progress'`,
  prune: `DELETE FROM ${table} WHERE expires_at <= ?`,
});

export class SqliteDedupeStore implements DedupeStore {
  readonly #claim: SqliteStatementLike;
  readonly #state: SqliteStatementLike;
  readonly #complete: SqliteStatementLike;
  readonly #release: SqliteStatementLike;
  readonly #prune: SqliteStatementLike;
  readonly #now: () => number;

  constructor(db: SqliteDatabaseLike, options: SqliteDedupeOptions = {}) {
    const statements = sql(assertSqlIdentifier(options.table ?? 'hookline_dedupe'));
    db.exec(statements.create);
    this.#claim = db.prepare(statements.claim);
    this.#state = db.prepare(statements.state);
    this.#complete = db.prepare(statements.complete);
    this.#release = db.prepare(statements.release);
    this.#prune = db.prepare(statements.prune);
    this.#now = options.now ?? Date.now;
  }

  async claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    const now = this.#now();
    if (this.#claim.get(id, now + leaseSeconds * 1000, now) !== undefined) return 'claimed';
    const row = this.#state.get(id) as { state: string } | undefined;
    return row?.state === 'done' ? 'done' : 'in-progress';
  }

  async complete(id: string, ttlSeconds: number = DEFAULT_DEDUPE_TTL_SECONDS): Promise<void> {
    this.#complete.run(id, this.#now() + ttlSeconds * 1000);
  }

  async release(id: string): Promise<void> {
    this.#release.run(id);
  }

  /** Deletes expired rows; call it now and then (an expired row is harmless, only space). Returns nothing. */
  async prune(): Promise<void> {
    this.#prune.run(this.#now());
  }
}
