// Endpoints in SQLite: the row and its secrets (current and rotated-out with an expiry), which exist together or
// not at all. Disabling parks the endpoint's pending deliveries; enabling makes them due again.
import { MAX_SECRETS } from '@hookline/signatures';
import { newId } from '../../ids.js';
import type { EndpointPatch, EndpointsStore, NewEndpoint } from '../endpoints.js';
import { DuplicateUidError } from '../errors.js';
import { newEndpointRow, patchedEndpointRow } from '../input-rows.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { type ResealOptions, resealColumns } from '../reseal-secrets.js';
import { type EndpointRow, type OperationalEventRow, openedSecret, sealedSecret, toEndpoint } from '../rows.js';
import type { SecretBox } from '../secret-box.js';
import { activeSecretsAt, type SecretRow } from '../secrets.js';
import type { Endpoint, EndpointSecret } from '../types.js';
import { advanceLines, dissolveLines, linesOfEndpoint } from './ordering.js';
import { listPage } from './paging.js';
import { CACHED_ENDPOINTS } from './read-caches.js';
import { sqliteSealedColumns } from './sealed-columns.js';
import { type SqliteParts, uniqueViolation } from './sqlite-parts.js';

/**
 * Disables or enables an endpoint inside the caller's write (a record batch, an update). A disabled endpoint's
 * pending deliveries are parked ('paused'), not failed: nothing is lost, and the claim query never wades through
 * them. Enabling makes them due at once. No-op when unchanged; true when it changed the endpoint.
 */
export function setEndpointDisabledNow(
  parts: SqliteParts,
  endpointId: string,
  disabled: boolean,
  reason: string | null,
  now: number,
): boolean {
  const endpoint = parts.sql('SELECT app_id, disabled FROM endpoints WHERE id = ?').get(endpointId) as
    | { app_id: string; disabled: number }
    | undefined;
  if (endpoint === undefined || endpoint.disabled === (disabled ? 1 : 0)) return false;
  parts.caches.forget();
  parts
    .sql('UPDATE endpoints SET disabled = ?, disabled_reason = ?, failing_since = NULL, updated_at = ? WHERE id = ?')
    .run(disabled ? 1 : 0, disabled ? reason : null, now, endpointId);
  if (disabled) {
    parts
      .sql("UPDATE deliveries SET status = 'paused', updated_at = ? WHERE endpoint_id = ? AND status = 'pending'")
      .run(now, endpointId);
  } else {
    // A delivery waiting in an ordered line stays parked: only the line's head is woken.
    parts
      .sql(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
          WHERE endpoint_id = ? AND status = 'paused' AND (ordering_key IS NULL OR id IN (
            SELECT head_id FROM ordering_lines WHERE endpoint_id = deliveries.endpoint_id))`,
      )
      .run(now, now, endpointId);
  }
  const event: OperationalEventRow = {
    id: newId('op', now),
    type: disabled ? 'endpoint.disabled' : 'endpoint.enabled',
    app_id: endpoint.app_id,
    endpoint_id: endpointId,
    reason: reason ?? '',
    created_at: now,
  };
  parts
    .sql(
      'INSERT INTO operational_events (id, type, app_id, endpoint_id, reason, created_at) VALUES (@id, @type, @app_id, @endpoint_id, @reason, @created_at)',
    )
    .run(event);
  return true;
}

/**
 * Every secret of the endpoint, expired ones too (which sign depends on the time: activeSecretsAt), newest first;
 * from the read cache when there. The caller has checked the cache against other connections' commits.
 */
export function storedSecrets(parts: SqliteParts, endpointId: string): SecretRow[] {
  const cache = parts.caches.secrets;
  let rows = cache.get(endpointId);
  if (rows === undefined) {
    rows = parts
      .sql('SELECT secret, expires_at FROM endpoint_secrets WHERE endpoint_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(endpointId) as SecretRow[];
    if (cache.size >= CACHED_ENDPOINTS) cache.clear();
    cache.set(endpointId, rows);
  }
  return rows;
}

export class SqliteEndpoints implements EndpointsStore {
  constructor(
    private readonly parts: SqliteParts,
    private readonly box: SecretBox,
  ) {}

  createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const row = newEndpointRow(appId, input, now, this.box);
      try {
        this.parts
          .sql(
            `INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled, disabled_reason,
               throttle_rate, header_prefix, retry_schedule, non_retryable_statuses, metadata, headers, failing_since, created_at, updated_at,
               signature_scheme, payload_format, payload_filter, sealed_url, ordering, ordering_on_dead)
             VALUES (@id, @app_id, @uid, @url, @description, @event_types, @channels, @disabled, @disabled_reason,
               @throttle_rate, @header_prefix, @retry_schedule, @non_retryable_statuses, @metadata, @headers, @failing_since, @created_at, @updated_at,
               @signature_scheme, @payload_format, @payload_filter, @sealed_url, @ordering, @ordering_on_dead)`,
          )
          .run(row);
      } catch (error) {
        if (row.uid !== null && uniqueViolation(error, 'endpoints.app_id, endpoints.uid'))
          throw new DuplicateUidError(row.uid);
        throw error;
      }
      this.parts
        .sql('INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES (?, ?, ?, NULL)')
        .run(row.id, sealedSecret(this.box, row.id, input.secret), now);
      return toEndpoint(row, this.box);
    });
  }

  async getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null> {
    const row = this.parts
      .sql('SELECT * FROM endpoints WHERE app_id = ? AND (id = ? OR uid = ?) LIMIT 1')
      .get(appId, idOrUid, idOrUid) as EndpointRow | undefined;
    return row === undefined ? null : toEndpoint(row, this.box);
  }

  async listEndpoints(appId: string, options: ListOptions): Promise<Page<Endpoint>> {
    const result = listPage<EndpointRow>(
      this.parts,
      'SELECT * FROM endpoints WHERE app_id = @appId AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit',
      { appId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map((row) => toEndpoint(row, this.box)) };
  }

  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const current = this.parts.sql('SELECT * FROM endpoints WHERE app_id = ? AND id = ?').get(appId, id) as
        | EndpointRow
        | undefined;
      if (current === undefined) return null;
      const next = patchedEndpointRow(current, patch, now, this.box);
      try {
        this.parts
          .sql(
            `UPDATE endpoints SET uid = @uid, url = @url, description = @description, event_types = @event_types,
               channels = @channels, throttle_rate = @throttle_rate, header_prefix = @header_prefix,
               retry_schedule = @retry_schedule, non_retryable_statuses = @non_retryable_statuses, metadata = @metadata,
               headers = @headers, updated_at = @updated_at, signature_scheme = @signature_scheme,
               payload_format = @payload_format, payload_filter = @payload_filter, sealed_url = @sealed_url,
               ordering = @ordering, ordering_on_dead = @ordering_on_dead
             WHERE id = @id`,
          )
          .run(next);
      } catch (error) {
        if (next.uid !== null && uniqueViolation(error, 'endpoints.app_id, endpoints.uid'))
          throw new DuplicateUidError(next.uid);
        throw error;
      }
      if (patch.disabled !== undefined && patch.disabled !== (current.disabled === 1)) {
        setEndpointDisabledNow(this.parts, id, patch.disabled, patch.disabled ? 'disabled by the API' : null, now);
      }
      const sql = (text: string) => this.parts.sql(text);
      if (current.ordering === 'fifo' && next.ordering === 'none') dissolveLines(sql, id, now);
      else if (current.ordering_on_dead === 'hold' && next.ordering_on_dead === 'skip') {
        // Keys held by a dead head go on at once, as they would have had the endpoint skipped from the start.
        advanceLines(sql, linesOfEndpoint(sql, id), now);
      }
      return toEndpoint(this.parts.sql('SELECT * FROM endpoints WHERE id = ?').get(id) as EndpointRow, this.box);
    });
  }

  deleteEndpoint(appId: string, id: string): Promise<boolean> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      return this.parts.sql('DELETE FROM endpoints WHERE app_id = ? AND id = ?').run(appId, id).changes > 0;
    });
  }

  async activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]> {
    this.parts.caches.forgetIfChangedElsewhereThisTurn();
    return activeSecretsAt(storedSecrets(this.parts, endpointId), now, (stored) =>
      openedSecret(this.box, endpointId, stored),
    );
  }

  rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      this.parts
        .sql('UPDATE endpoint_secrets SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL')
        .run(now + graceMs, endpointId);
      this.parts
        .sql('DELETE FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NOT NULL AND expires_at <= ?')
        .run(endpointId, now);
      this.parts
        .sql('INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES (?, ?, ?, NULL)')
        .run(endpointId, sealedSecret(this.box, endpointId, secret), now);
      this.parts
        .sql(
          `DELETE FROM endpoint_secrets WHERE endpoint_id = @id AND rowid NOT IN (
             SELECT rowid FROM endpoint_secrets WHERE endpoint_id = @id ORDER BY created_at DESC, rowid DESC LIMIT @keep)`,
        )
        .run({ id: endpointId, keep: MAX_SECRETS });
    });
  }

  setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void> {
    return this.parts.write(() => {
      setEndpointDisabledNow(this.parts, endpointId, disabled, reason, now);
    });
  }

  resealSecrets(options?: ResealOptions) {
    return resealColumns(this.box, sqliteSealedColumns(this.parts), options);
  }
}
