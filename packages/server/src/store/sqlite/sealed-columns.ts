// The columns encryption at rest seals, as the re-encryption pass (store/reseal-secrets.ts) walks them on SQLite:
// read in rowid/id order, rewritten compare-and-set through the write queue.
import type { SealedColumnAccess, SealedValue, StaleFilter } from '../reseal-secrets.js';
import type { SqliteParts } from './sqlite-parts.js';

const like = (filter: StaleFilter) => (filter.not ? 'NOT LIKE' : 'LIKE');

export function sqliteSealedColumns(parts: SqliteParts): SealedColumnAccess[] {
  return [
    {
      column: 'endpoint_secrets.secret',
      async stale(after, limit, filter) {
        return parts
          .sql(
            `SELECT rowid AS rowKey, endpoint_id AS ownerId, secret AS value FROM endpoint_secrets
              WHERE rowid > ? AND secret ${like(filter)} ? ORDER BY rowid LIMIT ?`,
          )
          .all(after ?? 0, filter.like, limit) as SealedValue[];
      },
      replace(changes) {
        return parts.write(() => {
          const update = parts.sql('UPDATE endpoint_secrets SET secret = ? WHERE rowid = ? AND secret = ?');
          let changed = 0;
          for (const change of changes) changed += update.run(change.to, change.rowKey, change.from).changes;
          return changed;
        });
      },
    },
    {
      column: 'sources.verification',
      async stale(after, limit, filter) {
        return parts
          .sql(
            `SELECT id AS rowKey, id AS ownerId, verification AS value FROM sources
              WHERE id > ? AND verification ${like(filter)} ? ORDER BY id LIMIT ?`,
          )
          .all(after ?? '', filter.like, limit) as SealedValue[];
      },
      replace(changes) {
        return parts.write(() => {
          const update = parts.sql('UPDATE sources SET verification = ? WHERE id = ? AND verification = ?');
          let changed = 0;
          for (const change of changes) changed += update.run(change.to, change.rowKey, change.from).changes;
          return changed;
        });
      },
    },
    {
      column: 'endpoints.headers',
      async stale(after, limit, filter) {
        return parts
          .sql(
            `SELECT id AS rowKey, id AS ownerId, headers AS value FROM endpoints
              WHERE id > ? AND headers ${like(filter)} ? ORDER BY id LIMIT ?`,
          )
          .all(after ?? '', filter.like, limit) as SealedValue[];
      },
      replace(changes) {
        return parts.write(() => {
          const update = parts.sql('UPDATE endpoints SET headers = ? WHERE id = ? AND headers = ?');
          let changed = 0;
          for (const change of changes) changed += update.run(change.to, change.rowKey, change.from).changes;
          return changed;
        });
      },
    },
    {
      // A broker URL with its credentials; null (skipped by either LIKE) for a URL that holds none.
      column: 'endpoints.sealed_url',
      async stale(after, limit, filter) {
        return parts
          .sql(
            `SELECT id AS rowKey, id AS ownerId, sealed_url AS value FROM endpoints
              WHERE id > ? AND sealed_url ${like(filter)} ? ORDER BY id LIMIT ?`,
          )
          .all(after ?? '', filter.like, limit) as SealedValue[];
      },
      replace(changes) {
        return parts.write(() => {
          const update = parts.sql('UPDATE endpoints SET sealed_url = ? WHERE id = ? AND sealed_url = ?');
          let changed = 0;
          for (const change of changes) changed += update.run(change.to, change.rowKey, change.from).changes;
          return changed;
        });
      },
    },
  ];
}
