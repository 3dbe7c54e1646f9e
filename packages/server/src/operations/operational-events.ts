// Operational events are messages of one internal application, the operational application (uid
// OPERATIONAL_APP_UID, one per Hookline database: Svix's one per environment), whose endpoints are the operator's
// operational webhooks. So Hookline's own engine signs, retries on the normal schedule, dead-letters and shows them
// like any other delivery. Every event is also one log line (ids only: no secret, no payload). The application
// exists once an operational endpoint was configured; until then events are only logged.
import { DuplicateUidError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { Application, Endpoint } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { OperationError } from './errors.js';
import { type OperationalEventInput, operationalEventBody } from './operational-event-payloads.js';

/**
 * Its `:` is refused by the uid rule of every input (UID_PATTERN), so no tenant application can take it or be
 * renamed to it: only ensureOperationalApplication creates it.
 */
export const OPERATIONAL_APP_UID = 'hookline:operational';

/** Where operations (and the engine, through its callback) tell what happened. */
export interface OperationalEventSink {
  /** Logs and publishes the event; never throws (a failure is logged: the change it reports has happened). */
  emit(event: OperationalEventInput): Promise<void>;
}

export interface OperationalEventsLogger {
  info(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface OperationalEventsOptions {
  store: Store;
  now(): number;
  logger: OperationalEventsLogger;
  /** Tells a local engine that deliveries were queued. */
  workQueued(): void;
}

/** The operational application, created when missing (a concurrent creation by another process wins the race). */
export async function ensureOperationalApplication(store: Store, now: number): Promise<Application> {
  const existing = await store.getApplication(OPERATIONAL_APP_UID);
  if (existing !== null) return existing;
  try {
    return await store.createApplication({ name: 'Hookline operational webhooks', uid: OPERATIONAL_APP_UID }, now);
  } catch (error) {
    if (!(error instanceof DuplicateUidError)) throw error;
    const created = await store.getApplication(OPERATIONAL_APP_UID);
    if (created === null) throw error;
    return created;
  }
}

/**
 * Refuses to change, delete or publish into the operational application by the tenant operations: its messages are
 * Hookline's own events (a published one would be a forged event), and its endpoints are managed under
 * /api/v1/operational-webhook/endpoint. Reading it (its messages, attempts, dead letters) stays open to admins.
 */
export function refuseOperationalApplication(application: Pick<Application, 'uid'> | null): void {
  if (application?.uid === OPERATIONAL_APP_UID) {
    throw new OperationError(
      'operational_application',
      'the operational application is managed by Hookline: its endpoints are at /api/v1/operational-webhook/endpoint',
      'invalid',
    );
  }
}

export class OperationalEvents implements OperationalEventSink {
  /** Found once: the application is never deleted (operations refuse it), so its id does not change. */
  private operationalAppId: string | null = null;

  constructor(private readonly options: OperationalEventsOptions) {}

  async emit(event: OperationalEventInput): Promise<void> {
    const { store, logger } = this.options;
    try {
      const operationalAppId = await this.findOperationalApp();
      // Nothing is said about the operational application itself: a failing operational endpoint would otherwise
      // announce its own failures to itself, without end.
      if (event.appId === operationalAppId) return;
      logger.info(
        {
          operationalEvent: event.type,
          appId: event.appId,
          endpointId: event.endpointId,
          ...('msgId' in event ? { msgId: event.msgId, attemptId: event.attemptId } : {}),
        },
        'operational event',
      );
      if (operationalAppId === null) return;
      const application = await store.getApplication(event.appId);
      const body = operationalEventBody(event, application?.uid ?? null);
      await store.publish(
        operationalAppId,
        { eventType: event.type, payload: JSON.stringify(body) },
        this.options.now(),
      );
      this.options.workQueued();
    } catch (error) {
      logger.error(
        { err: error, operationalEvent: event.type, appId: event.appId, endpointId: event.endpointId },
        'operational event not published',
      );
    }
  }

  private async findOperationalApp(): Promise<string | null> {
    if (this.operationalAppId === null) {
      this.operationalAppId = (await this.options.store.getApplication(OPERATIONAL_APP_UID))?.id ?? null;
    }
    return this.operationalAppId;
  }
}

/**
 * Tells the operational events of an endpoint change, once, where it happened: every way in (API, CLI through the
 * API, embedded mode) calls the endpoint operations, and they call this after the change is written.
 */
export async function endpointChanged(
  context: Pick<OperationsContext, 'operationalEvents' | 'now'>,
  type: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted' | 'endpoint.enabled' | 'endpoint.disabled',
  endpoint: Endpoint,
): Promise<void> {
  const about = { appId: endpoint.appId, endpointId: endpoint.id, endpointUid: endpoint.uid, at: context.now() };
  await context.operationalEvents.emit(
    type === 'endpoint.disabled' ? { type, trigger: 'manual', ...about } : { type, ...about },
  );
}
