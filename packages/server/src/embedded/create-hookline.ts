// Hookline inside your app, with no HTTP hop (the dj-webhooks pattern): open the store (a SQLite file, or PostgreSQL
// in a schema of its own in the app's database), publish events (also inside the app's own transaction: the
// transactional outbox), wrap functions so their results are published, and run the delivery worker here or leave
// it to a separate `hookline serve` on the same database (it polls, and on PostgreSQL is woken by NOTIFY at commit).
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { openStore } from '../cli/open-store.js';
import { ConfigError, defaultConfig, type ServerConfig, validateConfig } from '../config.js';
import type { DeliveryEngine } from '../engine/delivery-engine.js';
import { checkDestinationUrl } from '../engine/destinations/destination-url.js';
import { type ConfiguredEngine, engineFromConfig } from '../engine/engine-from-config.js';
import { createLogger } from '../logger.js';
import { type ApplicationInput, applicationInSchema, createApplication } from '../operations/applications.js';
import type { OperationsContext } from '../operations/context.js';
import { type EndpointInput, endpointInSchema } from '../operations/endpoint-input.js';
import { createEndpoint } from '../operations/endpoints.js';
import { OperationError } from '../operations/errors.js';
import { checkInput } from '../operations/input-schema.js';
import { applyConfiguredOperationalWebhook } from '../operations/operational-endpoints.js';
import { OperationalEvents } from '../operations/operational-events.js';
import { listHeldKeys } from '../operations/ordering.js';
import { PayloadValidator } from '../operations/payload-validation.js';
import {
  type MessageInput,
  messageInSchema,
  type PublishOutcome,
  publishMessage,
  publishMessages,
} from '../operations/publish.js';
import { type PassSummary, Pruner } from '../retention/pruner.js';
import { isPostgresUrl } from '../store/postgres/database-url.js';
import type { OutboxClient } from '../store/postgres/messages.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import { secretBoxFrom } from '../store/secret-box.js';
import { secretsAtRest } from '../store/secrets-at-rest.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { Application, Endpoint, HeldKey, Message } from '../store/types.js';

export interface HooklineOptions {
  /**
   * The SQLite file (created if missing), or a postgres:// URL (`?schema=hookline` keeps Hookline's tables in a
   * schema of their own in your database); a `hookline serve --database` on the same database shares it.
   */
  database: string;
  /** Deliver to loopback and private addresses too: local development and tests only. */
  allowPrivateNetworks?: boolean;
  /** Endpoint URLs must be https: (the server's requireHttps). */
  requireHttps?: boolean;
  /** Delivery settings, as in the server's config file; unset ones keep the server's defaults. */
  delivery?: Partial<ServerConfig['delivery']>;
  /** Publishing an event type that does not exist: accepted (default) or refused, as the server's setting. */
  unknownEventTypes?: ServerConfig['unknownEventTypes'];
  /** SQLite durability, as the server's `sqliteSynchronous` (default FULL: durable when publish resolves). */
  sqliteSynchronous?: ServerConfig['sqliteSynchronous'];
  /**
   * Encryption at rest, as the server's HOOKLINE_ENCRYPTION_KEY and HOOKLINE_ENCRYPTION_OLD_KEYS (32 bytes in
   * base64 each). A `hookline serve` on the same file needs the same keys. Without a key, values are stored in clear.
   */
  encryption?: Partial<ServerConfig['encryption']>;
  /**
   * How long payloads and history are kept, as the server's `retention` (default: payloads 30 days, history 90; 0
   * keeps for ever). The worker prunes them (startWorker); `prune()` runs one pass by hand.
   */
  retention?: Partial<ServerConfig['retention']>;
  logger?: Logger;
}

export interface PublishOptions {
  /** Your idempotency id: a second publish with the same eventId for the application is refused. */
  eventId?: string | null;
  channels?: string[] | null;
  /**
   * Deliver no earlier than this time (a time already past: at once). Unlike the HTTP API, which keeps Svix's 24 h
   * limit, any future time is accepted here: the database is your own.
   */
  deliverAt?: Date | null;
  /** Labels to find the message by (the API's `tag` filter); never sent to endpoints. */
  tags?: string[] | null;
  /** For endpoints with `ordering: 'fifo'`: the key (a customer id, an order id) whose events go in publish order. */
  orderingKey?: string | null;
  /**
   * PostgreSQL: your node-postgres client (or a Kysely/Drizzle adapter of your transaction), inside your BEGIN …
   * COMMIT. The message and its deliveries are written by your transaction: they exist exactly when it commits,
   * and the NOTIFY that wakes workers is sent at that commit.
   */
  client?: OutboxClient;
  /**
   * SQLite: your better-sqlite3 connection to the same file, inside your transaction (`BEGIN IMMEDIATE` …
   * `COMMIT`, with this publish awaited in between). The message and its deliveries exist exactly when it commits;
   * workers on the file, in this process or another, see the commit within 25 ms (they watch `PRAGMA
   * data_version`). While your transaction holds SQLite's one write lock, Hookline's own writes wait for it (off
   * the event loop, up to 5 s, then retried): keep it to your writes and this publish.
   */
  db?: BetterSqlite3.Database;
}

/** One message of a publishMany: what publish takes as arguments, in one object. */
export interface BatchMessage extends PublishOptions {
  eventType: string;
  payload: Record<string, unknown>;
}

/** The API's message input from publish's arguments. */
function messageInputOf(eventType: string, payload: Record<string, unknown>, options: PublishOptions): MessageInput {
  const deliverAt = options.deliverAt ?? null;
  return {
    eventType,
    payload,
    ...(options.eventId === undefined ? {} : { eventId: options.eventId }),
    ...(options.channels === undefined ? {} : { channels: options.channels }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.orderingKey === undefined ? {} : { orderingKey: options.orderingKey }),
    // An invalid Date has no ISO form: its string fails the date-time rule, as a bad time does over HTTP.
    deliverAt:
      deliverAt === null ? null : Number.isNaN(deliverAt.getTime()) ? String(deliverAt) : deliverAt.toISOString(),
  };
}

export interface HookOptions<Args extends unknown[], Result> {
  /** The application (id or uid) whose endpoints receive the event, from the result and the arguments. */
  app: (result: Result, ...args: Args) => string;
  /** The payload to publish; default: the result itself (it must be a JSON object). */
  payload?: (result: Result, ...args: Args) => Record<string, unknown>;
  eventId?: (result: Result, ...args: Args) => string | null;
}

/**
 * Every call checks its input by the same rules as the HTTP API (operations/), and refuses with the same
 * OperationError codes the API answers in `{code, detail}`: `validation`, `not_found`, `conflict`,
 * `unknown_event_type`, `reserved_header`, the URL codes (`unsupported_scheme`, `forbidden_address` …).
 */
export interface Hookline {
  readonly store: Store;
  createApplication(input: ApplicationInput & { name: string }): Promise<Application>;
  /** An endpoint (fields as the API's EndpointIn) with a new signing secret, returned once here as `secret`. */
  createEndpoint(app: string, input: EndpointInput & { url: string }): Promise<{ endpoint: Endpoint; secret: string }>;
  /** Stores the event and one delivery per matching endpoint, durable on disk when the promise resolves. */
  publish(app: string, eventType: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<Message>;
  /**
   * Up to 1,000 messages to one application in ONE transaction, durable when the promise resolves. Each is checked
   * as publish checks one; the outcomes are in order, `{ ok: true, message }` or `{ ok: false, error }` with the
   * OperationError publish would have thrown (a refused message does not stop the others). Rejects, publishing
   * nothing, when the application does not exist or there are more than 1,000.
   */
  publishMany(app: string, messages: readonly BatchMessage[]): Promise<PublishOutcome[]>;
  /** Wraps `fn`: its awaited result is published as `eventType` to the application `options.app` names. */
  hook<Args extends unknown[], Result>(
    eventType: string,
    fn: (...args: Args) => Result | Promise<Result>,
    options: HookOptions<Args, Awaited<Result>>,
  ): (...args: Args) => Promise<Awaited<Result>>;
  /** An ordered endpoint's keys held by a dead head (orderingOnDead 'hold'); resending the head releases one. */
  listHeldKeys(app: string, endpoint: string): Promise<HeldKey[]>;
  /**
   * One retention pass now (or as if at `at`): removes payloads past `retention.payloadDays` and deletes history past
   * `retention.historyDays`, in short batches. The worker runs one every `retention.intervalMs` on its own.
   */
  prune(at?: Date): Promise<PassSummary>;
  /** Runs the delivery engine (and the retention pruner) in this process until stopWorker or close. */
  startWorker(): void;
  stopWorker(): Promise<void>;
  /** Stops the worker (if running) and closes the database. */
  close(): Promise<void>;
}

export async function createHookline(options: HooklineOptions): Promise<Hookline> {
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    database: options.database,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    requireHttps: options.requireHttps ?? false,
    unknownEventTypes: options.unknownEventTypes ?? base.unknownEventTypes,
    sqliteSynchronous: options.sqliteSynchronous ?? base.sqliteSynchronous,
    delivery: { ...base.delivery, ...options.delivery },
    encryption: { key: options.encryption?.key ?? null, oldKeys: options.encryption?.oldKeys ?? [] },
    retention: { ...base.retention, ...options.retention },
  };
  // The server's rules for its settings: a timeout of Infinity or a grace of "1 day" is refused here, not stored.
  try {
    validateConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new OperationError('invalid_config', error.message, 'invalid');
    throw error;
  }
  const logger = options.logger ?? createLogger('warn');
  // A bad key is refused here, as the server refuses it at start, before any row is written under it.
  const secretBox = (() => {
    try {
      return secretBoxFrom(config.encryption);
    } catch (error) {
      throw new OperationError('invalid_encryption_key', (error as Error).message, 'invalid');
    }
  })();
  const store = await openStore(config, logger, secretBox);
  await store.migrate();
  const onPostgres = isPostgresUrl(config.database);
  // The application's own library: no warning about clear values (its author chose), but the same pass moving rows
  // to the configured keys, in the background.
  const resealing = new AbortController();
  const resealed = secretsAtRest(store, secretBox, logger, { warnWhenClear: false, signal: resealing.signal });
  const policy = {
    allowPrivateNetworks: config.allowPrivateNetworks,
    allowedCidrs: config.allowedCidrs,
    requireHttps: config.requireHttps,
  };
  let worker: ConfiguredEngine | null = null;
  let closed = false;
  const pruner = new Pruner({ store, now: Date.now, logger, retention: config.retention });

  const open = () => {
    if (closed) throw new OperationError('closed', 'this Hookline was closed', 'invalid');
  };

  const engine = (): DeliveryEngine | null => worker?.engine ?? null;
  const operationalEvents = new OperationalEvents({
    store,
    now: Date.now,
    logger,
    workQueued: () => engine()?.notify(),
  });
  // The rules and settings of the HTTP API's operations, but for deliverAt: any time ahead (the database is yours).
  const operations: OperationsContext = {
    store,
    now: Date.now,
    workQueued: () => engine()?.notify(),
    operationalEvents,
    checkEndpointUrl: (url) => checkDestinationUrl(url, policy),
    payloadValidator: new PayloadValidator(),
    rejectUnknownEventTypes: config.unknownEventTypes === 'reject',
    secretRotationGraceMs: config.delivery.secretRotationGraceMs,
    maxDeliverAheadMs: null,
  };

  // A publish in the caller's transaction wakes workers at its commit (NOTIFY on PostgreSQL, the commit watch on
  // SQLite), not when written: before the commit a worker finds nothing, and on SQLite its claim would only wait
  // for the caller's write lock.
  const outboxOperations: OperationsContext = { ...operations, workQueued: () => undefined };

  const { operationalWebhookUrl, operationalWebhookSecret } = config.delivery;
  if (operationalWebhookUrl !== null && operationalWebhookSecret !== null) {
    await applyConfiguredOperationalWebhook(operations, operationalWebhookUrl, operationalWebhookSecret);
  }

  const hookline: Hookline = {
    store,

    async createApplication(input) {
      open();
      const checked = checkInput<ApplicationInput>(applicationInSchema, input);
      return (await createApplication(operations, checked)).application;
    },

    async createEndpoint(app, input) {
      open();
      return createEndpoint(operations, app, checkInput<EndpointInput>(endpointInSchema, input));
    },

    async publish(app, eventType, payload, publishOptions = {}) {
      open();
      const input = messageInputOf(eventType, payload, publishOptions);
      const checked = checkInput<MessageInput>(messageInSchema, input);
      const { client, db } = publishOptions;
      if (client !== undefined) {
        if (!onPostgres) {
          throw new OperationError('outbox_mismatch', 'publish with a client needs a postgres:// database', 'invalid');
        }
        return publishMessage(outboxOperations, app, checked, (appId, message, now) =>
          (store as PostgresStore).publishInTransaction(client, appId, message, now),
        );
      }
      if (db !== undefined) {
        if (onPostgres)
          throw new OperationError('outbox_mismatch', 'publish with a db needs a SQLite database', 'invalid');
        // Checked before anything is read: outside a transaction the write would commit at once, no outbox at all.
        if (!db.inTransaction) {
          throw new OperationError(
            'not_in_transaction',
            'publish with a db needs it inside a transaction (BEGIN)',
            'invalid',
          );
        }
        return publishMessage(outboxOperations, app, checked, async (appId, message, now) =>
          (store as SqliteStore).publishInTransaction(db, appId, message, now),
        );
      }
      return publishMessage(operations, app, checked);
    },

    async listHeldKeys(app, endpoint) {
      open();
      return (await listHeldKeys(operations, app, endpoint)).held;
    },

    async publishMany(app, messages) {
      open();
      // publishMessages checks each input against the message schema itself, so a bad one is that one's outcome.
      return publishMessages(
        operations,
        app,
        messages.map(({ eventType, payload, ...options }) => messageInputOf(eventType, payload, options)),
      );
    },

    hook<Args extends unknown[], Result>(
      eventType: string,
      fn: (...args: Args) => Result | Promise<Result>,
      hookOptions: HookOptions<Args, Awaited<Result>>,
    ) {
      return async (...args: Args): Promise<Awaited<Result>> => {
        const result: Awaited<Result> = await fn(...args);
        const payload = hookOptions.payload === undefined ? result : hookOptions.payload(result, ...args);
        // The function has run either way; a failed publish (a result that is not a JSON object, say) rejects the
        // call so the caller knows the event is not out.
        await hookline.publish(hookOptions.app(result, ...args), eventType, payload as Record<string, unknown>, {
          eventId: hookOptions.eventId?.(result, ...args) ?? null,
        });
        return result;
      };
    },

    async prune(at) {
      open();
      if (at !== undefined && Number.isNaN(at.getTime())) {
        throw new OperationError('validation', 'prune(at): not a valid Date', 'invalid');
      }
      return pruner.runPass(at?.getTime());
    },

    startWorker() {
      open();
      if (worker !== null) return;
      worker = engineFromConfig(config, store, logger, {
        onOperationalEvent: (event) => operationalEvents.emit(event),
      });
      worker.engine.start();
      pruner.start();
    },

    async stopWorker() {
      const running = worker;
      worker = null;
      if (running === null) return;
      await pruner.stop();
      await running.engine.stop(config.shutdownDrainMs);
      await running.dispatcher.close();
    },

    async close() {
      if (closed) return;
      await hookline.stopWorker();
      closed = true;
      resealing.abort();
      await resealed;
      await store.close();
    },
  };
  return hookline;
}
