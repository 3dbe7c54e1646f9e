// Records → Svix v1 JSON shapes (camelCase, ISO-8601 times). Svix's enums: attempt status 0 success, 1 pending,
// 2 fail, 3 sending; triggerType 0 scheduled, 1 manual.
import type { Application, Attempt, Delivery, Endpoint, Message } from '../store/types.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function applicationOut(app: Application) {
  return {
    id: app.id,
    uid: app.uid,
    name: app.name,
    rateLimit: app.rateLimit,
    metadata: app.metadata,
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}

export function endpointOut(endpoint: Endpoint) {
  return {
    id: endpoint.id,
    uid: endpoint.uid,
    url: endpoint.url,
    description: endpoint.description,
    version: 1,
    filterTypes: endpoint.eventTypes,
    eventTypes: endpoint.eventTypes,
    channels: endpoint.channels,
    disabled: endpoint.disabled,
    disabledReason: endpoint.disabledReason,
    rateLimit: endpoint.throttleRate,
    throttleRate: endpoint.throttleRate,
    headerPrefix: endpoint.headerPrefix,
    retrySchedule: endpoint.retrySchedule,
    nonRetryableStatuses: endpoint.nonRetryableStatuses,
    metadata: endpoint.metadata,
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}

export function messageOut(message: Message, payload: unknown = JSON.parse(message.payload)) {
  return {
    id: message.id,
    eventId: message.eventId,
    eventType: message.eventType,
    payload,
    channels: message.channels,
    timestamp: iso(message.createdAt),
  };
}

export function attemptOut(attempt: Attempt) {
  return {
    id: attempt.id,
    msgId: attempt.messageId,
    endpointId: attempt.endpointId,
    url: attempt.url,
    response: attempt.responseBody,
    responseStatusCode: attempt.statusCode ?? 0,
    responseDurationMs: attempt.durationMs,
    status: attempt.outcome === 'succeeded' ? 0 : 2,
    triggerType: attempt.trigger === 'scheduled' ? 0 : 1,
    error: attempt.error,
    /** A Hookline addition to Svix's shape: what was sent. */
    requestHeaders: attempt.requestHeaders,
    timestamp: iso(attempt.createdAt),
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

export function listOut<T, O>(page: { data: T[]; iterator: string | null; done: boolean }, map: (item: T) => O) {
  return { data: page.data.map(map), iterator: page.iterator, prevIterator: null, done: page.done };
}
