// Retention in PostgreSQL: each batch is one statement (its own short transaction), so no lock is held between
// batches and the publishes of every process go on around them. Deleted rows leave dead tuples that autovacuum
// makes reusable; nothing here rewrites a table.
import { firstIdAt } from '../../ids.js';
import {
  INBOUND_STILL_NEEDED,
  MESSAGE_STILL_NEEDED,
  type PruneBatch,
  type PruneResult,
  type RetentionStore,
} from '../retention.js';
import type { PostgresParts } from './postgres-parts.js';

/**
 * $1 after id, $2 first id at `before`, $3 limit, $4 before (, $5 now): the batch's messages in primary-key order,
 * then those of them that may go. The walk counts every message of the range, pruned before or not.
 */
function pruneBatch(prune: string): string {
  return `WITH examined AS (
    SELECT id FROM messages WHERE id > $1 AND id < $2 ORDER BY id LIMIT $3
  ), pruned AS (
    ${prune} AND messages.id IN (SELECT id FROM examined) AND messages.created_at < $4
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM examined)::int AS examined, (SELECT max(id) FROM examined) AS last_id,
         (SELECT count(*) FROM pruned)::int AS pruned`;
}

const PRUNE_PAYLOADS = pruneBatch(
  `UPDATE messages SET payload = '', payload_pruned_at = $5
    WHERE messages.payload_pruned_at IS NULL AND NOT ${MESSAGE_STILL_NEEDED}`,
);

/** The foreign keys' cascades take the deliveries and their attempts. */
const PRUNE_HISTORY = pruneBatch(`DELETE FROM messages WHERE NOT ${MESSAGE_STILL_NEEDED}`);

/** $1 first op id at `before`, $2 first inb id at `before`, $3 before, $4 limit. */
const PRUNE_LOGS = `WITH events AS (
    DELETE FROM operational_events WHERE id IN (
      SELECT id FROM operational_events WHERE id < $1 AND created_at < $3 ORDER BY id LIMIT $4)
    RETURNING 1
  ), inbound AS (
    DELETE FROM inbound_requests WHERE id IN (
      SELECT id FROM inbound_requests WHERE id < $2 AND created_at < $3 AND NOT ${INBOUND_STILL_NEEDED}
       ORDER BY id LIMIT $4)
    RETURNING 1
  )
  SELECT ((SELECT count(*) FROM events) + (SELECT count(*) FROM inbound))::int AS pruned`;

interface BatchRow {
  examined: number;
  last_id: string | null;
  pruned: number;
}

export class PostgresRetention implements RetentionStore {
  constructor(private readonly parts: PostgresParts) {}

  prunePayloads(batch: PruneBatch, now: number): Promise<PruneResult> {
    return this.run(PRUNE_PAYLOADS, batch, [now]);
  }

  pruneHistory(batch: PruneBatch): Promise<PruneResult> {
    return this.run(PRUNE_HISTORY, batch, []);
  }

  async pruneLogs(before: number, limit: number): Promise<number> {
    const { rows } = await this.parts.query<{ pruned: number }>(PRUNE_LOGS, [
      firstIdAt('op', before),
      firstIdAt('inb', before),
      before,
      limit,
    ]);
    return rows[0]?.pruned ?? 0;
  }

  private async run(statement: string, batch: PruneBatch, extra: unknown[]): Promise<PruneResult> {
    const { rows } = await this.parts.query<BatchRow>(statement, [
      batch.afterId ?? '',
      firstIdAt('msg', batch.before),
      batch.limit,
      batch.before,
      ...extra,
    ]);
    const row = rows[0];
    if (row === undefined || row.last_id === null) return { examined: 0, pruned: 0, lastId: null };
    return { examined: row.examined, pruned: row.pruned, lastId: row.last_id };
  }
}
