// Endpoints in PostgreSQL: the row, its secrets (current and rotated-out with an expiry) and its gate row, which
// exist together or not at all. Disabling parks the endpoint's pending deliveries; enabling makes them due again.
import { MAX_SECRETS } from '@hookline/signatures';
import { newId } from '../../ids.js';
import type { EndpointPatch, EndpointsStore, NewEndpoint } from '../endpoints.js';
import { DuplicateUidError } from '../errors.js';
import { newEndpointRow, patchedEndpointRow } from '../input-rows.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { type ResealOptions, resealColumns } from '../reseal-secrets.js';
import { type EndpointRow, openedSecret, sealedSecret, toEndpoint } from '../rows.js';
import type { SecretBox } from '../secret-box.js';
import { activeSecretsAt, type SecretRow } from '../secrets.js';
import type { Endpoint, EndpointSecret } from '../types.js';
import { ADVANCE_ALL_LINES, DISSOLVE_LINES } from './ordering.js';
import { listPage } from './paging.js';
import { type PostgresParts, uniqueViolation } from './postgres-parts.js';
import { postgresSealedColumns } from './sealed-columns.js';
import type { Queryable } from './watched-pool.js';
import { WORK_CHANNEL } from './work-listener.js';

/**
 * $1 endpoint id, $2 disabled (0/1), $3 reason, $4 now, $5 operational event id. Parks the endpoint's pending
 * deliveries on disable; makes parked ones due at once on enable (and wakes the workers). No-op when unchanged.
 *
 * The race (issue 14, "enable vs release"): RECORD (queue.ts), hookline_advance_lines and the other statements that
 * set a delivery due read `endpoints.disabled` without a lock. One whose snapshot was taken before this statement
 * committed reads the endpoint as still disabled and parks what it sets due (a retried delivery; the next head of an
 * ordered line), while this statement's snapshot, taken before that park committed, does not see it parked, so
 * does not wake it: 'paused' on an enabled endpoint (for an ordered line: the key stuck). Not prevented but repaired
 * (stranded.ts): the engine's periodic maintenance makes such deliveries due, and so does the store after each enable
 * once the transactions that began before it committed have ended. Chosen over serialising the readers with this
 * statement (a FOR KEY SHARE on the endpoint row before each read of `disabled`, this statement after its lock in a
 * statement of its own) because that puts a tuple lock on the endpoint into every RECORD batch, the hot path, for a
 * window that only opens when an operator enables an endpoint; the repair costs the hot path nothing.
 */
const SET_DISABLED = `
WITH current AS (
  SELECT id FROM endpoints WHERE id = $1 AND disabled <> $2::smallint FOR UPDATE
), changed AS (
  UPDATE endpoints e
     SET disabled = $2::smallint, disabled_reason = CASE WHEN $2::smallint = 1 THEN $3 ELSE NULL END,
         failing_since = NULL, updated_at = $4
    FROM current WHERE e.id = current.id
  RETURNING e.id, e.app_id
), parked AS (
  UPDATE deliveries d
     SET status = CASE WHEN $2::smallint = 1 THEN 'paused' ELSE 'pending' END,
         next_attempt_at = CASE WHEN $2::smallint = 1 THEN d.next_attempt_at ELSE $4 END, updated_at = $4
    FROM changed
   WHERE d.endpoint_id = changed.id AND d.status = CASE WHEN $2::smallint = 1 THEN 'pending' ELSE 'paused' END
     -- A delivery waiting in an ordered line stays parked on enable: only the line's head is woken.
     AND ($2::smallint = 1 OR d.ordering_key IS NULL
          OR d.id IN (SELECT head_id FROM ordering_lines l WHERE l.endpoint_id = changed.id))
), logged AS (
  INSERT INTO operational_events (id, type, app_id, endpoint_id, reason, created_at)
  SELECT $5, CASE WHEN $2::smallint = 1 THEN 'endpoint.disabled' ELSE 'endpoint.enabled' END, changed.app_id,
         changed.id, COALESCE($3, ''), $4
    FROM changed
), woken AS (
  SELECT pg_notify('${WORK_CHANNEL}', '') FROM changed WHERE $2::smallint = 0
)
SELECT (SELECT count(*) FROM changed) AS changed, (SELECT count(*) FROM woken) AS woken`;

/**
 * Disables or enables an endpoint inside the caller's transaction (`client`), or alone on the pool. True when it
 * changed the endpoint (false: no such endpoint, or it already was so).
 */
export async function setEndpointDisabledWith(
  client: Queryable,
  endpointId: string,
  disabled: boolean,
  reason: string | null,
  now: number,
): Promise<boolean> {
  const { rows } = await client.query<{ changed: number }>(SET_DISABLED, [
    endpointId,
    disabled ? 1 : 0,
    reason,
    now,
    newId('op', now),
  ]);
  return (rows[0]?.changed ?? 0) > 0;
}

export class PostgresEndpoints implements EndpointsStore {
  constructor(
    private readonly parts: PostgresParts,
    private readonly box: SecretBox,
    /** Told after an enable committed: the race above may have parked deliveries to repair (stranded.ts). */
    private readonly enabled: (endpointId: string, now: number) => void = () => undefined,
  ) {}

  async createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint> {
    const row = newEndpointRow(appId, input, now, this.box);
    try {
      // One statement: the endpoint, its first secret and its gate row exist together or not at all.
      await this.parts.query(
        `WITH endpoint AS (
           INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled, disabled_reason,
             throttle_rate, header_prefix, retry_schedule, non_retryable_statuses, metadata, failing_since, created_at, updated_at,
             headers, signature_scheme, payload_format, payload_filter, sealed_url, ordering, ordering_on_dead)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19, $20, $21, $22, $23, $24,
                   $25)
           RETURNING id
         ), secret AS (
           INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) SELECT id, $18, $16, NULL FROM endpoint
         )
         INSERT INTO endpoint_gates (endpoint_id) SELECT id FROM endpoint`,
        [
          row.id,
          row.app_id,
          row.uid,
          row.url,
          row.description,
          row.event_types,
          row.channels,
          row.disabled,
          row.disabled_reason,
          row.throttle_rate,
          row.header_prefix,
          row.retry_schedule,
          row.non_retryable_statuses,
          row.metadata,
          row.failing_since,
          row.created_at,
          row.updated_at,
          sealedSecret(this.box, row.id, input.secret),
          row.headers,
          row.signature_scheme,
          row.payload_format,
          row.payload_filter,
          row.sealed_url,
          row.ordering,
          row.ordering_on_dead,
        ],
      );
    } catch (error) {
      if (row.uid !== null && uniqueViolation(error, 'endpoints_app_id_uid_key')) throw new DuplicateUidError(row.uid);
      throw error;
    }
    return toEndpoint(row, this.box);
  }

  async getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null> {
    const { rows } = await this.parts.query<EndpointRow>(
      'SELECT * FROM endpoints WHERE app_id = $1 AND (id = $2 OR uid = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, idOrUid],
    );
    return rows[0] === undefined ? null : toEndpoint(rows[0], this.box);
  }

  async listEndpoints(appId: string, options: ListOptions): Promise<Page<Endpoint>> {
    const result = await listPage<EndpointRow>(
      this.parts,
      'SELECT * FROM endpoints WHERE app_id = $1 AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3',
      [appId, options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$2',
    );
    return { ...result, data: result.data.map((row) => toEndpoint(row, this.box)) };
  }

  async updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
    let enabled = false;
    const updated = await this.parts.transaction(async (client) => {
      const current = (
        await client.query<EndpointRow>('SELECT * FROM endpoints WHERE app_id = $1 AND id = $2 FOR UPDATE', [appId, id])
      ).rows[0];
      if (current === undefined) return null;
      const next = patchedEndpointRow(current, patch, now, this.box);
      try {
        await client.query(
          `UPDATE endpoints SET uid = $2, url = $3, description = $4, event_types = $5, channels = $6, throttle_rate = $7,
             header_prefix = $8, retry_schedule = $9, non_retryable_statuses = $10, metadata = $11, updated_at = $12,
             headers = $13, signature_scheme = $14, payload_format = $15, payload_filter = $16, sealed_url = $17,
             ordering = $18, ordering_on_dead = $19
           WHERE id = $1`,
          [
            id,
            next.uid,
            next.url,
            next.description,
            next.event_types,
            next.channels,
            next.throttle_rate,
            next.header_prefix,
            next.retry_schedule,
            next.non_retryable_statuses,
            next.metadata,
            next.updated_at,
            next.headers,
            next.signature_scheme,
            next.payload_format,
            next.payload_filter,
            next.sealed_url,
            next.ordering,
            next.ordering_on_dead,
          ],
        );
      } catch (error) {
        if (next.uid !== null && uniqueViolation(error, 'endpoints_app_id_uid_key'))
          throw new DuplicateUidError(next.uid);
        throw error;
      }
      if (patch.disabled !== undefined && patch.disabled !== (current.disabled === 1)) {
        const reason = patch.disabled ? 'disabled by the API' : null;
        enabled = (await setEndpointDisabledWith(client, id, patch.disabled, reason, now)) && !patch.disabled;
      }
      if (current.ordering === 'fifo' && next.ordering === 'none') await client.query(DISSOLVE_LINES, [id, now]);
      else if (current.ordering_on_dead === 'hold' && next.ordering_on_dead === 'skip') {
        // Keys held by a dead head go on at once, as they would have had the endpoint skipped from the start.
        await client.query(ADVANCE_ALL_LINES, [id, now]);
      }
      const { rows } = await client.query<EndpointRow>('SELECT * FROM endpoints WHERE id = $1', [id]);
      return toEndpoint(rows[0] as EndpointRow, this.box);
    });
    if (enabled) this.enabled(id, now);
    return updated;
  }

  async deleteEndpoint(appId: string, id: string): Promise<boolean> {
    const result = await this.parts.query('DELETE FROM endpoints WHERE app_id = $1 AND id = $2', [appId, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]> {
    const { rows } = await this.parts.query<SecretRow>(
      'SELECT secret, expires_at FROM endpoint_secrets WHERE endpoint_id = $1 ORDER BY created_at DESC, serial DESC',
      [endpointId],
    );
    return activeSecretsAt(rows, now, (stored) => openedSecret(this.box, endpointId, stored));
  }

  async rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void> {
    await this.parts.transaction(async (client) => {
      await client.query('UPDATE endpoint_secrets SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL', [
        endpointId,
        now + graceMs,
      ]);
      await client.query(
        'DELETE FROM endpoint_secrets WHERE endpoint_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2',
        [endpointId, now],
      );
      await client.query(
        'INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES ($1, $2, $3, NULL)',
        [endpointId, sealedSecret(this.box, endpointId, secret), now],
      );
      await client.query(
        `DELETE FROM endpoint_secrets WHERE endpoint_id = $1 AND serial NOT IN (
           SELECT serial FROM endpoint_secrets WHERE endpoint_id = $1 ORDER BY created_at DESC, serial DESC LIMIT $2)`,
        [endpointId, MAX_SECRETS],
      );
    });
  }

  async setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void> {
    const changed = await setEndpointDisabledWith(this.parts, endpointId, disabled, reason, now);
    if (changed && !disabled) this.enabled(endpointId, now);
  }

  resealSecrets(options?: ResealOptions) {
    return resealColumns(this.box, postgresSealedColumns(this.parts), options);
  }
}
