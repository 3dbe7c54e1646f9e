// The bodies of Hookline's operational events, in Svix's shapes (svix's models EndpointCreatedEventData …
// MessageAttemptExhaustedEventData): `{type, timestamp, data}`, with the tenant's appId and appUid in every data.
// Pure: what to say is decided here, the publishing is operational-events.ts's.
import type { EngineOperationalEvent } from '../engine/delivery-engine.js';

/** Every operational event type, as Svix names them; an operational endpoint's filterTypes choose among them. */
export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.exhausted',
  'message.attempt.failing',
  'message.attempt.recovered',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** An endpoint changed by an operation (API, CLI, embedded mode): created, updated, deleted, enabled, disabled. */
export type EndpointChangeEvent =
  | {
      type: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted' | 'endpoint.enabled';
      appId: string;
      endpointId: string;
      endpointUid: string | null;
      at: number;
    }
  | {
      type: 'endpoint.disabled';
      trigger: 'manual';
      appId: string;
      endpointId: string;
      endpointUid: string | null;
      at: number;
    };

/** What the operations layer publishes: an endpoint change, or what the engine saw. */
export type OperationalEventInput = EndpointChangeEvent | EngineOperationalEvent;

export interface OperationalEventBody {
  type: OperationalEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The body sent for `event`; `appUid` is the tenant application's uid (null when it has none). */
export function operationalEventBody(event: OperationalEventInput, appUid: string | null): OperationalEventBody {
  const app = { appId: event.appId, appUid };
  const endpoint = 'endpointUid' in event ? { endpointId: event.endpointId, endpointUid: event.endpointUid } : null;
  let data: Record<string, unknown>;
  switch (event.type) {
    case 'endpoint.created':
    case 'endpoint.updated':
    case 'endpoint.deleted':
    case 'endpoint.enabled':
      data = { ...app, ...endpoint };
      break;
    case 'endpoint.disabled':
      data =
        event.trigger === 'automatic'
          ? { ...app, ...endpoint, failSince: iso(event.failSince), trigger: 'automatic' }
          : { ...app, ...endpoint, failSince: null, trigger: 'manual' };
      break;
    default:
      data = {
        ...app,
        endpointId: event.endpointId,
        msgId: event.msgId,
        msgEventId: event.msgEventId,
        lastAttempt: { id: event.attemptId, responseStatusCode: event.responseStatusCode, timestamp: iso(event.at) },
      };
  }
  return { type: event.type, timestamp: iso(event.at), data };
}
