// The embedded store: better-sqlite3 in WAL mode, durable by default (a publish is answered only once it is on
// disk; the fsync runs off the event loop, see WalSync), writes grouped into shared transactions by WriteQueue. The queue's work is a handful of
// statements kept here in one place.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MAX_SECRETS } from '@hookline/signatures';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { newId } from '../../ids.js';
import type { ApiKey, NewApiKey } from '../api-keys.js';
import { DuplicateEventIdError, DuplicateNameError, DuplicateUidError } from '../errors.js';
import { type EndpointFilter, receivesMessage } from '../fan-out.js';
import type { IdempotencyBegin, IdempotencyScope, IdempotencyState } from '../idempotency.js';
import {
  type ApplicationRow,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
  type EventTypeRow,
  jsonOrNull,
  type MessageRow,
  newEventTypeRow,
  type OperationalEventRow,
  toApplication,
  toAttempt,
  toClaimedDelivery,
  toDelivery,
  toEndpoint,
  toEventType,
  toMessage,
  toOperationalEvent,
  toRecentAttempts,
} from '../rows.js';
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
  OperationalEvent,
} from '../types.js';
import { SqliteApiKeys } from './api-keys.js';
import { SqliteIdempotency } from './idempotency.js';
import {
  attemptListParameters,
  ENDPOINT_STATS,
  LIST_ATTEMPTS_FOR_ENDPOINT,
  LIST_ATTEMPTS_FOR_MESSAGE,
  LIST_DELIVERIES_FOR_MESSAGE,
  LIST_MESSAGES,
  messageListParameters,
  OLDEST_DUE,
  QUEUE_DEPTH,
  recentAttemptsScope,
} from './list-queries.js';
import { migrateSqlite } from './migrations.js';
import type { SqliteParts } from './sqlite-parts.js';
import { type FsyncFunction, WalSync } from './wal-sync.js';
import { WriteQueue } from './write-queue.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for tests that need no durability. */
  path: string;
  /**
   * FULL (default): a write resolves only once its commit is on disk. The fsync runs on the thread pool (WalSync),
   * not inside COMMIT, so it never blocks the process. 'FULL-INLINE' is SQLite's own synchronous=FULL (fsync
   * inside COMMIT, on the event loop), kept to measure against. NORMAL trades the last commits on power loss for
   * speed.
   */
  synchronous?: 'FULL' | 'FULL-INLINE' | 'NORMAL';
  /** Replaces fs.fsync for the WAL (tests hold it to prove no write is answered before its fsync). */
  fsync?: FsyncFunction;
}

/**
 * The status a delivery takes when it becomes due again (a retry, a lease run out or given back, a replay):
 * pending, or paused when its endpoint is disabled, so it waits for the endpoint to be enabled instead of being
 * claimed. Written into each of those UPDATEs, so no later pass has to find and park such rows.
 */
const DUE_AGAIN_STATUS = `CASE WHEN EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id AND endpoints.disabled = 1)
  THEN 'paused' ELSE 'pending' END`;

/** Bounds of the read caches: past them a cache starts over rather than grow. */
const CACHED_APPLICATIONS = 10_000;
const CACHED_ENDPOINTS = 10_000;

function isUniqueViolation(error: unknown, index: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true &&
    error.message.includes(index)
  );
}

const byId = (row: { id: string }) => row.id;

/**
 * A list's SQL turned around, for the page before the iterator: the cursor comparison flips and the order reverses
 * (the rows come back nearest first and are put back in list order). Every list's SQL has exactly one of each, which
 * is checked, so a list written another way fails loudly instead of paging wrong.
 */
export function backwardSql(text: string): string {
  const turned = text
    .replace(/ (<|>) @iterator/, (_match, op: string) => (op === '<' ? ' > @iterator' : ' < @iterator'))
    .replace(/ORDER BY ([a-z_.]+)( DESC)? LIMIT/, (_match, key: string, desc?: string) =>
      desc === undefined ? `ORDER BY ${key} DESC LIMIT` : `ORDER BY ${key} LIMIT`,
    );
  if (turned.match(/@iterator/g)?.length !== 2 || turned === text) {
    throw new Error(`cannot page backward through: ${text}`);
  }
  return turned;
}

/**
 * `rows` holds one row more than the page when there is more in the direction read. Forward, the iterator is the
 * last row's key (the next page); backward, rows came nearest first: the page is put back in list order and the
 * iterator is its first row's key (the page before it).
 */
function pageBy<T>(rows: T[], limit: number, keyOf: (row: T) => string, backward = false): Page<T> {
  const done = rows.length <= limit;
  const taken = done ? rows : rows.slice(0, limit);
  if (backward) {
    const data = taken.reverse();
    return { data, iterator: data.length > 0 ? keyOf(data[0] as T) : null, done };
  }
  return { data: taken, iterator: taken.length > 0 ? keyOf(taken[taken.length - 1] as T) : null, done };
}

/** The candidates a claim may take, in order: not excluded, within the limit and each endpoint's cap. */
function pickClaimable(
  candidates: ReadonlyArray<{ id: string; endpoint_id: string }>,
  options: ClaimOptions,
): string[] {
  const excluded = new Set(options.excludeEndpointIds);
  const taken = new Map<string, number>();
  const ids: string[] = [];
  for (const candidate of candidates) {
    if (ids.length >= options.limit) break;
    if (excluded.has(candidate.endpoint_id)) continue;
    const count = taken.get(candidate.endpoint_id) ?? 0;
    if (count >= (options.endpointCaps[candidate.endpoint_id] ?? options.perEndpointLimit)) continue;
    taken.set(candidate.endpoint_id, count + 1);
    ids.push(candidate.id);
  }
  return ids;
}

export class SqliteStore implements Store {
  readonly db: Database;
  private readonly writes: WriteQueue;
  /** Makes commits durable off the event loop; null when SQLite's own setting does (or nothing must). */
  readonly walSync: WalSync | null;
  private readonly statements = new Map<string, Statement>();
  /**
   * Each application's enabled endpoints with their filters parsed, so a publish neither selects nor parses them.
   * Dropped on every endpoint or application write, on any rollback, and when another connection has committed
   * (data_version moved), so it never outlives the rows it copies.
   */
  private readonly enabledEndpoints = new Map<string, Array<{ id: string; filter: EndpointFilter }>>();
  /** Applications by id and by uid (every publish looks one up), and each endpoint's secrets; dropped likewise. */
  private readonly applications = new Map<string, Application>();
  private readonly secrets = new Map<string, Array<{ secret: string; expires_at: number | null }>>();
  private readonly dataVersionStatement: Statement;
  private dataVersion: number | null = null;
  private readonly apiKeys: SqliteApiKeys;
  private readonly idempotency: SqliteIdempotency;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new BetterSqlite3(options.path);
    const journalMode = this.db.pragma('journal_mode = WAL', { simple: true });
    const synchronous = options.synchronous ?? 'FULL';
    // Off-loop fsync needs a WAL file to sync; an in-memory database has none and nothing to make durable.
    this.walSync =
      synchronous === 'FULL' && journalMode === 'wal' ? new WalSync(`${options.path}-wal`, options.fsync) : null;
    // With WalSync, COMMIT only writes the WAL and WalSync fsyncs it; otherwise SQLite's own FULL or NORMAL.
    this.db.pragma(`synchronous = ${synchronous === 'NORMAL' || this.walSync !== null ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.dataVersionStatement = this.db.prepare('PRAGMA data_version').pluck();
    const walSync = this.walSync;
    this.writes = new WriteQueue(this.db, {
      onBegin: () => this.forgetIfChangedElsewhere(),
      onRollback: () => this.forgetCached(),
      ...(walSync === null ? {} : { afterCommit: (done: (error: Error | null) => void) => walSync.afterCommit(done) }),
    });
    const parts: SqliteParts = {
      sql: (text: string) => this.sql(text),
      write: (work, writeOptions) => this.writes.run(work, writeOptions),
    };
    this.apiKeys = new SqliteApiKeys(parts);
    this.idempotency = new SqliteIdempotency(parts);
  }

  private forgetCached(): void {
    this.enabledEndpoints.clear();
    this.applications.clear();
    this.secrets.clear();
  }

  /** data_version moves when another connection commits (never for this one's own commits). */
  private forgetIfChangedElsewhere(): void {
    const version = this.dataVersionStatement.get() as number;
    if (version !== this.dataVersion) this.forgetCached();
    this.dataVersion = version;
  }

  /** One page of a list: forward from the iterator, or (options.backward) the page before it. */
  private listPage<R>(text: string, parameters: object, options: ListOptions, keyOf: (row: R) => string): Page<R> {
    const backward = options.backward === true && options.iterator !== undefined && options.iterator !== null;
    const rows = this.sql(backward ? backwardSql(text) : text).all(parameters) as R[];
    return pageBy(rows, options.limit, keyOf, backward);
  }

  /** Prepared once per SQL text: the hot statements are compiled a single time. */
  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async migrate(): Promise<void> {
    await migrateSqlite(this.db);
    // Migrations commit outside the write queue: one more (empty) queued write fsyncs the WAL that holds them.
    await this.writes.run(() => undefined);
  }

  async close(): Promise<void> {
    await this.writes.run(() => undefined);
    await this.walSync?.close();
    this.db.close();
  }

  // ---- applications

  createApplication(input: NewApplication, now: number): Promise<Application> {
    return this.writes.run(() => {
      this.forgetCached();
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
        this.sql(
          'INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at) VALUES (@id, @uid, @name, @rate_limit, @metadata, @created_at, @updated_at)',
        ).run(row);
      } catch (error) {
        if (row.uid !== null && isUniqueViolation(error, 'applications.uid')) throw new DuplicateUidError(row.uid);
        throw error;
      }
      return toApplication(row);
    });
  }

  async getApplication(idOrUid: string): Promise<Application | null> {
    this.forgetIfChangedElsewhere();
    const cached = this.applications.get(idOrUid);
    if (cached !== undefined) return cached;
    const row = this.sql('SELECT * FROM applications WHERE id = ? OR uid = ? LIMIT 1').get(idOrUid, idOrUid) as
      | ApplicationRow
      | undefined;
    if (row === undefined) return null;
    const application = toApplication(row);
    // Found ones only, so unknown names cannot grow the map; the bound keeps it small with very many applications.
    if (this.applications.size >= CACHED_APPLICATIONS) this.applications.clear();
    this.applications.set(idOrUid, application);
    return application;
  }

  async listApplications(options: ListOptions): Promise<Page<Application>> {
    const result = this.listPage<ApplicationRow>(
      'SELECT * FROM applications WHERE (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit',
      { iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toApplication) };
  }

  updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null> {
    return this.writes.run(() => {
      this.forgetCached();
      const current = this.sql('SELECT * FROM applications WHERE id = ?').get(id) as ApplicationRow | undefined;
      if (current === undefined) return null;
      const next: ApplicationRow = {
        ...current,
        uid: patch.uid === undefined ? current.uid : patch.uid,
        name: patch.name ?? current.name,
        rate_limit: patch.rateLimit === undefined ? current.rate_limit : patch.rateLimit,
        metadata: patch.metadata === undefined ? current.metadata : JSON.stringify(patch.metadata),
        updated_at: now,
      };
      try {
        this.sql(
          'UPDATE applications SET uid = @uid, name = @name, rate_limit = @rate_limit, metadata = @metadata, updated_at = @updated_at WHERE id = @id',
        ).run(next);
      } catch (error) {
        if (next.uid !== null && isUniqueViolation(error, 'applications.uid')) throw new DuplicateUidError(next.uid);
        throw error;
      }
      return toApplication(next);
    });
  }

  deleteApplication(id: string): Promise<boolean> {
    return this.writes.run(() => {
      this.forgetCached();
      return this.sql('DELETE FROM applications WHERE id = ?').run(id).changes > 0;
    });
  }

  // ---- event types

  createEventType(input: NewEventType, now: number): Promise<EventType> {
    return this.writes.run(() => {
      const row = newEventTypeRow(input, now);
      try {
        this.sql(
          `INSERT INTO event_types (name, description, schemas, archived, deprecated, feature_flag, group_name, created_at, updated_at)
           VALUES (@name, @description, @schemas, @archived, @deprecated, @feature_flag, @group_name, @created_at, @updated_at)`,
        ).run(row);
      } catch (error) {
        if (isUniqueViolation(error, 'event_types.name')) throw new DuplicateNameError(row.name);
        throw error;
      }
      return toEventType(row);
    });
  }

  async getEventType(name: string): Promise<EventType | null> {
    const row = this.sql('SELECT * FROM event_types WHERE name = ?').get(name) as EventTypeRow | undefined;
    return row === undefined ? null : toEventType(row);
  }

  async listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>> {
    const result = this.listPage<EventTypeRow>(
      `SELECT * FROM event_types WHERE (@includeArchived = 1 OR archived = 0) AND (@iterator IS NULL OR name > @iterator)
       ORDER BY name LIMIT @limit`,
      {
        includeArchived: options.includeArchived === true ? 1 : 0,
        iterator: options.iterator ?? null,
        limit: options.limit + 1,
      },
      options,
      (row) => row.name,
    );
    return { ...result, data: result.data.map(toEventType) };
  }

  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    return this.writes.run(() => {
      const current = this.sql('SELECT * FROM event_types WHERE name = ?').get(name) as EventTypeRow | undefined;
      if (current === undefined) return null;
      const next: EventTypeRow = {
        ...current,
        description: patch.description ?? current.description,
        schemas: patch.schemas === undefined ? current.schemas : jsonOrNull(patch.schemas),
        archived: patch.archived === undefined ? current.archived : patch.archived ? 1 : 0,
        deprecated: patch.deprecated === undefined ? current.deprecated : patch.deprecated ? 1 : 0,
        feature_flag: patch.featureFlag === undefined ? current.feature_flag : patch.featureFlag,
        group_name: patch.groupName === undefined ? current.group_name : patch.groupName,
        updated_at: now,
      };
      this.sql(
        `UPDATE event_types SET description = @description, schemas = @schemas, archived = @archived,
           deprecated = @deprecated, feature_flag = @feature_flag, group_name = @group_name, updated_at = @updated_at
         WHERE name = @name`,
      ).run(next);
      return toEventType(next);
    });
  }

  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean> {
    return this.writes.run(() => {
      const statement = options.expunge
        ? this.sql('DELETE FROM event_types WHERE name = @name')
        : this.sql('UPDATE event_types SET archived = 1, updated_at = @now WHERE name = @name');
      return statement.run(options.expunge ? { name } : { name, now }).changes > 0;
    });
  }

  // ---- endpoints

  createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint> {
    return this.writes.run(() => {
      this.forgetCached();
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
        this.sql(
          `INSERT INTO endpoints (id, app_id, uid, url, description, event_types, channels, disabled, disabled_reason,
             throttle_rate, header_prefix, retry_schedule, non_retryable_statuses, metadata, headers, failing_since, created_at, updated_at)
           VALUES (@id, @app_id, @uid, @url, @description, @event_types, @channels, @disabled, @disabled_reason,
             @throttle_rate, @header_prefix, @retry_schedule, @non_retryable_statuses, @metadata, @headers, @failing_since, @created_at, @updated_at)`,
        ).run(row);
      } catch (error) {
        if (row.uid !== null && isUniqueViolation(error, 'endpoints.app_id, endpoints.uid'))
          throw new DuplicateUidError(row.uid);
        throw error;
      }
      this.sql('INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES (?, ?, ?, NULL)').run(
        row.id,
        input.secret,
        now,
      );
      return toEndpoint(row);
    });
  }

  async getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null> {
    const row = this.sql('SELECT * FROM endpoints WHERE app_id = ? AND (id = ? OR uid = ?) LIMIT 1').get(
      appId,
      idOrUid,
      idOrUid,
    ) as EndpointRow | undefined;
    return row === undefined ? null : toEndpoint(row);
  }

  async listEndpoints(appId: string, options: ListOptions): Promise<Page<Endpoint>> {
    const result = this.listPage<EndpointRow>(
      'SELECT * FROM endpoints WHERE app_id = @appId AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit',
      { appId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toEndpoint) };
  }

  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
    return this.writes.run(() => {
      this.forgetCached();
      const current = this.sql('SELECT * FROM endpoints WHERE app_id = ? AND id = ?').get(appId, id) as
        | EndpointRow
        | undefined;
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
        this.sql(
          `UPDATE endpoints SET uid = @uid, url = @url, description = @description, event_types = @event_types,
             channels = @channels, throttle_rate = @throttle_rate, header_prefix = @header_prefix,
             retry_schedule = @retry_schedule, non_retryable_statuses = @non_retryable_statuses, metadata = @metadata,
             headers = @headers, updated_at = @updated_at
           WHERE id = @id`,
        ).run(next);
      } catch (error) {
        if (next.uid !== null && isUniqueViolation(error, 'endpoints.app_id, endpoints.uid'))
          throw new DuplicateUidError(next.uid);
        throw error;
      }
      if (patch.disabled !== undefined && patch.disabled !== (current.disabled === 1)) {
        this.setDisabledNow(id, patch.disabled, patch.disabled ? 'disabled by the API' : null, now);
      }
      return toEndpoint(this.sql('SELECT * FROM endpoints WHERE id = ?').get(id) as EndpointRow);
    });
  }

  deleteEndpoint(appId: string, id: string): Promise<boolean> {
    return this.writes.run(() => {
      this.forgetCached();
      return this.sql('DELETE FROM endpoints WHERE app_id = ? AND id = ?').run(appId, id).changes > 0;
    });
  }

  async activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]> {
    this.forgetIfChangedElsewhere();
    let rows = this.secrets.get(endpointId);
    if (rows === undefined) {
      // Every secret of the endpoint, expired ones too: which are active depends on `now`, filtered below.
      rows = this.sql(
        'SELECT secret, expires_at FROM endpoint_secrets WHERE endpoint_id = ? ORDER BY created_at DESC, rowid DESC',
      ).all(endpointId) as Array<{ secret: string; expires_at: number | null }>;
      if (this.secrets.size >= CACHED_ENDPOINTS) this.secrets.clear();
      this.secrets.set(endpointId, rows);
    }
    const active: EndpointSecret[] = [];
    for (const row of rows) {
      if (row.expires_at === null || row.expires_at > now)
        active.push({ secret: row.secret, expiresAt: row.expires_at });
    }
    return active;
  }

  rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void> {
    return this.writes.run(() => {
      this.forgetCached();
      this.sql('UPDATE endpoint_secrets SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL').run(
        now + graceMs,
        endpointId,
      );
      this.sql('DELETE FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NOT NULL AND expires_at <= ?').run(
        endpointId,
        now,
      );
      this.sql('INSERT INTO endpoint_secrets (endpoint_id, secret, created_at, expires_at) VALUES (?, ?, ?, NULL)').run(
        endpointId,
        secret,
        now,
      );
      this.sql(
        `DELETE FROM endpoint_secrets WHERE endpoint_id = @id AND rowid NOT IN (
           SELECT rowid FROM endpoint_secrets WHERE endpoint_id = @id ORDER BY created_at DESC, rowid DESC LIMIT @keep)`,
      ).run({ id: endpointId, keep: MAX_SECRETS });
    });
  }

  setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void> {
    return this.writes.run(() => this.setDisabledNow(endpointId, disabled, reason, now));
  }

  /**
   * A disabled endpoint's pending deliveries are parked ('paused'), not failed: nothing is lost, and the claim
   * query never wades through them. Enabling makes them due at once.
   */
  private setDisabledNow(endpointId: string, disabled: boolean, reason: string | null, now: number): void {
    const endpoint = this.sql('SELECT app_id, disabled FROM endpoints WHERE id = ?').get(endpointId) as
      | { app_id: string; disabled: number }
      | undefined;
    if (endpoint === undefined || endpoint.disabled === (disabled ? 1 : 0)) return;
    this.forgetCached();
    this.sql(
      'UPDATE endpoints SET disabled = ?, disabled_reason = ?, failing_since = NULL, updated_at = ? WHERE id = ?',
    ).run(disabled ? 1 : 0, disabled ? reason : null, now, endpointId);
    if (disabled) {
      this.sql(
        "UPDATE deliveries SET status = 'paused', updated_at = ? WHERE endpoint_id = ? AND status = 'pending'",
      ).run(now, endpointId);
    } else {
      this.sql(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE endpoint_id = ? AND status = 'paused'",
      ).run(now, now, endpointId);
    }
    const event: OperationalEventRow = {
      id: newId('op', now),
      type: disabled ? 'endpoint.disabled' : 'endpoint.enabled',
      app_id: endpoint.app_id,
      endpoint_id: endpointId,
      reason: reason ?? '',
      created_at: now,
    };
    this.sql(
      'INSERT INTO operational_events (id, type, app_id, endpoint_id, reason, created_at) VALUES (@id, @type, @app_id, @endpoint_id, @reason, @created_at)',
    ).run(event);
  }

  // ---- messages

  publish(appId: string, input: NewMessage, now: number): Promise<PublishResult> {
    return this.writes.run(() => {
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
      try {
        this.sql(
          'INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, created_at, deliver_at, tags) VALUES (@id, @app_id, @event_type, @event_id, @payload, @channels, @created_at, @deliver_at, @tags)',
        ).run(row);
      } catch (error) {
        if (row.event_id !== null && isUniqueViolation(error, 'messages.app_id, messages.event_id')) {
          throw new DuplicateEventIdError(row.event_id);
        }
        throw error;
      }
      const message = toMessage(row);
      const insert = this.sql(
        `INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
      );
      let deliveries = 0;
      const due = Math.max(now, row.deliver_at ?? now);
      for (const endpoint of this.enabledEndpointsOf(appId)) {
        if (!receivesMessage(endpoint, message, input.onlyEndpointId ?? null)) continue;
        insert.run(newId('dlv', now), message.id, endpoint.id, appId, due, now, now);
        deliveries++;
      }
      return { message, deliveries };
    });
  }

  /** Called inside a write transaction, so what it caches is what the transaction sees. */
  private enabledEndpointsOf(appId: string): Array<{ id: string; filter: EndpointFilter }> {
    let endpoints = this.enabledEndpoints.get(appId);
    if (endpoints === undefined) {
      const rows = this.sql('SELECT id, event_types, channels FROM endpoints WHERE app_id = ? AND disabled = 0').all(
        appId,
      ) as Array<Pick<EndpointRow, 'id' | 'event_types' | 'channels'>>;
      endpoints = rows.map((row) => ({
        id: row.id,
        filter: {
          eventTypes: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
          channels: row.channels === null ? null : (JSON.parse(row.channels) as string[]),
        },
      }));
      this.enabledEndpoints.set(appId, endpoints);
    }
    return endpoints;
  }

  async getMessage(appId: string, idOrEventId: string): Promise<Message | null> {
    const row = this.sql('SELECT * FROM messages WHERE app_id = ? AND (id = ? OR event_id = ?) LIMIT 1').get(
      appId,
      idOrEventId,
      idOrEventId,
    ) as MessageRow | undefined;
    return row === undefined ? null : toMessage(row);
  }

  async listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>> {
    const result = this.listPage<MessageRow>(LIST_MESSAGES, messageListParameters(appId, options), options, byId);
    return { ...result, data: result.data.map(toMessage) };
  }

  // ---- the queue

  claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    return this.writes.run(() => {
      // Leases that ran out belong to a worker that died or hung: due again, never lost, never stuck.
      this.sql(
        `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL WHERE status = 'sending' AND lease_until <= ?`,
      ).run(options.now);
      // The scan is bounded (4x the batch) so a claim costs the same with a million-row backlog as with an empty
      // queue; the per-endpoint limits are applied to the candidates here, in JS, which measured cheaper than a
      // window function in SQL. Excluded endpoints are skipped in JS too: skipping them in SQL made the scan walk
      // every due row of a busy endpoint (its whole backlog) on each claim, to find nothing.
      const scan = options.limit * 4;
      const head = this.sql(
        `SELECT id, endpoint_id FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= @now
           AND endpoint_id NOT IN (SELECT id FROM endpoints WHERE disabled = 1)
         ORDER BY next_attempt_at
         LIMIT @scan`,
      ).all({ now: options.now, scan }) as Array<{ id: string; endpoint_id: string }>;
      let ids = pickClaimable(head, options);
      if (ids.length < options.limit && head.length === scan) {
        // The head of the queue is full of busy endpoints' rows and there may be more due work behind it: take the
        // earliest due rows of each other endpoint through deliveries_due_endpoint, then the earliest of those, so
        // a healthy endpoint is never starved by a busy one's backlog (the cost follows the number of endpoints).
        const behind = this.sql(
          // CROSS JOIN keeps endpoints as the outer loop; a plain JOIN let the planner scan every delivery.
          `SELECT d.id, d.endpoint_id FROM endpoints e CROSS JOIN deliveries d
           WHERE e.disabled = 0 AND e.id NOT IN (SELECT value FROM json_each(@exclude))
             AND d.id IN (
               SELECT id FROM deliveries
               WHERE endpoint_id = e.id AND status = 'pending' AND next_attempt_at <= @now
               ORDER BY next_attempt_at
               LIMIT @limit)
           ORDER BY d.next_attempt_at
           LIMIT @scan`,
        ).all({
          now: options.now,
          limit: options.limit,
          scan,
          exclude: JSON.stringify(options.excludeEndpointIds),
        }) as Array<{ id: string; endpoint_id: string }>;
        ids = pickClaimable(behind, options);
      }
      if (ids.length === 0) return [];
      const claimed = this.sql(
        `UPDATE deliveries SET status = 'sending', lease_until = ?, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'
         RETURNING *`,
      ).all(options.leaseUntil, options.now, JSON.stringify(ids)) as DeliveryRow[];
      if (claimed.length === 0) return [];
      const messages = new Map<string, MessageRow>();
      const endpoints = new Map<string, EndpointRow>();
      const messageIds = JSON.stringify([...new Set(claimed.map((row) => row.message_id))]);
      for (const row of this.sql('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?))').all(
        messageIds,
      ) as MessageRow[]) {
        messages.set(row.id, row);
      }
      const endpointIds = JSON.stringify([...new Set(claimed.map((row) => row.endpoint_id))]);
      for (const row of this.sql('SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))').all(
        endpointIds,
      ) as EndpointRow[]) {
        endpoints.set(row.id, row);
      }
      const result: ClaimedDelivery[] = [];
      for (const row of claimed) {
        const message = messages.get(row.message_id);
        const endpoint = endpoints.get(row.endpoint_id);
        if (message === undefined || endpoint === undefined) continue; // deleted meanwhile: cascade removes the row
        result.push(toClaimedDelivery(row, message, endpoint));
      }
      return result;
    });
  }

  recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    return this.writes.run(() => {
      for (const result of results) {
        const nextAttemptAt =
          result.outcome === 'succeeded' || result.next.status !== 'pending' ? null : result.next.nextAttemptAt;
        // One statement checks the lease and moves the delivery on. A lost lease (expired and claimed again, or the
        // delivery deleted) matches no row: the result is stale, and recording it could overwrite a newer attempt's
        // outcome. RETURNING hands back what the attempt row needs, so it is a plain INSERT with no lookup.
        const delivery = this.sql(
          `UPDATE deliveries SET status = CASE WHEN @status = 'pending' THEN ${DUE_AGAIN_STATUS} ELSE @status END,
             attempts = attempts + 1, next_attempt_at = @next_attempt_at,
             lease_until = NULL, manual = 0, last_error = @last_error, last_status_code = @status_code, updated_at = @at
           WHERE id = @id AND status = 'sending' AND lease_until = @lease_until
           RETURNING message_id, endpoint_id, app_id`,
        ).get({
          id: result.deliveryId,
          lease_until: result.leaseUntil,
          status: result.outcome === 'succeeded' ? 'succeeded' : result.next.status,
          next_attempt_at: nextAttemptAt,
          last_error: result.outcome === 'succeeded' ? null : result.error,
          status_code: result.statusCode,
          at: result.at,
        }) as Pick<DeliveryRow, 'message_id' | 'endpoint_id' | 'app_id'> | undefined;
        if (delivery === undefined) continue;
        this.sql(
          `INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, app_id, url, outcome, trigger, status_code,
             response_body, duration_ms, error, request_headers, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          newId('atmpt', result.at),
          result.deliveryId,
          delivery.message_id,
          delivery.endpoint_id,
          delivery.app_id,
          result.url,
          result.outcome,
          result.trigger,
          result.statusCode,
          result.responseBody,
          Math.round(result.durationMs),
          result.error,
          result.requestHeaders === undefined ? null : JSON.stringify(result.requestHeaders),
          result.at,
        );
        if (result.outcome === 'succeeded') {
          this.sql('UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').run(
            delivery.endpoint_id,
          );
        } else {
          this.sql('UPDATE endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL').run(
            result.at,
            delivery.endpoint_id,
          );
          if (result.disableEndpoint !== null) {
            this.setDisabledNow(delivery.endpoint_id, true, result.disableEndpoint, result.at);
          }
        }
      }
    });
  }

  releaseLeases(deliveryIds: readonly string[], now: number): Promise<void> {
    return this.writes.run(() => {
      this.sql(
        `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL, next_attempt_at = ?, updated_at = ?
         WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))`,
      ).run(now, now, JSON.stringify(deliveryIds));
    });
  }

  extendLeases(deliveryIds: readonly string[], leaseUntil: number, extendedUntil: number): Promise<string[]> {
    return this.writes.run(() => {
      const rows = this.sql(
        `UPDATE deliveries SET lease_until = ?
         WHERE status = 'sending' AND lease_until = ? AND id IN (SELECT value FROM json_each(?))
         RETURNING id`,
      ).all(extendedUntil, leaseUntil, JSON.stringify(deliveryIds)) as Array<{ id: string }>;
      return rows.map((row) => row.id);
    });
  }

  async nextDueAt(): Promise<number | null> {
    const pending = this.sql("SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'").get() as {
      at: number | null;
    };
    const leased = this.sql("SELECT MIN(lease_until) AS at FROM deliveries WHERE status = 'sending'").get() as {
      at: number | null;
    };
    const times = [pending.at, leased.at].filter((t): t is number => t !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  // ---- logs, dead letters, replay

  async listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    const result = this.listPage<AttemptRow>(
      LIST_ATTEMPTS_FOR_MESSAGE,
      attemptListParameters(appId, messageId, options),
      options,
      byId,
    );
    return { ...result, data: result.data.map(toAttempt) };
  }

  async listAttemptsForEndpoint(
    appId: string,
    endpointId: string,
    options: AttemptListOptions,
  ): Promise<Page<Attempt>> {
    const result = this.listPage<AttemptRow>(
      LIST_ATTEMPTS_FOR_ENDPOINT,
      attemptListParameters(appId, endpointId, options),
      options,
      byId,
    );
    return { ...result, data: result.data.map(toAttempt) };
  }

  async getAttempt(appId: string, attemptId: string): Promise<Attempt | null> {
    const row = this.sql('SELECT * FROM attempts WHERE app_id = ? AND id = ?').get(appId, attemptId) as
      | AttemptRow
      | undefined;
    return row === undefined ? null : toAttempt(row);
  }

  async listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>> {
    const result = this.listPage<DeliveryRow>(
      LIST_DELIVERIES_FOR_MESSAGE,
      { appId, messageId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toDelivery) };
  }

  async endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats> {
    const rows = this.sql(ENDPOINT_STATS).all({
      appId,
      endpointId,
      before: range.before ?? null,
      after: range.after ?? null,
    }) as Array<{ status: Delivery['status']; n: number }>;
    const stats: EndpointStats = { success: 0, fail: 0, pending: 0, sending: 0 };
    for (const row of rows) {
      if (row.status === 'succeeded') stats.success += row.n;
      else if (row.status === 'dead') stats.fail += row.n;
      else if (row.status === 'sending') stats.sending += row.n;
      else stats.pending += row.n;
    }
    return stats;
  }

  async listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions) {
    const result = this.listPage<DeliveryRow>(
      `SELECT * FROM deliveries WHERE app_id = @appId AND status = 'dead' AND (@endpointId IS NULL OR endpoint_id = @endpointId)
         AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit`,
      { appId, endpointId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toDelivery) };
  }

  resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean> {
    return this.writes.run(() => {
      const changes = this.sql(
        `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, manual = 1, next_attempt_at = ?, updated_at = ?
         WHERE app_id = ? AND message_id = ? AND endpoint_id = ? AND status IN ('pending', 'succeeded', 'dead')`,
      ).run(now, now, appId, messageId, endpointId).changes;
      return changes > 0;
    });
  }

  recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number> {
    return this.writes.run(
      () =>
        this.sql(
          `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, manual = 1, next_attempt_at = ?, updated_at = ?
           WHERE endpoint_id = ? AND app_id = ? AND status = 'dead' AND created_at >= ? AND created_at < ?`,
        ).run(now, now, endpointId, appId, since, until).changes,
    );
  }

  async countDeliveries(filter: { status?: import('../types.js').DeliveryStatus; appId?: string }): Promise<number> {
    const row = this.sql(
      'SELECT COUNT(*) AS n FROM deliveries WHERE (@status IS NULL OR status = @status) AND (@appId IS NULL OR app_id = @appId)',
    ).get({ status: filter.status ?? null, appId: filter.appId ?? null }) as { n: number };
    return row.n;
  }

  // ---- operator views: tail, charts, health, metrics

  async listRecentAttempts(appId: string, query: RecentAttemptsQuery): Promise<AttemptWithEventType[]> {
    const tail = query.afterId !== undefined && query.afterId !== null;
    const rows = this.sql(
      `SELECT attempts.*, messages.event_type FROM attempts JOIN messages ON messages.id = attempts.message_id
       WHERE ${recentAttemptsScope(query)} AND (@afterId IS NULL OR attempts.id > @afterId)
         AND (@endpointId IS NULL OR attempts.endpoint_id = @endpointId) AND (@outcome IS NULL OR attempts.outcome = @outcome)
         AND (@eventType IS NULL OR messages.event_type = @eventType) AND (@since IS NULL OR attempts.created_at >= @since)
       ORDER BY attempts.id ${tail ? 'ASC' : 'DESC'} LIMIT @limit`,
    ).all({
      appId,
      afterId: query.afterId ?? null,
      endpointId: query.endpointId ?? null,
      outcome: query.outcome ?? null,
      eventType: query.eventType ?? null,
      since: query.since ?? null,
      limit: query.limit,
    }) as Array<AttemptRow & { event_type: string }>;
    return toRecentAttempts(rows, tail);
  }

  async countQueuedDeliveries(): Promise<QueueDepth> {
    return this.sql(QUEUE_DEPTH).get() as QueueDepth;
  }

  async oldestDueDeliveryAt(now: number): Promise<number | null> {
    const row = this.sql(OLDEST_DUE).get(now) as { at: number } | undefined;
    return row?.at ?? null;
  }

  async listOperationalEvents(limit: number): Promise<OperationalEvent[]> {
    const rows = this.sql('SELECT * FROM operational_events ORDER BY id DESC LIMIT ?').all(
      limit,
    ) as OperationalEventRow[];
    return rows.map(toOperationalEvent);
  }

  async getSetting(key: string): Promise<string | null> {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    return this.writes.run(
      () =>
        this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value)
          .changes > 0,
    );
  }

  // ---- API keys and idempotency records (api-keys.ts, idempotency.ts)

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
