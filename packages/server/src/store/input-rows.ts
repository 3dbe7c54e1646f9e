// What a new or patched application, endpoint or event type, and a new message, is stored as: the same in both stores, so written once.
// A patch is merged here (a field absent from it keeps its value; null is a value to set), then written whole.
import { newId } from '../ids.js';
import type { ApplicationPatch, NewApplication } from './applications.js';
import type { EndpointPatch, NewEndpoint } from './endpoints.js';
import type { EventTypePatch, NewEventType } from './event-types.js';
import type { NewMessage } from './messages.js';
import {
  type ApplicationRow,
  type EndpointRow,
  type EventTypeRow,
  jsonOrNull,
  type MessageRow,
  sealedHeaders,
  sealedUrlColumns,
} from './rows.js';
import type { SecretBox } from './secret-box.js';

export function newApplicationRow(input: NewApplication, now: number): ApplicationRow {
  return {
    id: newId('app', now),
    uid: input.uid ?? null,
    name: input.name,
    rate_limit: input.rateLimit ?? null,
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    updated_at: now,
  };
}

export function patchedApplicationRow(current: ApplicationRow, patch: ApplicationPatch, now: number): ApplicationRow {
  return {
    ...current,
    uid: patch.uid === undefined ? current.uid : patch.uid,
    name: patch.name ?? current.name,
    rate_limit: patch.rateLimit === undefined ? current.rate_limit : patch.rateLimit,
    metadata: patch.metadata === undefined ? current.metadata : JSON.stringify(patch.metadata),
    updated_at: now,
  };
}

export function newEndpointRow(appId: string, input: NewEndpoint, now: number, box: SecretBox): EndpointRow {
  const id = newId('ep', now);
  return {
    id,
    app_id: appId,
    uid: input.uid ?? null,
    ...sealedUrlColumns(box, id, input.url),
    description: input.description ?? '',
    event_types: jsonOrNull(input.eventTypes ?? null),
    channels: jsonOrNull(input.channels ?? null),
    disabled: input.disabled === true ? 1 : 0,
    disabled_reason: input.disabled === true ? 'disabled by the API' : null,
    throttle_rate: input.throttleRate ?? null,
    header_prefix: input.headerPrefix ?? 'webhook',
    signature_scheme: input.signatureScheme ?? 'standard-webhooks',
    payload_format: input.payloadFormat ?? 'json',
    ordering: input.ordering ?? 'none',
    ordering_on_dead: input.orderingOnDead ?? 'skip',
    payload_filter: jsonOrNull(input.payloadFilter ?? null),
    retry_schedule: jsonOrNull(input.retrySchedule ?? null),
    non_retryable_statuses: input.nonRetryableStatuses ?? null,
    metadata: JSON.stringify(input.metadata ?? {}),
    headers: sealedHeaders(box, id, input.headers ?? {}),
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
}

/** `disabled` is not merged here: changing it parks or wakes deliveries, which each store does with the row. */
export function patchedEndpointRow(
  current: EndpointRow,
  patch: EndpointPatch,
  now: number,
  box: SecretBox,
): EndpointRow {
  return {
    ...current,
    uid: patch.uid === undefined ? current.uid : patch.uid,
    ...(patch.url === undefined ? {} : sealedUrlColumns(box, current.id, patch.url)),
    description: patch.description ?? current.description,
    event_types: patch.eventTypes === undefined ? current.event_types : jsonOrNull(patch.eventTypes),
    channels: patch.channels === undefined ? current.channels : jsonOrNull(patch.channels),
    throttle_rate: patch.throttleRate === undefined ? current.throttle_rate : patch.throttleRate,
    header_prefix: patch.headerPrefix ?? current.header_prefix,
    signature_scheme: patch.signatureScheme ?? current.signature_scheme,
    payload_format: patch.payloadFormat ?? current.payload_format,
    ordering: patch.ordering ?? current.ordering,
    ordering_on_dead: patch.orderingOnDead ?? current.ordering_on_dead,
    payload_filter: patch.payloadFilter === undefined ? current.payload_filter : jsonOrNull(patch.payloadFilter),
    retry_schedule: patch.retrySchedule === undefined ? current.retry_schedule : jsonOrNull(patch.retrySchedule),
    non_retryable_statuses:
      patch.nonRetryableStatuses === undefined ? current.non_retryable_statuses : patch.nonRetryableStatuses,
    metadata: patch.metadata === undefined ? current.metadata : JSON.stringify(patch.metadata),
    headers: patch.headers === undefined ? current.headers : sealedHeaders(box, current.id, patch.headers),
    updated_at: now,
  };
}

export function newEventTypeRow(input: NewEventType, now: number): EventTypeRow {
  return {
    name: input.name,
    description: input.description ?? '',
    schemas: jsonOrNull(input.schemas ?? null),
    archived: input.archived === true ? 1 : 0,
    deprecated: input.deprecated === true ? 1 : 0,
    feature_flag: input.featureFlag ?? null,
    group_name: input.groupName ?? null,
    created_at: now,
    updated_at: now,
  };
}

export function patchedEventTypeRow(current: EventTypeRow, patch: EventTypePatch, now: number): EventTypeRow {
  return {
    ...current,
    description: patch.description ?? current.description,
    schemas: patch.schemas === undefined ? current.schemas : jsonOrNull(patch.schemas),
    archived: patch.archived === undefined ? current.archived : patch.archived ? 1 : 0,
    deprecated: patch.deprecated === undefined ? current.deprecated : patch.deprecated ? 1 : 0,
    feature_flag: patch.featureFlag === undefined ? current.feature_flag : patch.featureFlag,
    group_name: patch.groupName === undefined ? current.group_name : patch.groupName,
    updated_at: now,
  };
}

export function newMessageRow(appId: string, input: NewMessage, now: number): MessageRow {
  return {
    id: newId('msg', now),
    app_id: appId,
    event_type: input.eventType,
    event_id: input.eventId ?? null,
    payload: input.payload,
    channels: jsonOrNull(input.channels ?? null),
    created_at: now,
    deliver_at: input.deliverAt ?? null,
    tags: jsonOrNull(input.tags ?? null),
    ordering_key: input.orderingKey ?? null,
  };
}
