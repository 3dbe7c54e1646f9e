// Records → Svix v1 JSON shapes (camelCase, ISO-8601 times). Svix's enums: attempt status 0 success, 1 pending,
// 2 fail, 3 sending; triggerType 0 scheduled, 1 manual.
import { redactSentHeaders } from '../engine/sensitive-headers.js';
import { nestsDeeperThan } from '../input/well-formed.js';
import type { Application, Attempt, Delivery, Endpoint, EventType, Message } from '../store/types.js';

// The last time formatted is kept: under load several publishes a millisecond answer with the same time, and
// Date#toISOString is ~0.5 us a call against ~0.07 for the comparison (1,000,000 calls, eight per millisecond).
let lastMs = Number.NaN;
let lastIso = '';
const iso = (ms: number): string => {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
};

export function applicationOut(app: Application) {
  return {
    id: app.id,
    uid: app.uid,
    name: app.name,
    rateLimit: app.rateLimit,
    throttleRate: app.rateLimit,
    metadata: app.metadata,
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}

function endpointCommonOut(endpoint: Endpoint) {
  return {
    id: endpoint.id,
    uid: endpoint.uid,
    url: endpoint.urlShown,
    description: endpoint.description,
    version: 1,
    filterTypes: endpoint.eventTypes,
    channels: endpoint.channels,
    disabled: endpoint.disabled,
    rateLimit: endpoint.throttleRate,
    throttleRate: endpoint.throttleRate,
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}

export function endpointOut(endpoint: Endpoint) {
  return {
    ...endpointCommonOut(endpoint),
    eventTypes: endpoint.eventTypes,
    disabledReason: endpoint.disabledReason,
    headerPrefix: endpoint.headerPrefix,
    signatureScheme: endpoint.signatureScheme,
    payloadFormat: endpoint.payloadFormat,
    ordering: endpoint.ordering,
    orderingOnDead: endpoint.orderingOnDead,
    payloadFilter: endpoint.payloadFilter,
    retrySchedule: endpoint.retrySchedule,
    nonRetryableStatuses: endpoint.nonRetryableStatuses,
    metadata: endpoint.metadata,
  };
}

/** Svix's OperationalWebhookEndpointOut. */
export function operationalEndpointOut(endpoint: Endpoint) {
  return {
    id: endpoint.id,
    uid: endpoint.uid,
    url: endpoint.urlShown,
    description: endpoint.description,
    disabled: endpoint.disabled,
    filterTypes: endpoint.eventTypes,
    metadata: endpoint.metadata,
    rateLimit: endpoint.throttleRate,
    throttleRate: endpoint.throttleRate,
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}

export function eventTypeOut(eventType: EventType) {
  return {
    name: eventType.name,
    description: eventType.description,
    archived: eventType.archived,
    deprecated: eventType.deprecated,
    schemas: eventType.schemas,
    featureFlag: eventType.featureFlag,
    featureFlags: eventType.featureFlag === null ? null : [eventType.featureFlag],
    groupName: eventType.groupName,
    createdAt: iso(eventType.createdAt),
    updatedAt: iso(eventType.updatedAt),
  };
}

/** Without content (`with_content=false`) the payload is `{}`, as Svix answers. */
/**
 * A payload as the API shows it: the JSON it is, or, for a message relayed from a source whose provider sent a form
 * or a GET's query (kept byte for byte, not JSON), that text as a string.
 */
export function payloadOut(payload: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  // A payload stored before the edge bounded depth (a source's body nested 5,000 deep) would overflow the stack
  // when the answer is serialized, and fail the whole list it is in: it is shown as its text instead.
  return nestsDeeperThan(parsed) ? payload : parsed;
}

/** What Svix shows for a payload past its retention; `payloadPrunedAt` says when it went. */
export const EXPIRED_PAYLOAD = Object.freeze({ expired: true });

export function messageOut(
  message: Message,
  payload: unknown = message.payloadPrunedAt === null ? payloadOut(message.payload) : EXPIRED_PAYLOAD,
) {
  return {
    id: message.id,
    eventId: message.eventId,
    eventType: message.eventType,
    payload,
    channels: message.channels,
    tags: message.tags,
    deliverAt: message.deliverAt === null ? null : iso(message.deliverAt),
    orderingKey: message.orderingKey,
    payloadPrunedAt: message.payloadPrunedAt === null ? null : iso(message.payloadPrunedAt),
    timestamp: iso(message.createdAt),
  };
}

export function messageOutWithContent(message: Message, withContent: boolean) {
  return withContent ? messageOut(message) : messageOut(message, {});
}

const STATUS_TEXT = ['success', 'pending', 'fail', 'sending', 'canceled'] as const;

/** Svix's MessageStatus of a delivery: a paused one (endpoint disabled) is still pending. */
export function deliveryStatus(status: Delivery['status']): 0 | 1 | 2 | 3 {
  switch (status) {
    case 'succeeded':
      return 0;
    case 'dead':
      return 2;
    case 'sending':
      return 3;
    default:
      return 1;
  }
}

export function attemptOut(attempt: Attempt, message: ReturnType<typeof messageOut> | null = null) {
  const status = attempt.outcome === 'succeeded' ? 0 : 2;
  return {
    id: attempt.id,
    msgId: attempt.messageId,
    endpointId: attempt.endpointId,
    url: attempt.url,
    response: attempt.responseBody,
    responseStatusCode: attempt.statusCode ?? 0,
    responseDurationMs: attempt.durationMs,
    status,
    statusText: STATUS_TEXT[status],
    triggerType: attempt.trigger === 'scheduled' ? 0 : 1,
    error: attempt.error,
    /**
     * A Hookline addition to Svix's shape: what was sent, sensitive values redacted (the engine records them so;
     * this covers attempts recorded before it did).
     */
    requestHeaders: attempt.requestHeaders === null ? null : redactSentHeaders(attempt.requestHeaders),
    ...(message === null ? {} : { msg: message }),
    timestamp: iso(attempt.createdAt),
  };
}

export function messageEndpointOut(endpoint: Endpoint, delivery: Delivery) {
  const status = deliveryStatus(delivery.status);
  return {
    ...endpointCommonOut(endpoint),
    status,
    statusText: STATUS_TEXT[status],
    nextAttempt: delivery.nextAttemptAt === null || status !== 1 ? null : iso(delivery.nextAttemptAt),
  };
}

export function deliveryOut(delivery: Delivery) {
  return {
    id: delivery.id,
    msgId: delivery.messageId,
    endpointId: delivery.endpointId,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttempt: delivery.nextAttemptAt === null ? null : iso(delivery.nextAttemptAt),
    lastError: delivery.lastError,
    lastStatusCode: delivery.lastStatusCode,
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}
