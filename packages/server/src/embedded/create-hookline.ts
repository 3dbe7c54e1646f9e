// Hookline inside your app, with no HTTP hop (the dj-webhooks pattern): open the SQLite store, publish events,
// wrap functions so their results are published, and run the delivery worker here or leave it to a separate
// `hookline serve` on the same database file (it polls, so it finds what this process wrote).
import { standardWebhooks } from '@hookline/signatures';
import type { Logger } from 'pino';
import { PayloadValidator } from '../api/payload-validation.js';
import { defaultConfig, type ServerConfig } from '../config.js';
import type { DeliveryEngine } from '../engine/delivery-engine.js';
import { type ConfiguredEngine, engineFromConfig } from '../engine/engine-from-config.js';
import { checkEndpointUrl } from '../engine/ssrf-guard.js';
import { createLogger } from '../logger.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { NewEndpoint, Store } from '../store/store.js';
import type { Application, Endpoint, Message } from '../store/types.js';
import { EmbeddedError } from './errors.js';

export interface HooklineOptions {
  /** The SQLite file (created if missing); a `hookline serve --database` on the same file shares it. */
  database: string;
  /** Deliver to loopback and private addresses too: local development and tests only. */
  allowPrivateNetworks?: boolean;
  /** Delivery settings, as in the server's config file; unset ones keep the server's defaults. */
  delivery?: Partial<ServerConfig['delivery']>;
  /** Publishing an event type that does not exist: accepted (default) or refused, as the server's setting. */
  unknownEventTypes?: ServerConfig['unknownEventTypes'];
  /** SQLite durability, as the server's `sqliteSynchronous` (default FULL: durable when publish resolves). */
  sqliteSynchronous?: ServerConfig['sqliteSynchronous'];
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
}

export interface HookOptions<Args extends unknown[], Result> {
  /** The application (id or uid) whose endpoints receive the event, from the result and the arguments. */
  app: (result: Result, ...args: Args) => string;
  /** The payload to publish; default: the result itself (it must be a JSON object). */
  payload?: (result: Result, ...args: Args) => Record<string, unknown>;
  eventId?: (result: Result, ...args: Args) => string | null;
}

export interface Hookline {
  readonly store: Store;
  createApplication(input: { name: string; uid?: string | null }): Promise<Application>;
  /** An endpoint with a new signing secret (returned once here, as `secret`). */
  createEndpoint(
    app: string,
    input: Omit<NewEndpoint, 'secret'> & { secret?: string },
  ): Promise<{ endpoint: Endpoint; secret: string }>;
  /** Stores the event and one delivery per matching endpoint, durable on disk when the promise resolves. */
  publish(app: string, eventType: string, payload: Record<string, unknown>, options?: PublishOptions): Promise<Message>;
  /** Wraps `fn`: its awaited result is published as `eventType` to the application `options.app` names. */
  hook<Args extends unknown[], Result>(
    eventType: string,
    fn: (...args: Args) => Result | Promise<Result>,
    options: HookOptions<Args, Awaited<Result>>,
  ): (...args: Args) => Promise<Awaited<Result>>;
  /** Runs the delivery engine in this process until stopWorker or close. */
  startWorker(): void;
  stopWorker(): Promise<void>;
  /** Stops the worker (if running) and closes the database. */
  close(): Promise<void>;
}

const EVENT_TYPE = /^[a-zA-Z0-9\-_.]{1,256}$/;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function createHookline(options: HooklineOptions): Promise<Hookline> {
  const base = defaultConfig();
  const config: ServerConfig = {
    ...base,
    database: options.database,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    unknownEventTypes: options.unknownEventTypes ?? base.unknownEventTypes,
    sqliteSynchronous: options.sqliteSynchronous ?? base.sqliteSynchronous,
    delivery: { ...base.delivery, ...options.delivery },
  };
  const logger = options.logger ?? createLogger('warn');
  const store = new SqliteStore({ path: config.database, synchronous: config.sqliteSynchronous });
  // The same checks as the HTTP API: an embedded publish is no back door past an event type's schema.
  const payloadValidator = new PayloadValidator();
  await store.migrate();
  const policy = { allowPrivateNetworks: config.allowPrivateNetworks, allowedCidrs: config.allowedCidrs };
  let worker: ConfiguredEngine | null = null;
  let closed = false;

  const open = () => {
    if (closed) throw new EmbeddedError('HOOKLINE_CLOSED', 'this Hookline was closed');
  };

  async function applicationOf(idOrUid: string): Promise<Application> {
    const application = await store.getApplication(idOrUid);
    if (application === null) {
      throw new EmbeddedError('HOOKLINE_APPLICATION_NOT_FOUND', `no application ${JSON.stringify(idOrUid)}`);
    }
    return application;
  }

  const engine = (): DeliveryEngine | null => worker?.engine ?? null;

  const hookline: Hookline = {
    store,

    async createApplication(input) {
      open();
      return store.createApplication({ name: input.name, uid: input.uid ?? null }, Date.now());
    },

    async createEndpoint(app, input) {
      open();
      const application = await applicationOf(app);
      const verdict = checkEndpointUrl(input.url, policy);
      if (!verdict.ok) throw new EmbeddedError('HOOKLINE_INVALID_ENDPOINT_URL', verdict.detail);
      const secret = input.secret ?? standardWebhooks.generateSecret();
      const endpoint = await store.createEndpoint(
        application.id,
        { ...input, url: verdict.url.toString(), secret },
        Date.now(),
      );
      return { endpoint, secret };
    },

    async publish(app, eventType, payload, publishOptions = {}) {
      open();
      if (!EVENT_TYPE.test(eventType)) {
        throw new EmbeddedError('HOOKLINE_INVALID_EVENT_TYPE', 'an event type is 1-256 of a-z A-Z 0-9 - _ .');
      }
      if (!isJsonObject(payload)) throw new EmbeddedError('HOOKLINE_INVALID_PAYLOAD', 'a payload is a JSON object');
      const application = await applicationOf(app);
      const type = await store.getEventType(eventType);
      if (type === null && config.unknownEventTypes === 'reject') {
        throw new EmbeddedError(
          'HOOKLINE_UNKNOWN_EVENT_TYPE',
          `event type ${JSON.stringify(eventType)} does not exist`,
        );
      }
      const problems = type === null ? [] : payloadValidator.problems(type, payload);
      if (problems.length > 0) {
        const detail = problems.map((issue) => `${issue.loc.slice(2).join('.') || '(payload)'}: ${issue.msg}`);
        throw new EmbeddedError(
          'HOOKLINE_INVALID_PAYLOAD',
          `the payload does not match ${eventType}'s schema: ${detail.join('; ')}`,
        );
      }
      const channels = publishOptions.channels ?? null;
      const deliverAt = publishOptions.deliverAt?.getTime() ?? null;
      if (deliverAt !== null && Number.isNaN(deliverAt)) {
        throw new EmbeddedError('HOOKLINE_INVALID_DELIVER_AT', 'deliverAt is an invalid Date');
      }
      const now = Date.now();
      const { message } = await store.publish(
        application.id,
        {
          eventType,
          eventId: publishOptions.eventId ?? null,
          payload: JSON.stringify(payload),
          channels: channels === null || channels.length === 0 ? null : channels,
          deliverAt: deliverAt === null || deliverAt <= now ? null : deliverAt,
          tags: publishOptions.tags === undefined || publishOptions.tags?.length === 0 ? null : publishOptions.tags,
        },
        now,
      );
      engine()?.notify();
      return message;
    },

    hook<Args extends unknown[], Result>(
      eventType: string,
      fn: (...args: Args) => Result | Promise<Result>,
      hookOptions: HookOptions<Args, Awaited<Result>>,
    ) {
      return async (...args: Args): Promise<Awaited<Result>> => {
        const result: Awaited<Result> = await fn(...args);
        const payload = hookOptions.payload === undefined ? result : hookOptions.payload(result, ...args);
        if (!isJsonObject(payload)) {
          throw new EmbeddedError(
            'HOOKLINE_INVALID_PAYLOAD',
            `the result of the ${eventType} hook is not a JSON object`,
          );
        }
        // The function has run either way; a failed publish rejects the call so the caller knows the event is not out.
        await hookline.publish(hookOptions.app(result, ...args), eventType, payload, {
          eventId: hookOptions.eventId?.(result, ...args) ?? null,
        });
        return result;
      };
    },

    startWorker() {
      open();
      if (worker !== null) return;
      worker = engineFromConfig(config, store, logger);
      worker.engine.start();
    },

    async stopWorker() {
      const running = worker;
      worker = null;
      if (running === null) return;
      await running.engine.stop(config.shutdownDrainMs);
      await running.dispatcher.close();
    },

    async close() {
      if (closed) return;
      await hookline.stopWorker();
      closed = true;
      await store.close();
    },
  };
  return hookline;
}
