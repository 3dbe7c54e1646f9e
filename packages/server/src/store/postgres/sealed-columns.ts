// The columns encryption at rest seals, as the re-encryption pass (store/reseal-secrets.ts) walks them on
// PostgreSQL: read in serial/id order, rewritten compare-and-set in one statement per batch, so processes that run
// the pass at once never undo each other's or a request's write.
import type { SealedColumnAccess, SealedValue, StaleFilter } from '../reseal-secrets.js';
import type { PostgresParts } from './postgres-parts.js';

const like = (filter: StaleFilter) => (filter.not ? 'NOT LIKE' : 'LIKE');

function columnsOf(changes: ReadonlyArray<{ rowKey: string | number; from: string; to: string }>) {
  return [changes.map((c) => String(c.rowKey)), changes.map((c) => c.from), changes.map((c) => c.to)];
}

export function postgresSealedColumns(parts: PostgresParts): SealedColumnAccess[] {
  return [
    {
      column: 'endpoint_secrets.secret',
      async stale(after, limit, filter) {
        const { rows } = await parts.query<SealedValue>(
          `SELECT serial::text AS "rowKey", endpoint_id AS "ownerId", secret AS value FROM endpoint_secrets
            WHERE serial > $1 AND secret ${like(filter)} $2 ORDER BY serial LIMIT $3`,
          [after ?? 0, filter.like, limit],
        );
        return rows;
      },
      async replace(changes) {
        const result = await parts.query(
          `UPDATE endpoint_secrets s SET secret = c.next
             FROM unnest($1::bigint[], $2::text[], $3::text[]) AS c(serial, previous, next)
            WHERE s.serial = c.serial AND s.secret = c.previous`,
          columnsOf(changes),
        );
        return result.rowCount ?? 0;
      },
    },
    {
      column: 'sources.verification',
      async stale(after, limit, filter) {
        const { rows } = await parts.query<SealedValue>(
          `SELECT id AS "rowKey", id AS "ownerId", verification AS value FROM sources
            WHERE id > $1 AND verification ${like(filter)} $2 ORDER BY id LIMIT $3`,
          [after ?? '', filter.like, limit],
        );
        return rows;
      },
      async replace(changes) {
        const result = await parts.query(
          `UPDATE sources s SET verification = c.next
             FROM unnest($1::text[], $2::text[], $3::text[]) AS c(id, previous, next)
            WHERE s.id = c.id AND s.verification = c.previous`,
          columnsOf(changes),
        );
        return result.rowCount ?? 0;
      },
    },
    {
      column: 'endpoints.headers',
      async stale(after, limit, filter) {
        const { rows } = await parts.query<SealedValue>(
          `SELECT id AS "rowKey", id AS "ownerId", headers AS value FROM endpoints
            WHERE id > $1 AND headers ${like(filter)} $2 ORDER BY id LIMIT $3`,
          [after ?? '', filter.like, limit],
        );
        return rows;
      },
      async replace(changes) {
        const result = await parts.query(
          `UPDATE endpoints e SET headers = c.next
             FROM unnest($1::text[], $2::text[], $3::text[]) AS c(id, previous, next)
            WHERE e.id = c.id AND e.headers = c.previous`,
          columnsOf(changes),
        );
        return result.rowCount ?? 0;
      },
    },
    {
      // A broker URL with its credentials; null (skipped by either LIKE) for a URL that holds none.
      column: 'endpoints.sealed_url',
      async stale(after, limit, filter) {
        const { rows } = await parts.query<SealedValue>(
          `SELECT id AS "rowKey", id AS "ownerId", sealed_url AS value FROM endpoints
            WHERE id > $1 AND sealed_url ${like(filter)} $2 ORDER BY id LIMIT $3`,
          [after ?? '', filter.like, limit],
        );
        return rows;
      },
      async replace(changes) {
        const result = await parts.query(
          `UPDATE endpoints e SET sealed_url = c.next
             FROM unnest($1::text[], $2::text[], $3::text[]) AS c(id, previous, next)
            WHERE e.id = c.id AND e.sealed_url = c.previous`,
          columnsOf(changes),
        );
        return result.rowCount ?? 0;
      },
    },
  ];
}
