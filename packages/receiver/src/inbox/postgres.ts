// The durable inbox in PostgreSQL (pg, the caller's Pool, typed structurally), for many processes on many
// machines: workers take due rows with FOR UPDATE SKIP LOCKED, so they never wait on or take each other's rows.
import { assertSqlIdentifier } from '../dedupe/dedupe-store.js';
import { type PostgresQueryable, PostgresTable } from '../postgres-table.js';
import type { InboxRecord, InboxStatus, InboxStore, InboxSummary, NewInboxRecord } from './inbox-store.js';
import { type InboxRow, toRecord, toSummary } from './rows.js';

export interface PostgresInboxOptions {
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
    received_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT
  );
  CREATE INDEX IF NOT EXISTS ${t}_due ON ${t} (status, next_attempt_at)`,
  add: `INSERT INTO ${t} (id, type, also_routes_as, payload, headers, scheme, received_at, status, next_attempt_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
  claimDue: `UPDATE ${t} SET lease_until = $1, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM ${t}
      WHERE status = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
      ORDER BY next_attempt_at LIMIT $3
      FOR UPDATE SKIP LOCKED)
    RETURNING *`,
  done: `UPDATE ${t} SET status = 'done', lease_until = NULL, last_error = NULL WHERE id = $1`,
  retry: `UPDATE ${t} SET status = 'pending', lease_until = NULL, last_error = $2, next_attempt_at = $3 WHERE id = $1`,
  final: `UPDATE ${t} SET status = $2, lease_until = NULL, last_error = $3 WHERE id = $1`,
  listAll: `SELECT * FROM ${t} ORDER BY received_at DESC, id DESC LIMIT $1`,
  listByStatus: `SELECT * FROM ${t} WHERE status = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
  requeue: `UPDATE ${t} SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL
    WHERE id = $1 AND status IN ('dead', 'rejected') RETURNING id`,
  prune: `DELETE FROM ${t} WHERE status IN ('done', 'dead', 'rejected') AND received_at < $1`,
});

export class PostgresInboxStore implements InboxStore {
  readonly #db: PostgresQueryable;
  readonly #sql: ReturnType<typeof sql>;
  readonly #now: () => number;
  readonly #table: PostgresTable;

  constructor(db: PostgresQueryable, options: PostgresInboxOptions = {}) {
    this.#db = db;
    this.#sql = sql(assertSqlIdentifier(options.table ?? 'hookline_inbox'));
    this.#table = new PostgresTable(db, this.#sql.create);
    this.#now = options.now ?? Date.now;
  }

  /** Creates the table if needed. Called on first use; call it at start to fail early. */
  migrate(): Promise<void> {
    return this.#table.ensure();
  }

  async #query(text: string, values: unknown[]): Promise<unknown[]> {
    await this.migrate();
    return (await this.#db.query(text, values)).rows;
  }

  async add(record: NewInboxRecord): Promise<boolean> {
    const rows = await this.#query(this.#sql.add, [
      record.id,
      record.type,
      JSON.stringify(record.alsoRoutesAs),
      JSON.stringify(record.payload),
      JSON.stringify(record.headers),
      record.scheme,
      record.receivedAt,
      this.#now(),
    ]);
    return rows.length === 1;
  }

  async claimDue(limit: number, leaseSeconds: number): Promise<InboxRecord[]> {
    const now = this.#now();
    const rows = (await this.#query(this.#sql.claimDue, [now + leaseSeconds * 1000, now, limit])) as InboxRow[];
    return rows.map(toRecord);
  }

  async markDone(id: string): Promise<void> {
    await this.#query(this.#sql.done, [id]);
  }

  async markRetry(id: string, error: string, nextAttemptAt: number): Promise<void> {
    await this.#query(this.#sql.retry, [id, error, nextAttemptAt]);
  }

  async markFinal(id: string, status: 'dead' | 'rejected', error: string): Promise<void> {
    await this.#query(this.#sql.final, [id, status, error]);
  }

  async list(options: { status?: InboxStatus; limit: number }): Promise<InboxSummary[]> {
    const rows = (
      options.status === undefined
        ? await this.#query(this.#sql.listAll, [options.limit])
        : await this.#query(this.#sql.listByStatus, [options.status, options.limit])
    ) as InboxRow[];
    return rows.map(toSummary);
  }

  async requeue(id: string): Promise<boolean> {
    return (await this.#query(this.#sql.requeue, [id, this.#now()])).length === 1;
  }

  async prune(receivedBefore: number): Promise<void> {
    await this.#query(this.#sql.prune, [receivedBefore]);
  }
}
