// What an endpoint input may say (Svix's EndpointIn, with our older field names as aliases), turned into the
// store's patch: the URL through the SSRF guard's check, a uid that is not an id, a retry schedule and a status
// policy the engine can evaluate, custom headers Hookline does not set itself, a signature scheme and body format,
// a payload filter in the language payload-filter/ accepts.
// The signing key's rules are signing-keys.ts's.
import { PAYLOAD_FORMATS, SIGNATURE_SCHEMES } from '../engine/delivery-signing.js';
import { validateSchedule } from '../engine/retry-policy.js';
import { InvalidStatusPolicyError, parseStatusPolicy } from '../engine/status-policy.js';
import { findFilterProblem } from '../payload-filter/check.js';
import type { PayloadFilter } from '../payload-filter/language.js';
import { payloadFilterSchema } from '../payload-filter/schema.js';
import type { EndpointPatch } from '../store/store.js';
import type { DeliveryOrdering, OrderingOnDead, PayloadFormat, SignatureScheme } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { checkCustomHeaders, headersInSchema } from './endpoint-headers.js';
import { invalidField, OperationError } from './errors.js';
import { stringMap, uidSchema } from './schemas.js';
import { KEY_TYPES, type KeyType } from './signing-keys.js';

const stringList = {
  type: ['array', 'null'],
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;
const rate = { type: ['integer', 'null'], minimum: 1, maximum: 100000 } as const;
export const DELIVERY_ORDERINGS: readonly DeliveryOrdering[] = ['none', 'fifo'];
export const ORDERING_ON_DEAD: readonly OrderingOnDead[] = ['skip', 'hold'];

const endpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  description: { type: 'string', maxLength: 1024 },
  uid: uidSchema,
  version: { type: ['integer', 'null'], minimum: 1, maximum: 1000 },
  eventTypes: stringList,
  filterTypes: stringList,
  channels: { ...stringList, maxItems: 10 },
  disabled: { type: 'boolean' },
  throttleRate: rate,
  rateLimit: rate,
  headerPrefix: { type: 'string', enum: ['webhook', 'svix'] },
  signatureScheme: { type: 'string', enum: SIGNATURE_SCHEMES },
  payloadFormat: { type: 'string', enum: PAYLOAD_FORMATS },
  ordering: {
    type: 'string',
    enum: DELIVERY_ORDERINGS,
    description:
      "Hookline extension. fifo: one delivery in flight per ordering key (the message's orderingKey; none: one " +
      'line for the endpoint), sent in publish order, the next once the previous is delivered or dead. none: default.',
  },
  orderingOnDead: {
    type: 'string',
    enum: ORDERING_ON_DEAD,
    description:
      "Hookline extension, for fifo endpoints: when a key's head goes dead, skip it (default) or hold the key until " +
      'the head is replayed (resend or recover); held keys are listed at .../endpoint/{id}/ordering/held.',
  },
  payloadFilter: payloadFilterSchema,
  retrySchedule: { type: ['array', 'null'], maxItems: 50, items: { type: 'number' } },
  nonRetryableStatuses: { type: ['string', 'null'], maxLength: 256 },
  metadata: stringMap,
  headers: { ...headersInSchema, type: ['object', 'null'] },
  secret: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
  keyType: { type: 'string', enum: KEY_TYPES },
} as const;

export const endpointInSchema = { type: 'object', required: ['url'], properties: endpointFields } as const;
export const endpointPatchInSchema = { type: 'object', properties: endpointFields } as const;

/** An endpoint as callers describe it; it has passed endpointInSchema (or endpointPatchInSchema). */
export interface EndpointInput {
  url?: string;
  description?: string;
  uid?: string | null;
  /** Accepted and ignored, as Svix's SDKs send it. */
  version?: number | null;
  eventTypes?: string[] | null;
  /** Svix's name for eventTypes. */
  filterTypes?: string[] | null;
  channels?: string[] | null;
  disabled?: boolean;
  throttleRate?: number | null;
  /** Svix's older name for throttleRate. */
  rateLimit?: number | null;
  headerPrefix?: 'webhook' | 'svix';
  /** standard-webhooks (default), hmac-sha256 (`X-Webhook-Signature: sha256=…`) or github (`X-Hub-Signature-256`). */
  signatureScheme?: SignatureScheme;
  /** json (default) or form (`application/x-www-form-urlencoded`, the JSON in the field `payload`). */
  payloadFormat?: PayloadFormat;
  /** fifo: one delivery in flight per ordering key, in publish order; none (default). */
  ordering?: DeliveryOrdering;
  /** For fifo endpoints: a dead head is skipped (default) or holds its key until replayed. */
  orderingOnDead?: OrderingOnDead;
  /** Which payloads the endpoint receives (payload-filter/language.ts); null or {}: every payload. */
  payloadFilter?: Record<string, unknown> | null;
  retrySchedule?: number[] | null;
  nonRetryableStatuses?: string | null;
  metadata?: Record<string, string>;
  headers?: Record<string, string> | null;
  /** The signing key (`whsec_` or `whsk_`); absent or null: one is generated, of `keyType`. */
  secret?: string | null;
  /** The kind of key generated when no secret is given: hmac (`whsec_`, default) or ed25519 (`whsk_`). */
  keyType?: KeyType;
}

/** The fields the input sets, under the store's names, each checked against its rule. */
export function endpointPatchOf(context: OperationsContext, input: EndpointInput): EndpointPatch {
  const patch: EndpointPatch = {};
  if (input.url !== undefined) {
    const verdict = context.checkEndpointUrl(input.url);
    if (!verdict.ok) throw new OperationError(verdict.code, verdict.detail, 'invalid');
    patch.url = verdict.url.toString();
  }
  if (input.description !== undefined) patch.description = input.description;
  if (input.uid !== undefined) {
    if (typeof input.uid === 'string' && input.uid.startsWith('ep_')) {
      throw invalidField(['uid'], 'a uid may not start with ep_ (ids do)');
    }
    patch.uid = input.uid;
  }
  const eventTypes = input.eventTypes !== undefined ? input.eventTypes : input.filterTypes;
  if (eventTypes !== undefined) patch.eventTypes = eventTypes === null || eventTypes.length === 0 ? null : eventTypes;
  if (input.channels !== undefined) {
    patch.channels = input.channels === null || input.channels.length === 0 ? null : input.channels;
  }
  if (input.disabled !== undefined) patch.disabled = input.disabled;
  const throttleRate = input.throttleRate !== undefined ? input.throttleRate : input.rateLimit;
  if (throttleRate !== undefined) patch.throttleRate = throttleRate;
  if (input.headerPrefix !== undefined) patch.headerPrefix = input.headerPrefix;
  if (input.signatureScheme !== undefined) patch.signatureScheme = input.signatureScheme;
  if (input.payloadFormat !== undefined) patch.payloadFormat = input.payloadFormat;
  if (input.ordering !== undefined) patch.ordering = input.ordering;
  if (input.orderingOnDead !== undefined) patch.orderingOnDead = input.orderingOnDead;
  if (input.payloadFilter !== undefined) patch.payloadFilter = checkedPayloadFilter(input.payloadFilter);
  if (input.retrySchedule !== undefined) {
    if (input.retrySchedule !== null) {
      const problem = validateSchedule(input.retrySchedule);
      if (problem !== null) throw invalidField(['retrySchedule'], problem);
    }
    patch.retrySchedule = input.retrySchedule;
  }
  if (input.nonRetryableStatuses !== undefined) {
    // Stored only once it parses: the engine evaluates it on every failed attempt and must never meet one it cannot.
    if (input.nonRetryableStatuses !== null) {
      try {
        parseStatusPolicy(input.nonRetryableStatuses);
      } catch (error) {
        if (error instanceof InvalidStatusPolicyError) throw invalidField(['nonRetryableStatuses'], error.message);
        throw error;
      }
    }
    patch.nonRetryableStatuses = input.nonRetryableStatuses;
  }
  if (input.metadata !== undefined) patch.metadata = input.metadata;
  if (input.headers !== undefined) patch.headers = input.headers === null ? {} : checkCustomHeaders(input.headers);
  return patch;
}

/** What PUT writes: the input's fields, and every field it leaves out back at its default. */
export function replacementOf(patch: EndpointPatch): EndpointPatch {
  return {
    ...(patch.url === undefined ? {} : { url: patch.url }),
    description: patch.description ?? '',
    uid: patch.uid ?? null,
    eventTypes: patch.eventTypes ?? null,
    channels: patch.channels ?? null,
    disabled: patch.disabled ?? false,
    throttleRate: patch.throttleRate ?? null,
    headerPrefix: patch.headerPrefix ?? 'webhook',
    signatureScheme: patch.signatureScheme ?? 'standard-webhooks',
    payloadFormat: patch.payloadFormat ?? 'json',
    ordering: patch.ordering ?? 'none',
    orderingOnDead: patch.orderingOnDead ?? 'skip',
    payloadFilter: patch.payloadFilter ?? null,
    retrySchedule: patch.retrySchedule ?? null,
    nonRetryableStatuses: patch.nonRetryableStatuses ?? null,
    metadata: patch.metadata ?? {},
    ...(patch.headers === undefined ? {} : { headers: patch.headers }),
  };
}

/**
 * A payload filter as stored: null for none (an empty filter matches everything, so it is none too), or a filter
 * the language accepts; otherwise a 422 whose loc points at the bad part (`payloadFilter.$or.1.data.amount.$gt`).
 */
export function checkedPayloadFilter(filter: Record<string, unknown> | null): PayloadFilter | null {
  if (filter === null || Object.keys(filter).length === 0) return null;
  const problem = findFilterProblem(filter);
  if (problem !== null)
    throw invalidField(['payloadFilter', ...problem.loc], problem.msg, 'value_error.payload_filter');
  return filter as PayloadFilter;
}
