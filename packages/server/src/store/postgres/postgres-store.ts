// The store for many processes on many machines: PostgreSQL through a pg pool. Correctness rests on transactions
// and leases in the database (no leader, no broker); per-endpoint limits, rate tokens and circuit state are rows,
// so they hold across processes. The queue's SQL is in statements.ts and the claim function in migrations.ts.
import { MAX_SECRETS } from '@hookline/signatures';
import type pg from 'pg';
import { type CircuitOptions, DEFAULT_CIRCUIT_OPTIONS } from '../../engine/circuit-breaker.js';
import { newId } from '../../ids.js';
import type { ApiKey, NewApiKey } from '../api-keys.js';
import { DuplicateEventIdError, DuplicateUidError } from '../errors.js';
import type { IdempotencyBegin, IdempotencyScope, IdempotencyState } from '../idempotency.js';
import {
  type ApplicationRow,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
  jsonOrNull,
  type MessageRow,
  type OperationalEventRow,
  toApplication,
  toClaimedDelivery,
  toDelivery,
  toEndpoint,
  toMessage,
  toOperationalEvent,
  toRecentAttempts,
} from '../sqlite/rows.js';
import type {
  ApplicationPatch,
  AttemptListOptions,
  AttemptResult,
  ClaimOptions,
  EndpointPatch,
  EventTypeListOptions,
  EventTypePatch,
  ListOptions,
  MessageListOptions,
  NewApplication,
  NewEndpoint,
  NewEventType,
  NewMessage,
  Page,
  PublishResult,
  QueueDepth,
  RecentAttemptsQuery,
  Store,
  TimeRange,
} from '../store.js';
import type {
  Application,
  Attempt,
  AttemptWithEventType,
  ClaimedDelivery,
  Delivery,
  Endpoint,
  EndpointSecret,
  EndpointStats,
  EventType,
  Message,
} from '../types.js';
import { PostgresApiKeys } from './api-keys.js';
import { PostgresEventTypes } from './event-types.js';
import { PostgresIdempotency } from './idempotency.js';
import { LeaseOwner } from './lease-owner.js';
import { PostgresLists } from './lists.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { byId, listPage } from './paging.js';
import { checkSchemaName, connectionConfig, type PostgresConnectionOptions } from './pool.js';
import type { PostgresParts } from './postgres-parts.js';
import { RecordBatcher } from './record-batcher.js';
import { CLAIM, DUE_AGAIN_STATUS, OLDEST_DUE, PUBLISH, QUEUE_DEPTH, RECORD, SET_DISABLED } from './statements.js';
import { type Queryable, WatchedPool } from './watched-pool.js';
import { WORK_CHANNEL, WorkListener, type WorkListenerLogger } from './work-listener.js';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** The circuit every process shares: opened after this many failures in a row, for openMs (doubling on probes). */
  circuit?: CircuitOptions;
  logger?: WorkListenerLogger;
}

/**
 * An endpoint's last failures (its health view) read attempts_failed_endpoint, a partial index: the literal
 * condition lets the planner prove the query may use it, where the nullable $4 alone would not.
 */
function failedOfEndpoint(query: RecentAttemptsQuery): string {
  return query.endpointId != null && query.outcome === 'failed'
    ? "AND attempts.endpoint_id = $3 AND attempts.outcome = 'failed'"
    : '';
}

/** Any two-int key: the lock is per schema, so separate schemas (tests, instances) migrate in parallel. */
const MIGRATION_LOCK_CLASS = 720_614;

function uniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}

const silentLogger: WorkListenerLogger = { warn: () => undefined };

type SecretRow = { secret: string; expires_at: number | null };

/**
 * How long the secrets a claim brought along serve activeSecrets: long enough for the send that follows the claim,
 * short enough that a rotation made in another process is seen by the next claims.
 */
const CLAIMED_SECRETS_TTL_MS = 2000;
const CLAIMED_SECRETS_MAX = 10_000;

export class PostgresStore implements Store {
  readonly pool: WatchedPool;
  /** The per-endpoint gate is in the database: the engine does not keep its own. */
  readonly sharesEndpointGates = true;
  private readonly circuit: CircuitOptions;
  private readonly logger: WorkListenerLogger;
  private readonly records: RecordBatcher<AttemptResult>;
  private readonly listeners = new Set<WorkListener>();
  /** This process's liveness in the database: its leases are taken back at once when it dies. */
  private readonly leaseOwner: LeaseOwner;
  /** Each endpoint's secrets as the last claim read them, with when (this process's clock). */
  private readonly claimedSecrets = new Map<string, { rows: SecretRow[]; readAt: number }>();
  /** Statements sent (a transaction's BEGIN and COMMIT count): the benchmark's statements per delivery. */
  statements = 0;
  /** The parts of the store kept in their own files: event types, filtered lists, API keys, idempotency. */
  private readonly parts: PostgresParts = { query: (text, values) => this.query(text, values) };
  private readonly eventTypes = new PostgresEventTypes(this.parts);
  private readonly lists = new PostgresLists(this.parts);
  private readonly apiKeys = new PostgresApiKeys(this.parts);
  private readonly idempotency = new PostgresIdempotency(this.parts);

  constructor(private readonly options: PostgresStoreOptions) {
    this.pool = new WatchedPool({ ...options, logger: options.logger ?? silentLogger });
    this.circuit = options.circuit ?? DEFAULT_CIRCUIT_OPTIONS;
    this.logger = options.logger ?? silentLogger;
    // An idle connection dropped by a database restart must not crash the process: the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    this.records = new RecordBatcher((batch) => this.recordBatch(batch));
    this.leaseOwner = new LeaseOwner(connectionConfig(options), this.logger);
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    client: Queryable = this.pool,
  ): Promise<pg.QueryResult<R>> {
    this.statements++;
    return client.query<R>(text, values);
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await this.query('BEGIN', [], client);
      const result = await work(client);
      await this.query('COMMIT', [], client);
      return result;
    } catch (error) {
      await this.query('ROLLBACK', [], client).catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    const schema = this.options.schema == null ? null : checkSchemaName(this.options.schema);
    try {
      // Several processes may start at once: one migrates, the others wait here and then find nothing to do.
      await this.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? ''], client);
      try {
        if (schema !== null) await this.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`, [], client);
        await this.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
          [],
          client,
        );
        const applied = new Set(
          (await this.query<{ version: number }>('SELECT version FROM schema_migrations', [], client)).rows.map(
            (row) => row.version,
          ),
        );
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await this.query('BEGIN', [], client);
          try {
            await this.query(migration.sql, [], client);
            await this.query(
              'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
              [migration.version, migration.name, Date.now()],
              client,
            );
            await this.query('COMMIT', [], client);
          } catch (error) {
            await this.query('ROLLBACK', [], client);
            throw error;
          }
        }
      } finally {
        await this.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? ''], client);
      }
    } finally {
      client.release();
    }
  }

  /** Calls `onWork` whenever any process publishes or replays; until the returned stop is called. */
  watchForWork(onWork: () => void): () => Promise<void> {
    const listener = new WorkListener({ config: connectionConfig(this.options), onWork, logger: this.logger });
    this.listeners.add(listener);
    listener.start();
    return async () => {
      this.listeners.delete(listener);
      await listener.stop();
    };
  }

  async close(): Promise<void> {
    await this.records.drain();
    await Promise.all([...this.listeners].map((listener) => listener.stop()));
    this.listeners.clear();
    await this.leaseOwner.close();
    await this.pool.end();
  }

  // ---- applications

  async createApplication(input: NewApplication, now: number): Promise<Application> {
    const row: ApplicationRow = {
      id: newId('app', now),
      uid: input.uid ?? null,
      name: input.name,
      rate_limit: input.rateLimit ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.query(
        'INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.uid, row.name, row.rate_limit, row.metadata, row.created_at, row.updated_at],
      );
    } catch (error) {
      if (row.uid !== null && uniqueViolation(error, 'applications_uid_key')) throw new DuplicateUidError(row.uid);
      throw error;
    }
    return toApplication(row);
  }

  async getApplication(idOrUid: string): Promise<Application | null> {
    const { rows } = await this.query<ApplicationRow>(
      'SELECT * FROM applications WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1',
      [idOrUid],
    );
    return rows[0] === undefined ? null : toApplication(rows[0]);
  }

  async listApplications(options: ListOptions): Promise<Page<Application>> {
    const result = await listPage<ApplicationRow>(
      this.parts,
      'SELECT * FROM applications WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2',
      [options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$1',
    );
    return { ...result, data: result.data.map(toApplication) };
  }

  async updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null> {
    // A field absent from the patch keeps its value; a flag says "given" where null is a value to set.
    try {
      const { rows } = await this.query<ApplicationRow>(
        `UPDATE applications SET
           uid = CASE WHEN $2::boolean THEN $3 ELSE uid END,
           name = COALESCE($4, name),
           rate_limit = CASE WHEN $5::boolean THEN $6::int ELSE rate_limit END,
           metadata = COALESCE($7, metadata),
           updated_at = $8
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.uid !== undefined,
          patch.uid ?? null,
          patch.name ?? null,
          patch.rateLimit !== undefined,
          patch.rateLimit ?? null,
          patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
          now,
        ],
      );
      return rows[0] === undefined ? null : toApplication(rows[0]);
    } catch (error) {
      if (patch.uid != null && uniqueViolation(error, 'applications_uid_key')) throw new DuplicateUidError(patch.uid);
      throw error;
    }
  }

  async deleteApplication(id: string): Promise<boolean> {
    this.claimedSecrets.clear();
    return ((await this.query('DELETE FROM applications WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  // ---- event types

  createEventType(input: NewEventType, now: number): Promise<EventType> {
    return this.eventTypes.createEventType(input, now);
  }

  getEventType(name: string): Promise<EventType | null> {
    return this.eventTypes.getEventType(name);
  }

  listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>> {
    return this.eventTypes.listEventTypes(options);
  }

  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    return this.eventTypes.updateEventType(name, patch, now);
  }

  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean> {
    return this.eventTypes.deleteEventType(name, options, now);
  }

  // ---- endpoints

  async createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint> {
    const row: EndpointRow = {
      id: newId('ep', now),
      app_id: appId,
      uid: input.uid ?? null,
      url: input.url,
      description: input.description ?? '',
      event_types: jsonOrNull(input.eventTypes ?? null),
      channels: jsonOrNull(input.channels ?? null),
      disabled: input.disabled === true ? 1 : 0,
      disabled_reason: input.disabled === true ? 'disabled by the API' : null,
      throttle_rate: input.throttleRate ?? null,
      header_prefix: input.headerPrefix ?? 'webhook',
      retry_schedule: jsonOrNull(input.retrySchedule ?? null),
      non_retryable_statuses: input.nonRetryableStatuses ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      headers: JSON.stringify(input.headers ?? {}),
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
    try {
      // One statement: the endpoint, its first secret and its gate row exist together or not at all.
      await this.query(
        `WITH endpoint AS (
           INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled, disabled_reason,
             throttle_rate, header_prefix, retry_schedule, non_retryable_statuses, metadata, failing_since, created_at, updated_at,
             headers)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19)
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
          input.secret,
          row.headers,
        ],
      );
    } catch (error) {
      if (row.uid !== null && uniqueViolation(error, 'endpoints_app_id_uid_key')) throw new DuplicateUidError(row.uid);
      throw error;
    }
    return toEndpoint(row);
  }

  async getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null> {
    const { rows } = await this.query<EndpointRow>(
      'SELECT * FROM endpoints WHERE app_id = $1 AND (id = $2 OR uid = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, idOrUid],
    );
    return rows[0] === undefined ? null : toEndpoint(rows[0]);
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
    return { ...result, data: result.data.map(toEndpoint) };
  }

  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
    return this.transaction(async (client) => {
      const current = (
        await this.query<EndpointRow>(
          'SELECT * FROM endpoints WHERE app_id = $1 AND id = $2 FOR UPDATE',
          [appId, id],
          client,
        )
      ).rows[0];
      if (current === undefined) return null;
      const next: EndpointRow = {
        ...current,
        uid: patch.uid === undefined ? current.uid : patch.uid,
        url: patch.url ?? current.url,
        description: patch.description ?? current.description,
        event_types: patch.eventTypes === undefined ? current.event_types : jsonOrNull(patch.eventTypes),
        channels: patch.channels === undefined ? current.channels : jsonOrNull(patch.channels),
        throttle_rate: patch.throttleRate === undefined ? current.throttle_rate : patch.throttleRate,
        header_prefix: patch.headerPrefix ?? current.header_prefix,
        retry_schedule: patch.retrySchedule === undefined ? current.retry_schedule : jsonOrNull(patch.retrySchedule),
        non_retryable_statuses:
          patch.nonRetryableStatuses === undefined ? current.non_retryable_statuses : patch.nonRetryableStatuses,
        metadata: patch.metadata === undefined ? current.metadata : JSON.stringify(patch.metadata),
        headers: patch.headers === undefined ? current.headers : JSON.stringify(patch.headers),
        updated_at: now,
      };
      try {
        await this.query(
          `UPDATE endpoints SET uid = $2, url = $3, description = $4, event_types = $5, channels = $6, throttle_rate = $7,
             header_prefix = $8, retry_schedule = $9, non_retryable_statuses = $10, metadata = $11, updated_at = $12,
             headers = $13
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
          ],
          client,
        );
      } catch (error) {
        if (next.uid !== null && uniqueViolation(error, 'endpoints_app_id_uid_key'))
          throw new DuplicateUidError(next.uid);
        throw error;
      }
      if (patch.disabled !== undefined && patch.disabled !== (current.disabled === 1)) {
        await this.setDisabledWith(client, id, patch.disabled, patch.disabled ? 'disabled by the API' : null, now);
      }
      return toEndpoint(
        (await this.query<EndpointRow>('SELECT * FROM endpoints WHERE id = $1', [id], client)).rows[0] as EndpointRow,
      );
    });
  }

  async deleteEndpoint(appId: string, id: string): Promise<boolean> {
    this.claimedSecrets.delete(id);
    return ((await this.query('DELETE FROM endpoints WHERE app_id = $1 AND id = $2', [appId, id])).rowCount ?? 0) > 0;
  }

  async activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]> {
    const claimed = this.claimedSecrets.get(endpointId);
    if (claimed !== undefined && Date.now() - claimed.readAt <= CLAIMED_SECRETS_TTL_MS) {
      return claimed.rows
        .filter((row) => row.expires_at === null || row.expires_at > now)
        .map((row) => ({ secret: row.secret, expiresAt: row.expires_at }));
    }
    const { rows } = await this.query<SecretRow>(
      `SELECT secret, expires_at FROM endpoint_secrets
        WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)
        ORDER BY created_at DESC, serial DESC`,
      [endpointId, now],
    );
    return rows.map((row) => ({ secret: row.secret, expiresAt: row.expires_at }));
  }

  async rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void> {
    this.claimedSecrets.delete(endpointId);
    await this.transaction(async (client) => {
      await this.query(
        'UPDATE endpoint_secrets SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL',
        [endpointId, now + graceMs],
        client,
      );
      await this.query(
        'DELETE FROM endpoint_secrets WHERE endpoint_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2',
        [endpointId, now],
        client,
      );
      await this.query(
        'INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES ($1, $2, $3, NULL)',
        [endpointId, secret, now],
        client,
      );
      await this.query(
        `DELETE FROM endpoint_secrets WHERE endpoint_id = $1 AND serial NOT IN (
           SELECT serial FROM endpoint_secrets WHERE endpoint_id = $1 ORDER BY created_at DESC, serial DESC LIMIT $2)`,
        [endpointId, MAX_SECRETS],
        client,
      );
    });
  }

  async setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void> {
    await this.setDisabledWith(this.pool, endpointId, disabled, reason, now);
  }

  private async setDisabledWith(
    client: Queryable,
    endpointId: string,
    disabled: boolean,
    reason: string | null,
    now: number,
  ): Promise<void> {
    await this.query(SET_DISABLED, [endpointId, disabled ? 1 : 0, reason, now, newId('op', now)], client);
  }

  // ---- messages

  async publish(appId: string, input: NewMessage, now: number): Promise<PublishResult> {
    const row: MessageRow = {
      id: newId('msg', now),
      app_id: appId,
      event_type: input.eventType,
      event_id: input.eventId ?? null,
      payload: input.payload,
      channels: jsonOrNull(input.channels ?? null),
      created_at: now,
      deliver_at: input.deliverAt ?? null,
      tags: jsonOrNull(input.tags ?? null),
    };
    let deliveries: number;
    try {
      const result = await this.query<{ deliveries: number }>(PUBLISH, [
        row.id,
        row.app_id,
        row.event_type,
        row.event_id,
        row.payload,
        row.channels,
        row.created_at,
        row.deliver_at,
        row.tags,
      ]);
      deliveries = result.rows[0]?.deliveries ?? 0;
    } catch (error) {
      if (row.event_id !== null && uniqueViolation(error, 'messages_event_id')) {
        throw new DuplicateEventIdError(row.event_id);
      }
      throw error;
    }
    return { message: toMessage(row), deliveries };
  }

  async getMessage(appId: string, idOrEventId: string): Promise<Message | null> {
    const { rows } = await this.query<MessageRow>(
      'SELECT * FROM messages WHERE app_id = $1 AND (id = $2 OR event_id = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, idOrEventId],
    );
    return rows[0] === undefined ? null : toMessage(rows[0]);
  }

  listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>> {
    return this.lists.listMessages(appId, options);
  }

  // ---- the queue

  async claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (options.limit <= 0) return [];
    const owner = await this.leaseOwner.current();
    const { rows } = await this.query<{
      delivery: DeliveryRow;
      message: MessageRow;
      endpoint: EndpointRow & { secrets: SecretRow[] };
    }>(CLAIM, [
      options.now,
      options.leaseUntil,
      options.limit,
      options.perEndpointLimit,
      options.excludeEndpointIds,
      JSON.stringify(options.endpointCaps),
      owner,
    ]);
    const readAt = Date.now();
    if (this.claimedSecrets.size >= CLAIMED_SECRETS_MAX) this.claimedSecrets.clear();
    for (const row of rows) this.claimedSecrets.set(row.endpoint.id, { rows: row.endpoint.secrets, readAt });
    return rows.map((row) => toClaimedDelivery(row.delivery, row.message, row.endpoint));
  }

  /** Results from concurrent callers share one statement (group commit), so recording is not a round trip each. */
  recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    return this.records.add(results);
  }

  private async recordBatch(results: readonly AttemptResult[]): Promise<void> {
    const columns = {
      deliveryIds: [] as string[],
      leases: [] as number[],
      statuses: [] as string[],
      nextAttemptAts: [] as Array<number | null>,
      errors: [] as Array<string | null>,
      statusCodes: [] as Array<number | null>,
      ats: [] as number[],
      attemptIds: [] as string[],
      outcomes: [] as string[],
      triggers: [] as string[],
      urls: [] as string[],
      bodies: [] as string[],
      durations: [] as number[],
      circuits: [] as string[],
    };
    for (const result of results) {
      const succeeded = result.outcome === 'succeeded';
      columns.deliveryIds.push(result.deliveryId);
      columns.leases.push(result.leaseUntil);
      columns.statuses.push(succeeded ? 'succeeded' : result.next.status);
      columns.nextAttemptAts.push(succeeded || result.next.status !== 'pending' ? null : result.next.nextAttemptAt);
      columns.errors.push(succeeded ? null : result.error);
      columns.statusCodes.push(result.statusCode);
      columns.ats.push(result.at);
      columns.attemptIds.push(newId('atmpt', result.at));
      columns.outcomes.push(result.outcome);
      columns.triggers.push(result.trigger);
      columns.urls.push(result.url);
      columns.bodies.push(result.responseBody);
      columns.durations.push(Math.round(result.durationMs));
      columns.circuits.push(result.circuit ?? 'neutral');
    }
    const values = [
      ...Object.values(columns),
      this.circuit.failureThreshold,
      this.circuit.openMs,
      this.circuit.maxOpenMs,
      // $18: added after the circuit settings so the numbering above stays as it was.
      results.map((result) => (result.requestHeaders === undefined ? null : JSON.stringify(result.requestHeaders))),
    ];
    const disabling = results.filter((result) => result.outcome === 'failed' && result.disableEndpoint !== null);
    if (disabling.length === 0) {
      await this.query(RECORD, values);
      return;
    }
    // A result that disables its endpoint does so in the same transaction as the attempt it comes from.
    await this.transaction(async (client) => {
      const recorded = new Set((await this.query<{ id: string }>(RECORD, values, client)).rows.map((row) => row.id));
      for (const result of disabling) {
        if (!recorded.has(result.deliveryId) || result.disableEndpoint === null) continue;
        const { rows } = await this.query<{ endpoint_id: string }>(
          'SELECT endpoint_id FROM deliveries WHERE id = $1',
          [result.deliveryId],
          client,
        );
        const endpointId = rows[0]?.endpoint_id;
        if (endpointId !== undefined) {
          await this.setDisabledWith(client, endpointId, true, result.disableEndpoint, result.at);
        }
      }
    });
  }

  async releaseLeases(deliveryIds: readonly string[], now: number): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.query(
      `WITH released AS (
         UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL, next_attempt_at = $2, updated_at = $2
          WHERE status = 'sending' AND id = ANY ($1::text[])
         RETURNING 1)
       SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM released LIMIT 1) any_released`,
      [deliveryIds, now],
    );
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.query<{ at: number | null }>(
      `SELECT LEAST((SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'),
                    (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')) AS at`,
    );
    return rows[0]?.at ?? null;
  }

  // ---- logs, dead letters, replay

  listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.lists.listAttemptsForMessage(appId, messageId, options);
  }

  listAttemptsForEndpoint(appId: string, endpointId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.lists.listAttemptsForEndpoint(appId, endpointId, options);
  }

  getAttempt(appId: string, attemptId: string): Promise<Attempt | null> {
    return this.lists.getAttempt(appId, attemptId);
  }

  listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>> {
    return this.lists.listDeliveriesForMessage(appId, messageId, options);
  }

  endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats> {
    return this.lists.endpointStats(appId, endpointId, range);
  }

  async listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions): Promise<Page<Delivery>> {
    const result = await listPage<DeliveryRow>(
      this.parts,
      `SELECT * FROM deliveries WHERE app_id = $1 AND status = 'dead' AND ($2::text IS NULL OR endpoint_id = $2)
         AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
      [appId, endpointId, options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$3',
    );
    return { ...result, data: result.data.map(toDelivery) };
  }

  async resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean> {
    const { rows } = await this.query<{ n: number }>(
      `WITH queued AS (
         UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, manual = 1, next_attempt_at = $4, updated_at = $4
          WHERE app_id = $1 AND message_id = $2 AND endpoint_id = $3 AND status IN ('pending', 'succeeded', 'dead')
         RETURNING 1
       ), woken AS (SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM queued LIMIT 1) any_queued)
       SELECT (SELECT count(*) FROM queued) AS n, (SELECT count(*) FROM woken) AS woken`,
      [appId, messageId, endpointId, now],
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  async recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number> {
    const { rows } = await this.query<{ n: number }>(
      `WITH queued AS (
         UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, manual = 1, next_attempt_at = $5, updated_at = $5
          WHERE endpoint_id = $2 AND app_id = $1 AND status = 'dead' AND created_at >= $3 AND created_at < $4
         RETURNING 1
       ), woken AS (SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM queued LIMIT 1) any_queued)
       SELECT (SELECT count(*) FROM queued) AS n, (SELECT count(*) FROM woken) AS woken`,
      [appId, endpointId, since, until, now],
    );
    return rows[0]?.n ?? 0;
  }

  async countDeliveries(filter: { status?: Delivery['status']; appId?: string }): Promise<number> {
    const { rows } = await this.query<{ n: number }>(
      'SELECT count(*) AS n FROM deliveries WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR app_id = $2)',
      [filter.status ?? null, filter.appId ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  // ---- operator views: tail, charts, health, metrics

  async listRecentAttempts(appId: string, query: RecentAttemptsQuery): Promise<AttemptWithEventType[]> {
    const tail = query.afterId !== undefined && query.afterId !== null;
    const { rows } = await this.query<AttemptRow & { event_type: string }>(
      `SELECT attempts.*, messages.event_type FROM attempts JOIN messages ON messages.id = attempts.message_id
        WHERE attempts.app_id = $1 AND ($2::text IS NULL OR attempts.id > $2)
          AND ($3::text IS NULL OR attempts.endpoint_id = $3) AND ($4::text IS NULL OR attempts.outcome = $4)
          ${failedOfEndpoint(query)}
          AND ($5::text IS NULL OR messages.event_type = $5) AND ($6::bigint IS NULL OR attempts.created_at >= $6)
        ORDER BY attempts.id ${tail ? 'ASC' : 'DESC'} LIMIT $7`,
      [
        appId,
        query.afterId ?? null,
        query.endpointId ?? null,
        query.outcome ?? null,
        query.eventType ?? null,
        query.since ?? null,
        query.limit,
      ],
    );
    return toRecentAttempts(rows, tail);
  }

  async countQueuedDeliveries(): Promise<QueueDepth> {
    const { rows } = await this.query<QueueDepth>(QUEUE_DEPTH);
    const depth = rows[0];
    if (depth === undefined) throw new Error('the queue depth query returned no row');
    return depth;
  }

  async oldestDueDeliveryAt(now: number): Promise<number | null> {
    const { rows } = await this.query<{ at: number | null }>(OLDEST_DUE, [now]);
    return rows[0]?.at ?? null;
  }

  async listOperationalEvents(limit: number) {
    const { rows } = await this.query<OperationalEventRow>(
      'SELECT * FROM operational_events ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map(toOperationalEvent);
  }

  async getSetting(key: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    const result = await this.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      key,
      value,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  // ---- API keys and idempotency records

  createApiKey(input: NewApiKey, now: number): Promise<ApiKey> {
    return this.apiKeys.createApiKey(input, now);
  }

  findApiKeyBySha256(keySha256: string): Promise<ApiKey | null> {
    return this.apiKeys.findApiKeyBySha256(keySha256);
  }

  listApiKeys(filter: { appId?: string | null }, options: ListOptions): Promise<Page<ApiKey>> {
    return this.apiKeys.listApiKeys(filter, options);
  }

  revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.apiKeys.revokeApiKey(id, now);
  }

  touchApiKey(id: string, now: number): Promise<void> {
    return this.apiKeys.touchApiKey(id, now);
  }

  beginIdempotent(input: IdempotencyBegin): Promise<IdempotencyState> {
    return this.idempotency.beginIdempotent(input);
  }

  completeIdempotent(scope: IdempotencyScope, answer: { statusCode: number; body: string }): Promise<void> {
    return this.idempotency.completeIdempotent(scope, answer);
  }

  releaseIdempotent(scope: IdempotencyScope): Promise<void> {
    return this.idempotency.releaseIdempotent(scope);
  }

  purgeExpiredIdempotency(now: number): Promise<number> {
    return this.idempotency.purgeExpiredIdempotency(now);
  }
}
