// The store for many processes on many machines: PostgreSQL through a pg pool. Correctness rests on transactions
// and leases in the database (no leader, no broker); per-endpoint limits, rate tokens and circuit state are rows,
// so they hold across processes. Each module of the Store is its own file here, named as in sqlite/; this class
// owns the pool, the migrations and the cross-process wakeups, and hands each call to its module.
import type pg from 'pg';
import { type CircuitOptions, DEFAULT_CIRCUIT_OPTIONS } from '../gates.js';
import { resealColumns } from '../reseal-secrets.js';
import { SecretBox } from '../secret-box.js';
import type { Store } from '../store.js';
import { PostgresApiKeys } from './api-keys.js';
import { PostgresApplications } from './applications.js';
import { ClaimedSecrets } from './claimed-secrets.js';
import { checkSchemaName } from './database-url.js';
import { PostgresEndpoints } from './endpoints.js';
import { PostgresEventTypes } from './event-types.js';
import { PostgresEndpointGates } from './gates.js';
import { PostgresHistory } from './history.js';
import { PostgresIdempotency } from './idempotency.js';
import { LeaseOwner } from './lease-owner.js';
import { PostgresMessages } from './messages.js';
import { migratePostgres } from './migrations.js';
import { PostgresOperatorViews } from './operator-views.js';
import { connectionConfig, type PostgresConnectionOptions } from './pool.js';
import type { PostgresParts } from './postgres-parts.js';
import { PostgresQueue } from './queue.js';
import { postgresSealedColumns } from './sealed-columns.js';
import { PostgresSettings } from './settings.js';
import { type Queryable, WatchedPool } from './watched-pool.js';
import { WorkListener, type WorkListenerLogger } from './work-listener.js';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** The circuit every process shares: opened after this many failures in a row, for openMs (doubling on probes). */
  circuit?: CircuitOptions;
  logger?: WorkListenerLogger;
  /** Encrypts endpoint secrets and custom headers at rest; default: a box without keys (stored in clear). */
  secretBox?: SecretBox;
}

/** Any two-int key: the lock is per schema, so separate schemas (tests, instances) migrate in parallel. */
const MIGRATION_LOCK_CLASS = 720_614;

const silentLogger: WorkListenerLogger = { warn: () => undefined };

export class PostgresStore implements Store {
  readonly pool: WatchedPool;
  private readonly logger: WorkListenerLogger;
  private readonly listeners = new Set<WorkListener>();
  private readonly parts: PostgresParts = {
    query: (text, values) => this.query(text, values),
    transaction: (work) => this.transaction(work),
  };
  /** Secrets a claim brought along, for signing its sends: written by the queue, read and dropped by endpoints. */
  private readonly claimedSecrets = new ClaimedSecrets();
  private readonly applications = new PostgresApplications(this.parts, this.claimedSecrets);
  private readonly eventTypes = new PostgresEventTypes(this.parts);
  private readonly box: SecretBox;
  private readonly endpoints: PostgresEndpoints;
  private readonly messages = new PostgresMessages(this.parts);
  private readonly queue: PostgresQueue;
  /** This process's liveness in the database (lease-owner.ts); its session ends with the process. */
  private readonly leaseOwner: LeaseOwner;
  private readonly history = new PostgresHistory(this.parts);
  private readonly operatorViews = new PostgresOperatorViews(this.parts);
  private readonly apiKeys = new PostgresApiKeys(this.parts);
  private readonly idempotency = new PostgresIdempotency(this.parts);
  private readonly settings = new PostgresSettings(this.parts);
  /** Each endpoint's gate is in the database, shared by every process; the claim applies it. */
  private readonly gates = new PostgresEndpointGates(this.parts);

  constructor(private readonly options: PostgresStoreOptions) {
    this.pool = new WatchedPool({ ...options, logger: options.logger ?? silentLogger });
    this.logger = options.logger ?? silentLogger;
    // An idle connection dropped by a database restart must not crash the process: the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    this.leaseOwner = new LeaseOwner(connectionConfig(options), this.logger);
    this.box = options.secretBox ?? new SecretBox();
    this.endpoints = new PostgresEndpoints(this.parts, this.claimedSecrets, this.box);
    this.queue = new PostgresQueue(
      this.parts,
      this.claimedSecrets,
      this.box,
      options.circuit ?? DEFAULT_CIRCUIT_OPTIONS,
      this.leaseOwner,
    );
  }

  private async query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    client: Queryable = this.pool,
  ): Promise<pg.QueryResult<R>> {
    return client.query<R>(text, values);
  }

  private async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
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

  async close(): Promise<void> {
    await this.queue.drain();
    await Promise.all([...this.listeners].map((listener) => listener.stop()));
    this.listeners.clear();
    await this.leaseOwner.close();
    await this.pool.end();
  }

  // ---- gates.ts
  readonly endpointGates: NonNullable<Store['endpointGates']> = () => this.gates;

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

  // ---- sealed-columns.ts
  readonly resealSecrets: Store['resealSecrets'] = (options) =>
    resealColumns(this.box, postgresSealedColumns(this.parts), options);

  // ---- messages.ts
  readonly publish: Store['publish'] = (appId, input, now) => this.messages.publish(appId, input, now);
  readonly getMessage: Store['getMessage'] = (appId, idOrEventId) => this.messages.getMessage(appId, idOrEventId);

  // ---- queue.ts
  readonly claimDueDeliveries: Store['claimDueDeliveries'] = (options) => this.queue.claimDueDeliveries(options);
  readonly recordAttempts: Store['recordAttempts'] = (results) => this.queue.recordAttempts(results);
  readonly releaseLeases: Store['releaseLeases'] = (deliveryIds, now) => this.queue.releaseLeases(deliveryIds, now);
  readonly extendLeases: Store['extendLeases'] = (deliveryIds, leaseUntil, extendedUntil) =>
    this.queue.extendLeases(deliveryIds, leaseUntil, extendedUntil);
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
