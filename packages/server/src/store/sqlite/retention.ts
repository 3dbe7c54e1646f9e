// Retention in SQLite: each batch is one write of the group commit, sized so that the publishes sharing its
// transaction wait a few milliseconds at most. Pages freed by the deletes go to the file's freelist and are reused by
// later inserts, so the file stops growing once the history reaches its limit (no VACUUM in the write path).
import { firstIdAt } from '../../ids.js';
import {
  INBOUND_STILL_NEEDED,
  MESSAGE_STILL_NEEDED,
  type PruneBatch,
  type PruneResult,
  type RetentionStore,
} from '../retention.js';
import type { SqliteParts } from './sqlite-parts.js';

/** The batch's messages, oldest first: a range of the primary key, whatever was pruned in it before. */
const EXAMINED = 'SELECT id FROM messages WHERE id > @afterId AND id < @upTo ORDER BY id LIMIT @limit';

const PRUNE_PAYLOADS = `UPDATE messages SET payload = '', payload_pruned_at = @now
 WHERE id > @afterId AND id <= @lastId AND created_at < @before AND payload_pruned_at IS NULL
   AND NOT ${MESSAGE_STILL_NEEDED}`;

/** The cascades of 0001 take the deliveries and their attempts (indexes of 0007). */
const PRUNE_HISTORY = `DELETE FROM messages
 WHERE id > @afterId AND id <= @lastId AND created_at < @before AND NOT ${MESSAGE_STILL_NEEDED}`;

const PRUNE_OPERATIONAL_EVENTS = `DELETE FROM operational_events WHERE id IN (
  SELECT id FROM operational_events WHERE id < @upTo AND created_at < @before ORDER BY id LIMIT @limit)`;

const PRUNE_INBOUND = `DELETE FROM inbound_requests WHERE id IN (
  SELECT id FROM inbound_requests
   WHERE id < @upTo AND created_at < @before AND NOT ${INBOUND_STILL_NEEDED}
   ORDER BY id LIMIT @limit)`;

export class SqliteRetention implements RetentionStore {
  constructor(private readonly parts: SqliteParts) {}

  prunePayloads(batch: PruneBatch, now: number): Promise<PruneResult> {
    return this.parts.write(() => this.pruneBatch(batch, PRUNE_PAYLOADS, { now }));
  }

  pruneHistory(batch: PruneBatch): Promise<PruneResult> {
    return this.parts.write(() => this.pruneBatch(batch, PRUNE_HISTORY, {}));
  }

  pruneLogs(before: number, limit: number): Promise<number> {
    return this.parts.write(() => {
      const events = this.parts
        .sql(PRUNE_OPERATIONAL_EVENTS)
        .run({ upTo: firstIdAt('op', before), before, limit }).changes;
      const inbound = this.parts.sql(PRUNE_INBOUND).run({ upTo: firstIdAt('inb', before), before, limit }).changes;
      return events + inbound;
    });
  }

  /** Inside a write: looks at the batch's messages, then prunes those of them that may go. */
  private pruneBatch(batch: PruneBatch, statement: string, extra: Record<string, unknown>): PruneResult {
    const afterId = batch.afterId ?? '';
    const rows = this.parts
      .sql(EXAMINED)
      .all({ afterId, upTo: firstIdAt('msg', batch.before), limit: batch.limit }) as Array<{ id: string }>;
    const last = rows.at(-1);
    if (last === undefined) return { examined: 0, pruned: 0, lastId: null };
    const pruned = this.parts.sql(statement).run({ afterId, lastId: last.id, before: batch.before, ...extra }).changes;
    return { examined: rows.length, pruned, lastId: last.id };
  }
}
