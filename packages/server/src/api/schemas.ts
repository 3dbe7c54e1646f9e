// JSON Schemas of what the API answers and of the pieces requests share. The routes enforce them at runtime
// (Fastify validates requests and serializes responses through them) and the OpenAPI document is built from them,
// so the documentation cannot drift from the behaviour. Field names follow the `svix` SDK's models.

import { PAYLOAD_FORMATS, SIGNATURE_SCHEMES } from '../engine/delivery-signing.js';
import { DELIVERY_ORDERINGS, ORDERING_ON_DEAD } from '../operations/endpoint-input.js';
import { stringMap } from '../operations/schemas.js';
import { payloadFilterSchema } from '../payload-filter/schema.js';

export const nullable = <T extends Record<string, unknown>>(schema: T & { type: string }) =>
  ({ ...schema, type: [schema.type, 'null'] }) as const;

export const dateTime = { type: 'string', format: 'date-time' } as const;
export const anyJson = {} as const;

/** An id or a uid in a path. */
export const pathId = { type: 'string', minLength: 1, maxLength: 256 } as const;

export const errorBody = {
  type: 'object',
  required: ['code', 'detail'],
  properties: { code: { type: 'string' }, detail: { type: 'string' } },
} as const;

/** Svix's HTTPValidationError, with our stable `code` beside it. */
export const validationErrorBody = {
  type: 'object',
  required: ['code', 'detail'],
  properties: {
    code: { type: 'string', const: 'validation' },
    detail: {
      type: 'array',
      items: {
        type: 'object',
        required: ['loc', 'msg', 'type'],
        properties: {
          loc: { type: 'array', items: { type: ['string', 'integer'] } },
          msg: { type: 'string' },
          type: { type: 'string' },
        },
      },
    },
  },
} as const;

export function listResponse(item: Record<string, unknown>) {
  return {
    type: 'object',
    required: ['data', 'iterator', 'done'],
    properties: {
      data: { type: 'array', items: item },
      iterator: { type: ['string', 'null'] },
      prevIterator: { type: ['string', 'null'] },
      done: { type: 'boolean' },
    },
  } as const;
}

export const applicationOutSchema = {
  type: 'object',
  required: ['id', 'name', 'metadata', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    uid: { type: ['string', 'null'] },
    name: { type: 'string' },
    rateLimit: { type: ['integer', 'null'] },
    throttleRate: { type: ['integer', 'null'] },
    metadata: stringMap,
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

const endpointCommonOut = {
  id: { type: 'string' },
  uid: { type: ['string', 'null'] },
  url: { type: 'string' },
  description: { type: 'string' },
  version: { type: 'integer' },
  filterTypes: { type: ['array', 'null'], items: { type: 'string' } },
  channels: { type: ['array', 'null'], items: { type: 'string' } },
  disabled: { type: 'boolean' },
  rateLimit: { type: ['integer', 'null'] },
  throttleRate: { type: ['integer', 'null'] },
  createdAt: dateTime,
  updatedAt: dateTime,
} as const;

export const endpointOutSchema = {
  type: 'object',
  required: ['id', 'url', 'description', 'version', 'metadata', 'createdAt', 'updatedAt'],
  properties: {
    ...endpointCommonOut,
    eventTypes: { type: ['array', 'null'], items: { type: 'string' } },
    disabledReason: { type: ['string', 'null'] },
    headerPrefix: { type: 'string', enum: ['webhook', 'svix'] },
    signatureScheme: { type: 'string', enum: SIGNATURE_SCHEMES },
    payloadFormat: { type: 'string', enum: PAYLOAD_FORMATS },
    ordering: { type: 'string', enum: DELIVERY_ORDERINGS },
    orderingOnDead: { type: 'string', enum: ORDERING_ON_DEAD },
    payloadFilter: payloadFilterSchema,
    retrySchedule: { type: ['array', 'null'], items: { type: 'number' } },
    nonRetryableStatuses: { type: ['string', 'null'] },
    metadata: stringMap,
  },
} as const;

/** A key of an ordered endpoint held by its dead head (Hookline extension). */
export const heldKeyOutSchema = {
  type: 'object',
  required: ['orderingKey', 'msgId', 'since', 'waiting'],
  properties: {
    orderingKey: { type: 'string', description: "The key ('' for messages published without one)." },
    msgId: { type: 'string', description: 'The dead head: resend it to release the key.' },
    since: dateTime,
    lastError: { type: ['string', 'null'] },
    lastStatusCode: { type: ['integer', 'null'] },
    waiting: { type: 'integer', description: 'Deliveries of the key waiting behind the head.' },
  },
} as const;

/** Svix's OperationalWebhookEndpointOut. */
export const operationalEndpointOutSchema = {
  type: 'object',
  required: ['id', 'url', 'description', 'metadata', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    uid: { type: ['string', 'null'] },
    url: { type: 'string' },
    description: { type: 'string' },
    disabled: { type: 'boolean' },
    filterTypes: { type: ['array', 'null'], items: { type: 'string' } },
    metadata: stringMap,
    rateLimit: { type: ['integer', 'null'] },
    throttleRate: { type: ['integer', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

/** Svix's MessageStatus: 0 success, 1 pending, 2 fail, 3 sending. */
export const messageStatus = { type: 'integer', enum: [0, 1, 2, 3, 4] } as const;
export const messageStatusText = {
  type: 'string',
  enum: ['success', 'pending', 'fail', 'sending', 'canceled'],
} as const;

export const messageEndpointOutSchema = {
  type: 'object',
  required: ['id', 'url', 'description', 'version', 'status', 'statusText', 'createdAt', 'updatedAt'],
  properties: {
    ...endpointCommonOut,
    status: messageStatus,
    statusText: messageStatusText,
    nextAttempt: nullable(dateTime),
  },
} as const;

export const endpointSecretOutSchema = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string' } },
} as const;

export const endpointHeadersOutSchema = {
  type: 'object',
  required: ['headers', 'sensitive'],
  properties: { headers: stringMap, sensitive: { type: 'array', items: { type: 'string' } } },
} as const;

export const endpointStatsSchema = {
  type: 'object',
  required: ['success', 'fail', 'pending', 'sending', 'canceled'],
  properties: {
    success: { type: 'integer' },
    fail: { type: 'integer' },
    pending: { type: 'integer' },
    sending: { type: 'integer' },
    canceled: { type: 'integer' },
  },
} as const;

export const eventTypeOutSchema = {
  type: 'object',
  required: ['name', 'description', 'archived', 'deprecated', 'createdAt', 'updatedAt'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    archived: { type: 'boolean' },
    deprecated: { type: 'boolean' },
    schemas: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
    featureFlag: { type: ['string', 'null'] },
    featureFlags: { type: ['array', 'null'], items: { type: 'string' } },
    groupName: { type: ['string', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export const messageOutSchema = {
  type: 'object',
  required: ['id', 'eventType', 'payload', 'timestamp'],
  properties: {
    id: { type: 'string' },
    eventId: { type: ['string', 'null'] },
    eventType: { type: 'string' },
    payload: {
      ...anyJson,
      description:
        'The payload as published; `{"expired": true}` (as Svix) once retention removed it: see payloadPrunedAt',
    },
    channels: { type: ['array', 'null'], items: { type: 'string' } },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    deliverAt: { type: ['string', 'null'], format: 'date-time' },
    orderingKey: { type: ['string', 'null'] },
    payloadPrunedAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description:
        'When retention (retention.payloadDays) removed the payload; null while it is kept. A pruned message still lists, with its attempts, and a resend of it answers 410 payload_expired.',
    },
    timestamp: dateTime,
  },
} as const;

export const messageAttemptOutSchema = {
  type: 'object',
  required: [
    'id',
    'msgId',
    'endpointId',
    'url',
    'response',
    'responseStatusCode',
    'responseDurationMs',
    'status',
    'statusText',
    'triggerType',
    'timestamp',
  ],
  properties: {
    id: { type: 'string' },
    msgId: { type: 'string' },
    endpointId: { type: 'string' },
    url: { type: 'string' },
    response: { type: 'string' },
    responseStatusCode: { type: 'integer' },
    responseDurationMs: { type: 'integer' },
    status: messageStatus,
    statusText: messageStatusText,
    /** Svix's MessageAttemptTriggerType: 0 scheduled, 1 manual. */
    triggerType: { type: 'integer', enum: [0, 1] },
    error: { type: ['string', 'null'] },
    /** A Hookline addition: the headers sent with this attempt (null for attempts recorded before they were kept). */
    requestHeaders: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    msg: { anyOf: [messageOutSchema, { type: 'null' }] },
    timestamp: dateTime,
  },
} as const;

export const deliveryOutSchema = {
  type: 'object',
  required: ['id', 'msgId', 'endpointId', 'status', 'attempts', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    msgId: { type: 'string' },
    endpointId: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'integer' },
    nextAttempt: nullable(dateTime),
    lastError: { type: ['string', 'null'] },
    lastStatusCode: { type: ['integer', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export const recoverOutSchema = {
  type: 'object',
  required: ['id', 'status', 'task', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['running', 'finished', 'failed'] },
    task: { type: 'string' },
    updatedAt: dateTime,
    recovered: { type: 'integer' },
  },
} as const;

export const emptyResponse = { type: 'null', description: 'no content' } as const;
