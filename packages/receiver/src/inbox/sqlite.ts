// The durable inbox in SQLite (better-sqlite3, the caller's database, typed structurally). All the inbox's SQL
// is here; each operation is one statement, so a crash between two of them leaves nothing half-done.
import { assertSqlIdentifier } from '../dedupe/dedupe-store.js';
import type { SqliteDatabaseLike, SqliteStatementLike } from '../dedupe/sqlite.js';
import type { InboxRecord, InboxStatus, InboxStore, InboxSummary, NewInboxRecord } from './inbox-store.js';
import { type InboxRow, toRecord, toSummary } from './rows.js';

export interface SqliteInboxOptions {
  /** Default `hookline_inbox`. */
  table?: string;
  now?: () => number;
}

const sql = (t: string) => ({
  create: `CREATE TABLE IF NOT EXISTS ${t} (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    also_routes_as TEXT NOT NULL,
    payload TEXT NOT NULL,
    headers TEXT NOT NULL,
    scheme TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT
  );
  CREATE INDEX IF NOT EXISTS ${t}_due ON ${t} (status, next_attempt_at);`,
  add: `INSERT INTO ${t} (id, type, also_routes_as, payload, headers, scheme, received_at, status, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
  // One statement: select the due rows and lease them, so two workers never take the same row.
  claimDue: `UPDATE ${t} SET lease_until = ?, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM ${t}
      WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
      ORDER BY next_attempt_at LIMIT ?)
    RETURNING *`,
  done: `UPDATE ${t} SET status = 'done', lease_until = NULL, last_error = NULL WHERE id = ?`,
  retry: `UPDATE ${t} SET status = 'pending', lease_until = NULL, last_error = ?, next_attempt_at = ? WHERE id = ?`,
  final: `UPDATE ${t} SET status = ?, lease_until = NULL, last_error = ? WHERE id = ?`,
  listAll: `SELECT * FROM ${t} ORDER BY received_at DESC, id DESC LIMIT ?`,
  listByStatus: `SELECT * FROM ${t} WHERE status = ? ORDER BY received_at DESC, id DESC LIMIT ?`,
  requeue: `UPDATE ${t} SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL
    WHERE id = ? AND status IN ('dead', 'rejected')`,
  prune: `DELETE FROM ${t} WHERE status IN ('done', 'dead', 'rejected') AND received_at < ?`,
});

type Statements = Record<Exclude<keyof ReturnType<typeof sql>, 'create'>, SqliteStatementLike>;

export class SqliteInboxStore implements InboxStore {
  readonly #s: Statements;
  readonly #now: () => number;

  constructor(db: SqliteDatabaseLike, options: SqliteInboxOptions = {}) {
    const statements = sql(assertSqlIdentifier(options.table ?? 'hookline_inbox'));
    db.exec(statements.create);
    const { create: _create, ...rest } = statements;
    this.#s = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, db.prepare(v)])) as Statements;
    this.#now = options.now ?? Date.now;
  }

  async add(record: NewInboxRecord): Promise<boolean> {
    const result = this.#s.add.run(
      record.id,
      record.type,
      JSON.stringify(record.alsoRoutesAs),
      JSON.stringify(record.payload),
      JSON.stringify(record.headers),
      record.scheme,
      record.receivedAt,
      this.#now(),
    ) as { changes: number };
    return result.changes === 1;
  }

  async claimDue(limit: number, leaseSeconds: number): Promise<InboxRecord[]> {
    const now = this.#now();
    const rows = this.#s.claimDue.all(now + leaseSeconds * 1000, now, now, limit) as InboxRow[];
    return rows.map(toRecord);
  }

  async markDone(id: string): Promise<void> {
    this.#s.done.run(id);
  }

  async markRetry(id: string, error: string, nextAttemptAt: number): Promise<void> {
    this.#s.retry.run(error, nextAttemptAt, id);
  }

  async markFinal(id: string, status: 'dead' | 'rejected', error: string): Promise<void> {
    this.#s.final.run(status, error, id);
  }

  async list(options: { status?: InboxStatus; limit: number }): Promise<InboxSummary[]> {
    const rows = (
      options.status === undefined
        ? this.#s.listAll.all(options.limit)
        : this.#s.listByStatus.all(options.status, options.limit)
    ) as InboxRow[];
    return rows.map(toSummary);
  }

  async requeue(id: string): Promise<boolean> {
    return (this.#s.requeue.run(this.#now(), id) as { changes: number }).changes === 1;
  }

  async prune(receivedBefore: number): Promise<void> {
    this.#s.prune.run(receivedBefore);
  }
}
