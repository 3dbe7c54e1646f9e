// Over 300 lines on purpose: one delegating line per Store method (the composition), no rule of its own.
// The store for many processes on many machines: PostgreSQL through a pg pool. Correctness rests on transactions
// and leases in the database (no leader, no broker); per-endpoint limits, rate tokens and circuit state are rows,
// so they hold across processes. Each module of the Store is its own file here, named as in sqlite/; this class
// owns the pool, the migrations and the cross-process wakeups, and hands each call to its module.
import type pg from 'pg';
import { type CircuitOptions, DEFAULT_CIRCUIT_OPTIONS } from '../gates.js';
import type { NewMessage } from '../messages.js';
import { SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import { PostgresApiKeys } from './api-keys.js';
import { PostgresApplications } from './applications.js';
import { checkSchemaName } from './database-url.js';
import { PostgresEndpoints } from './endpoints.js';
import { PostgresEventTypes } from './event-types.js';
import { PostgresEndpointGates } from './gates.js';
import { PostgresHistory } from './history.js';
import { PostgresIdempotency } from './idempotency.js';
import { LeaseOwner } from './lease-owner.js';
import { type OutboxClient, PostgresMessages } from './messages.js';
import { migratePostgres } from './migrations.js';
import { PostgresOperatorViews } from './operator-views.js';
import { PostgresOrdering } from './ordering.js';
import { connectionConfig, type PostgresConnectionOptions } from './pool.js';
import { inTransaction, type PostgresParts } from './postgres-parts.js';
import { PostgresQueue } from './queue.js';
import { PostgresRetention } from './retention.js';
import { PostgresSettings } from './settings.js';
import { PostgresSources } from './sources.js';
import { StrandedRepair, type StrandedRepairLogger } from './stranded.js';
import { type Queryable, WatchedPool } from './watched-pool.js';
import { WorkListener, type WorkListenerLogger } from './work-listener.js';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** The circuit every process shares: opened after this many failures in a row, for openMs (doubling on probes). */
  circuit?: CircuitOptions;
  /** Warnings; `info` (when given) also hears each repair of the enable-vs-release race (stranded.ts). */
  logger?: WorkListenerLogger & StrandedRepairLogger;
  /** Encrypts endpoint secrets and custom headers at rest; default: a box without keys (stored in clear). */
  secretBox?: SecretBox;
}

/** Any two-int key: the lock is per schema, so separate schemas (tests, instances) migrate in parallel. */
const MIGRATION_LOCK_CLASS = 720_614;

const silentLogger: StrandedRepairLogger = { warn: () => undefined };

export class PostgresStore implements Store {
  readonly pool: WatchedPool;
  private readonly logger: StrandedRepairLogger;
  private readonly listeners = new Set<WorkListener>();
  private readonly parts: PostgresParts = {
    query: (text, values) => this.query(text, values),
    transaction: (work) => inTransaction(this.pool, work),
  };
  private readonly applications = new PostgresApplications(this.parts);
  private readonly eventTypes = new PostgresEventTypes(this.parts);
  private readonly endpoints: PostgresEndpoints;
  private readonly messages = new PostgresMessages(this.parts);
  private readonly queue: PostgresQueue;
  /** This process's liveness in the database (lease-owner.ts); its session ends with the process. */
  private readonly leaseOwner: LeaseOwner;
  private readonly history = new PostgresHistory(this.parts);
  private readonly ordering = new PostgresOrdering(this.parts);
  private readonly operatorViews = new PostgresOperatorViews(this.parts);
  private readonly apiKeys = new PostgresApiKeys(this.parts);
  private readonly idempotency = new PostgresIdempotency(this.parts);
  private readonly settings = new PostgresSettings(this.parts);
  private readonly retention = new PostgresRetention(this.parts);
  private readonly sources: PostgresSources;
  /** Each endpoint's gate is in the database, shared by every process; the claim applies it. */
  private readonly gates = new PostgresEndpointGates(this.parts);
  private readonly stranded: StrandedRepair;

  constructor(private readonly options: PostgresStoreOptions) {
    this.pool = new WatchedPool({ ...options, logger: options.logger ?? silentLogger });
    this.logger = options.logger ?? silentLogger;
    // An idle connection dropped by a database restart must not crash the process: the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    this.leaseOwner = new LeaseOwner(connectionConfig(options), this.logger);
    const box = options.secretBox ?? new SecretBox();
    this.stranded = new StrandedRepair(this.parts, this.logger);
    this.endpoints = new PostgresEndpoints(this.parts, box, (endpointId, now) =>
      this.stranded.afterEnable(endpointId, now),
    );
    this.sources = new PostgresSources(this.parts, box);
    this.queue = new PostgresQueue(this.parts, box, options.circuit ?? DEFAULT_CIRCUIT_OPTIONS, this.leaseOwner);
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    client: Queryable = this.pool,
  ): Promise<pg.QueryResult<R>> {
    return client.query<R>(text, values);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    const schema = this.options.schema == null ? null : checkSchemaName(this.options.schema);
    try {
      // Several processes may start at once: one migrates, the others wait here and then find nothing to do.
      await this.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema ?? ''], client);
      try {
        if (schema !== null) await this.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`, [], client);
        await migratePostgres(client);
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

  answeredWithin(ms: number): boolean {
    return this.pool.answeredWithin(ms);
  }

  async close(): Promise<void> {
    await this.queue.drain();
    await this.stranded.close();
    await Promise.all([...this.listeners].map((listener) => listener.stop()));
    this.listeners.clear();
    await this.leaseOwner.close();
    await this.pool.end();
  }

  // ---- gates.ts
  readonly endpointGates: NonNullable<Store['endpointGates']> = () => this.gates;

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
  /** Publishes inside the application's own open transaction on `client` (see PostgresMessages). */
  publishInTransaction(client: OutboxClient, appId: string, input: NewMessage, now: number) {
    const schema = this.options.schema == null ? null : checkSchemaName(this.options.schema);
    return this.messages.publishInTransaction(client, schema, appId, input, now);
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

  // ---- stranded.ts
  repairStrandedDeliveries(now: number): Promise<number> {
    return this.stranded.repair(now);
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
