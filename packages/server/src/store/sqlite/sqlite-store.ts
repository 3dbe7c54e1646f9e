// The embedded store: better-sqlite3 in WAL mode, durable by default (a publish is answered only once it is on
// disk; the fsync runs off the event loop, see WalSync), writes grouped into shared transactions by WriteQueue.
// Each module of the Store is its own file here, named as in postgres/; this class owns the connection, the
// migrations, the write queue and the read caches, and hands each call to its module.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import type { Store } from '../store.js';
import { SqliteApiKeys } from './api-keys.js';
import { SqliteApplications } from './applications.js';
import { SqliteEndpoints } from './endpoints.js';
import { SqliteEventTypes } from './event-types.js';
import { SqliteHistory } from './history.js';
import { SqliteIdempotency } from './idempotency.js';
import { SqliteMessages } from './messages.js';
import { migrateSqlite } from './migrations.js';
import { SqliteOperatorViews } from './operator-views.js';
import { SqliteQueue } from './queue.js';
import { ReadCaches } from './read-caches.js';
import { SqliteSettings } from './settings.js';
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

export class SqliteStore implements Store {
  readonly db: Database;
  private readonly writes: WriteQueue;
  /** Makes commits durable off the event loop; null when SQLite's own setting does (or nothing must). */
  readonly walSync: WalSync | null;
  private readonly statements = new Map<string, Statement>();
  private readonly applications: SqliteApplications;
  private readonly eventTypes: SqliteEventTypes;
  private readonly endpoints: SqliteEndpoints;
  private readonly messages: SqliteMessages;
  private readonly queue: SqliteQueue;
  private readonly history: SqliteHistory;
  private readonly operatorViews: SqliteOperatorViews;
  private readonly apiKeys: SqliteApiKeys;
  private readonly idempotency: SqliteIdempotency;
  private readonly settings: SqliteSettings;

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
    const caches = new ReadCaches(this.db.prepare('PRAGMA data_version').pluck());
    const walSync = this.walSync;
    this.writes = new WriteQueue(this.db, {
      onBegin: () => caches.forgetIfChangedElsewhere(),
      onRollback: () => caches.forget(),
      ...(walSync === null ? {} : { afterCommit: (done: (error: Error | null) => void) => walSync.afterCommit(done) }),
    });
    const parts: SqliteParts = {
      sql: (text: string) => this.sql(text),
      write: (work, writeOptions) => this.writes.run(work, writeOptions),
      caches,
    };
    this.applications = new SqliteApplications(parts);
    this.eventTypes = new SqliteEventTypes(parts);
    this.endpoints = new SqliteEndpoints(parts);
    this.messages = new SqliteMessages(parts);
    this.queue = new SqliteQueue(parts);
    this.history = new SqliteHistory(parts);
    this.operatorViews = new SqliteOperatorViews(parts);
    this.apiKeys = new SqliteApiKeys(parts);
    this.idempotency = new SqliteIdempotency(parts);
    this.settings = new SqliteSettings(parts);
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

  // ---- applications.ts
  readonly createApplication: Store['createApplication'] = (input, now) =>
    this.applications.createApplication(input, now);
  readonly getApplication: Store['getApplication'] = (idOrUid) => this.applications.getApplication(idOrUid);
  readonly listApplications: Store['listApplications'] = (options) => this.applications.listApplications(options);
  readonly updateApplication: Store['updateApplication'] = (id, patch, now) =>
    this.applications.updateApplication(id, patch, now);
  readonly deleteApplication: Store['deleteApplication'] = (id) => this.applications.deleteApplication(id);

  // ---- event-types.ts
  readonly createEventType: Store['createEventType'] = (input, now) => this.eventTypes.createEventType(input, now);
  readonly getEventType: Store['getEventType'] = (name) => this.eventTypes.getEventType(name);
  readonly listEventTypes: Store['listEventTypes'] = (options) => this.eventTypes.listEventTypes(options);
  readonly updateEventType: Store['updateEventType'] = (name, patch, now) =>
    this.eventTypes.updateEventType(name, patch, now);
  readonly deleteEventType: Store['deleteEventType'] = (name, options, now) =>
    this.eventTypes.deleteEventType(name, options, now);

  // ---- endpoints.ts
  readonly createEndpoint: Store['createEndpoint'] = (appId, input, now) =>
    this.endpoints.createEndpoint(appId, input, now);
  readonly getEndpoint: Store['getEndpoint'] = (appId, idOrUid) => this.endpoints.getEndpoint(appId, idOrUid);
  readonly listEndpoints: Store['listEndpoints'] = (appId, options) => this.endpoints.listEndpoints(appId, options);
  readonly updateEndpoint: Store['updateEndpoint'] = (appId, id, patch, now) =>
    this.endpoints.updateEndpoint(appId, id, patch, now);
  readonly deleteEndpoint: Store['deleteEndpoint'] = (appId, id) => this.endpoints.deleteEndpoint(appId, id);
  readonly activeSecrets: Store['activeSecrets'] = (endpointId, now) => this.endpoints.activeSecrets(endpointId, now);
  readonly rotateSecret: Store['rotateSecret'] = (endpointId, secret, graceMs, now) =>
    this.endpoints.rotateSecret(endpointId, secret, graceMs, now);
  readonly setEndpointDisabled: Store['setEndpointDisabled'] = (endpointId, disabled, reason, now) =>
    this.endpoints.setEndpointDisabled(endpointId, disabled, reason, now);

  // ---- messages.ts
  readonly publish: Store['publish'] = (appId, input, now) => this.messages.publish(appId, input, now);
  readonly getMessage: Store['getMessage'] = (appId, idOrEventId) => this.messages.getMessage(appId, idOrEventId);

  // ---- queue.ts
  readonly claimDueDeliveries: Store['claimDueDeliveries'] = (options) => this.queue.claimDueDeliveries(options);
  readonly recordAttempts: Store['recordAttempts'] = (results) => this.queue.recordAttempts(results);
  readonly releaseLeases: Store['releaseLeases'] = (deliveryIds, now) => this.queue.releaseLeases(deliveryIds, now);
  readonly nextDueAt: Store['nextDueAt'] = () => this.queue.nextDueAt();
  readonly resend: Store['resend'] = (appId, messageId, endpointId, now) =>
    this.queue.resend(appId, messageId, endpointId, now);
  readonly recoverEndpoint: Store['recoverEndpoint'] = (appId, endpointId, since, until, now) =>
    this.queue.recoverEndpoint(appId, endpointId, since, until, now);

  // ---- history.ts
  readonly listMessages: Store['listMessages'] = (appId, options) => this.history.listMessages(appId, options);
  readonly listAttemptsForMessage: Store['listAttemptsForMessage'] = (appId, messageId, options) =>
    this.history.listAttemptsForMessage(appId, messageId, options);
  readonly listAttemptsForEndpoint: Store['listAttemptsForEndpoint'] = (appId, endpointId, options) =>
    this.history.listAttemptsForEndpoint(appId, endpointId, options);
  readonly getAttempt: Store['getAttempt'] = (appId, attemptId) => this.history.getAttempt(appId, attemptId);
  readonly listDeliveriesForMessage: Store['listDeliveriesForMessage'] = (appId, messageId, options) =>
    this.history.listDeliveriesForMessage(appId, messageId, options);
  readonly endpointStats: Store['endpointStats'] = (appId, endpointId, range) =>
    this.history.endpointStats(appId, endpointId, range);
  readonly listDeadDeliveries: Store['listDeadDeliveries'] = (appId, endpointId, options) =>
    this.history.listDeadDeliveries(appId, endpointId, options);

  // ---- operator-views.ts
  readonly listRecentAttempts: Store['listRecentAttempts'] = (appId, query) =>
    this.operatorViews.listRecentAttempts(appId, query);
  readonly countQueuedDeliveries: Store['countQueuedDeliveries'] = () => this.operatorViews.countQueuedDeliveries();
  readonly oldestDueDeliveryAt: Store['oldestDueDeliveryAt'] = (now) => this.operatorViews.oldestDueDeliveryAt(now);
  readonly countDeliveries: Store['countDeliveries'] = (filter) => this.operatorViews.countDeliveries(filter);
  readonly listOperationalEvents: Store['listOperationalEvents'] = (limit) =>
    this.operatorViews.listOperationalEvents(limit);

  // ---- api-keys.ts
  readonly createApiKey: Store['createApiKey'] = (input, now) => this.apiKeys.createApiKey(input, now);
  readonly findApiKeyBySha256: Store['findApiKeyBySha256'] = (keySha256) => this.apiKeys.findApiKeyBySha256(keySha256);
  readonly listApiKeys: Store['listApiKeys'] = (filter, options) => this.apiKeys.listApiKeys(filter, options);
  readonly revokeApiKey: Store['revokeApiKey'] = (id, now) => this.apiKeys.revokeApiKey(id, now);
  readonly touchApiKey: Store['touchApiKey'] = (id, now) => this.apiKeys.touchApiKey(id, now);

  // ---- idempotency.ts
  readonly beginIdempotent: Store['beginIdempotent'] = (input) => this.idempotency.beginIdempotent(input);
  readonly completeIdempotent: Store['completeIdempotent'] = (scope, answer) =>
    this.idempotency.completeIdempotent(scope, answer);
  readonly releaseIdempotent: Store['releaseIdempotent'] = (scope) => this.idempotency.releaseIdempotent(scope);
  readonly purgeExpiredIdempotency: Store['purgeExpiredIdempotency'] = (now) =>
    this.idempotency.purgeExpiredIdempotency(now);

  // ---- settings.ts
  readonly getSetting: Store['getSetting'] = (key) => this.settings.getSetting(key);
  readonly setSettingIfAbsent: Store['setSettingIfAbsent'] = (key, value) =>
    this.settings.setSettingIfAbsent(key, value);
}
