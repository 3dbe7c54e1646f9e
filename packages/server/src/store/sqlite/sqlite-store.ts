// Over 300 lines on purpose: one delegating line per Store method (the composition), no rule of its own.
// The embedded store: better-sqlite3 in WAL mode, durable by default (a publish is answered only once it is on
// disk; the fsync runs off the event loop, see WalSync), writes grouped into shared transactions by WriteQueue.
// Each module of the Store is its own file here, named as in postgres/; this class owns the connection, the
// migrations, the write queue and the read caches, and hands each call to its module.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import { SqliteApiKeys } from './api-keys.js';
import { SqliteApplications } from './applications.js';
import { watchOtherCommits } from './commit-watch.js';
import { SqliteEndpoints } from './endpoints.js';
import { SqliteEventTypes } from './event-types.js';
import { SqliteHistory } from './history.js';
import { SqliteIdempotency } from './idempotency.js';
import { SqliteMessages } from './messages.js';
import { migrateSqlite } from './migrations.js';
import { SqliteOperatorViews } from './operator-views.js';
import { SqliteOrdering } from './ordering.js';
import { SqliteQueue } from './queue.js';
import { ReadCaches } from './read-caches.js';
import { SqliteReadThread } from './read-thread.js';
import { SqliteRetention } from './retention.js';
import { SqliteSettings } from './settings.js';
import { SqliteSources } from './sources.js';
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
  /** Encrypts endpoint secrets and custom headers at rest; default: a box without keys (stored in clear). */
  secretBox?: SecretBox;
}

export class SqliteStore implements Store {
  readonly db: Database;
  private readonly writes: WriteQueue;
  /** Makes commits durable off the event loop; null when SQLite's own setting does (or nothing must). */
  readonly walSync: WalSync | null;
  private readonly statements = new Map<string, Statement>();
  /** A second, read-only connection on its own thread for reads too slow for the event loop; null in memory. */
  private readonly readThread: SqliteReadThread | null;
  /** The commit watches of running workers (watchForWork), stopped at close at the latest. */
  private readonly commitWatches = new Set<() => Promise<void>>();
  private readonly applications: SqliteApplications;
  private readonly eventTypes: SqliteEventTypes;
  private readonly endpoints: SqliteEndpoints;
  private readonly messages: SqliteMessages;
  private readonly queue: SqliteQueue;
  private readonly ordering: SqliteOrdering;
  private readonly history: SqliteHistory;
  private readonly operatorViews: SqliteOperatorViews;
  private readonly apiKeys: SqliteApiKeys;
  private readonly idempotency: SqliteIdempotency;
  private readonly settings: SqliteSettings;
  private readonly sources: SqliteSources;
  private readonly retention: SqliteRetention;

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
    const box = options.secretBox ?? new SecretBox();
    this.endpoints = new SqliteEndpoints(parts, box);
    this.messages = new SqliteMessages(parts);
    this.queue = new SqliteQueue(parts, box);
    this.ordering = new SqliteOrdering(parts);
    this.history = new SqliteHistory(parts);
    this.readThread = options.path === ':memory:' ? null : new SqliteReadThread(options.path);
    this.operatorViews = new SqliteOperatorViews(parts, this.readThread);
    this.apiKeys = new SqliteApiKeys(parts);
    this.idempotency = new SqliteIdempotency(parts);
    this.settings = new SqliteSettings(parts);
    this.sources = new SqliteSources(parts, box);
    this.retention = new SqliteRetention(parts);
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
    // A migration rewrites tables of any size: its statement journal must be free to spill to a file.
    this.writes.useOwnTempStore();
    await migrateSqlite(this.db);
    // Migrations commit outside the write queue: one more (empty) queued write fsyncs the WAL that holds them.
    await this.writes.run(() => undefined);
  }

  /**
   * Calls `onWork` when another connection commits to the file: the application's own in the transactional outbox
   * (this process or another), another `hookline serve`, the CLI. See commit-watch.ts for how without a NOTIFY.
   */
  watchForWork(onWork: () => void): () => Promise<void> {
    const stopWatch = watchOtherCommits(this.db.prepare('PRAGMA data_version').pluck(), onWork);
    const stop = async () => {
      this.commitWatches.delete(stop);
      await stopWatch();
    };
    this.commitWatches.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    await Promise.all([...this.commitWatches].map((stop) => stop()));
    await this.readThread?.close();
    await this.writes.run(() => undefined);
    await this.walSync?.close();
    this.db.close();
  }

  // ---- applications.ts
  createApplication(...args: Parameters<Store['createApplication']>) {
    return this.applications.createApplication(...args);
  }
  getApplication(...args: Parameters<Store['getApplication']>) {
    return this.applications.getApplication(...args);
  }
  listApplications(...args: Parameters<Store['listApplications']>) {
    return this.applications.listApplications(...args);
  }
  updateApplication(...args: Parameters<Store['updateApplication']>) {
    return this.applications.updateApplication(...args);
  }
  deleteApplication(...args: Parameters<Store['deleteApplication']>) {
    return this.applications.deleteApplication(...args);
  }

  // ---- event-types.ts
  createEventType(...args: Parameters<Store['createEventType']>) {
    return this.eventTypes.createEventType(...args);
  }
  getEventType(...args: Parameters<Store['getEventType']>) {
    return this.eventTypes.getEventType(...args);
  }
  listEventTypes(...args: Parameters<Store['listEventTypes']>) {
    return this.eventTypes.listEventTypes(...args);
  }
  updateEventType(...args: Parameters<Store['updateEventType']>) {
    return this.eventTypes.updateEventType(...args);
  }
  deleteEventType(...args: Parameters<Store['deleteEventType']>) {
    return this.eventTypes.deleteEventType(...args);
  }

  // ---- endpoints.ts
  createEndpoint(...args: Parameters<Store['createEndpoint']>) {
    return this.endpoints.createEndpoint(...args);
  }
  getEndpoint(...args: Parameters<Store['getEndpoint']>) {
    return this.endpoints.getEndpoint(...args);
  }
  listEndpoints(...args: Parameters<Store['listEndpoints']>) {
    return this.endpoints.listEndpoints(...args);
  }
  updateEndpoint(...args: Parameters<Store['updateEndpoint']>) {
    return this.endpoints.updateEndpoint(...args);
  }
  deleteEndpoint(...args: Parameters<Store['deleteEndpoint']>) {
    return this.endpoints.deleteEndpoint(...args);
  }
  activeSecrets(...args: Parameters<Store['activeSecrets']>) {
    return this.endpoints.activeSecrets(...args);
  }
  rotateSecret(...args: Parameters<Store['rotateSecret']>) {
    return this.endpoints.rotateSecret(...args);
  }
  setEndpointDisabled(...args: Parameters<Store['setEndpointDisabled']>) {
    return this.endpoints.setEndpointDisabled(...args);
  }
  resealSecrets(...args: Parameters<Store['resealSecrets']>) {
    return this.endpoints.resealSecrets(...args);
  }

  // ---- messages.ts
  publishInTransaction(...args: Parameters<SqliteMessages['publishInTransaction']>) {
    return this.messages.publishInTransaction(...args);
  }
  publish(...args: Parameters<Store['publish']>) {
    return this.messages.publish(...args);
  }
  publishMany(...args: Parameters<Store['publishMany']>) {
    return this.messages.publishMany(...args);
  }
  getMessage(...args: Parameters<Store['getMessage']>) {
    return this.messages.getMessage(...args);
  }

  // ---- queue.ts
  claimDueDeliveries(...args: Parameters<Store['claimDueDeliveries']>) {
    return this.queue.claimDueDeliveries(...args);
  }
  recordAttempts(...args: Parameters<Store['recordAttempts']>) {
    return this.queue.recordAttempts(...args);
  }
  releaseLeases(...args: Parameters<Store['releaseLeases']>) {
    return this.queue.releaseLeases(...args);
  }
  extendLeases(...args: Parameters<Store['extendLeases']>) {
    return this.queue.extendLeases(...args);
  }
  nextDueAt(...args: Parameters<Store['nextDueAt']>) {
    return this.queue.nextDueAt(...args);
  }
  resend(...args: Parameters<Store['resend']>) {
    return this.queue.resend(...args);
  }
  recoverEndpoint(...args: Parameters<Store['recoverEndpoint']>) {
    return this.queue.recoverEndpoint(...args);
  }

  // ---- ordering.ts
  listHeldKeys(...args: Parameters<Store['listHeldKeys']>) {
    return this.ordering.listHeldKeys(...args);
  }

  // ---- history.ts
  listMessages(...args: Parameters<Store['listMessages']>) {
    return this.history.listMessages(...args);
  }
  listAttemptsForMessage(...args: Parameters<Store['listAttemptsForMessage']>) {
    return this.history.listAttemptsForMessage(...args);
  }
  listAttemptsForEndpoint(...args: Parameters<Store['listAttemptsForEndpoint']>) {
    return this.history.listAttemptsForEndpoint(...args);
  }
  getAttempt(...args: Parameters<Store['getAttempt']>) {
    return this.history.getAttempt(...args);
  }
  listDeliveriesForMessage(...args: Parameters<Store['listDeliveriesForMessage']>) {
    return this.history.listDeliveriesForMessage(...args);
  }
  endpointStats(...args: Parameters<Store['endpointStats']>) {
    return this.history.endpointStats(...args);
  }
  listDeadDeliveries(...args: Parameters<Store['listDeadDeliveries']>) {
    return this.history.listDeadDeliveries(...args);
  }

  // ---- operator-views.ts
  listRecentAttempts(...args: Parameters<Store['listRecentAttempts']>) {
    return this.operatorViews.listRecentAttempts(...args);
  }
  countQueuedDeliveries(...args: Parameters<Store['countQueuedDeliveries']>) {
    return this.operatorViews.countQueuedDeliveries(...args);
  }
  oldestDueDeliveryAt(...args: Parameters<Store['oldestDueDeliveryAt']>) {
    return this.operatorViews.oldestDueDeliveryAt(...args);
  }
  countDeliveries(...args: Parameters<Store['countDeliveries']>) {
    return this.operatorViews.countDeliveries(...args);
  }
  listOperationalEvents(...args: Parameters<Store['listOperationalEvents']>) {
    return this.operatorViews.listOperationalEvents(...args);
  }

  // ---- api-keys.ts
  createApiKey(...args: Parameters<Store['createApiKey']>) {
    return this.apiKeys.createApiKey(...args);
  }
  findApiKeyBySha256(...args: Parameters<Store['findApiKeyBySha256']>) {
    return this.apiKeys.findApiKeyBySha256(...args);
  }
  listApiKeys(...args: Parameters<Store['listApiKeys']>) {
    return this.apiKeys.listApiKeys(...args);
  }
  revokeApiKey(...args: Parameters<Store['revokeApiKey']>) {
    return this.apiKeys.revokeApiKey(...args);
  }
  touchApiKey(...args: Parameters<Store['touchApiKey']>) {
    return this.apiKeys.touchApiKey(...args);
  }

  // ---- idempotency.ts
  lookupIdempotent(...args: Parameters<Store['lookupIdempotent']>) {
    return this.idempotency.lookupIdempotent(...args);
  }
  beginIdempotent(...args: Parameters<Store['beginIdempotent']>) {
    return this.idempotency.beginIdempotent(...args);
  }
  completeIdempotent(...args: Parameters<Store['completeIdempotent']>) {
    return this.idempotency.completeIdempotent(...args);
  }
  releaseIdempotent(...args: Parameters<Store['releaseIdempotent']>) {
    return this.idempotency.releaseIdempotent(...args);
  }
  purgeExpiredIdempotency(...args: Parameters<Store['purgeExpiredIdempotency']>) {
    return this.idempotency.purgeExpiredIdempotency(...args);
  }

  // ---- settings.ts
  getSetting(...args: Parameters<Store['getSetting']>) {
    return this.settings.getSetting(...args);
  }
  setSettingIfAbsent(...args: Parameters<Store['setSettingIfAbsent']>) {
    return this.settings.setSettingIfAbsent(...args);
  }

  // ---- sources.ts
  createSource(...args: Parameters<Store['createSource']>) {
    return this.sources.createSource(...args);
  }
  getSource(...args: Parameters<Store['getSource']>) {
    return this.sources.getSource(...args);
  }
  findSource(...args: Parameters<Store['findSource']>) {
    return this.sources.findSource(...args);
  }
  listSources(...args: Parameters<Store['listSources']>) {
    return this.sources.listSources(...args);
  }
  updateSource(...args: Parameters<Store['updateSource']>) {
    return this.sources.updateSource(...args);
  }
  deleteSource(...args: Parameters<Store['deleteSource']>) {
    return this.sources.deleteSource(...args);
  }
  acceptInbound(...args: Parameters<Store['acceptInbound']>) {
    return this.sources.acceptInbound(...args);
  }
  recordInboundRefusal(...args: Parameters<Store['recordInboundRefusal']>) {
    return this.sources.recordInboundRefusal(...args);
  }
  listUnrelayedInbound(...args: Parameters<Store['listUnrelayedInbound']>) {
    return this.sources.listUnrelayedInbound(...args);
  }
  markInboundRelayed(...args: Parameters<Store['markInboundRelayed']>) {
    return this.sources.markInboundRelayed(...args);
  }
  listInboundRequests(...args: Parameters<Store['listInboundRequests']>) {
    return this.sources.listInboundRequests(...args);
  }
  inboundForwarding(...args: Parameters<Store['inboundForwarding']>) {
    return this.sources.inboundForwarding(...args);
  }

  // ---- retention.ts
  prunePayloads(...args: Parameters<Store['prunePayloads']>) {
    return this.retention.prunePayloads(...args);
  }
  pruneHistory(...args: Parameters<Store['pruneHistory']>) {
    return this.retention.pruneHistory(...args);
  }
  pruneLogs(...args: Parameters<Store['pruneLogs']>) {
    return this.retention.pruneLogs(...args);
  }
}
