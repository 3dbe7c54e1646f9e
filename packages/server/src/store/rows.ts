// Over 300 lines on purpose: one mapping per table (applications, endpoints, secrets, messages, deliveries,
// attempts, keys), kept together so a column's meaning is read in one place for both dialects.
// Row ↔ record mapping for both stores: the columns are the same on SQLite and PostgreSQL (JSON as text, 0/1 flags,
// epoch-millisecond integers, snake_case names), so each row type and its mapping are written once, here.

import { displayUrl } from '../engine/destinations/url-credentials.js';
import type { PayloadFilter } from '../payload-filter/language.js';
import { type SecretBox, sealContext } from './secret-box.js';
import type {
  Application,
  Attempt,
  AttemptWithEventType,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointStats,
  EventType,
  Message,
  OperationalEvent,
} from './types.js';

export interface ApplicationRow {
  id: string;
  uid: string | null;
  name: string;
  rate_limit: number | null;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface EndpointRow {
  id: string;
  app_id: string;
  uid: string | null;
  /** The URL as it may be shown (displayUrl); the whole URL when it holds no credential. */
  url: string;
  /** The URL with its credentials, sealed (see sealedUrlColumns); null when it holds none. */
  sealed_url: string | null;
  description: string;
  event_types: string | null;
  channels: string | null;
  disabled: number;
  disabled_reason: string | null;
  throttle_rate: number | null;
  header_prefix: 'webhook' | 'svix';
  signature_scheme: Endpoint['signatureScheme'];
  payload_format: Endpoint['payloadFormat'];
  ordering: Endpoint['ordering'];
  ordering_on_dead: Endpoint['orderingOnDead'];
  /** JSON text as the API accepted it (payload-filter/check.ts), or null: every payload. */
  payload_filter: string | null;
  retry_schedule: string | null;
  non_retryable_statuses: string | null;
  metadata: string;
  headers: string;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface EventTypeRow {
  name: string;
  description: string;
  schemas: string | null;
  archived: number;
  deprecated: number;
  feature_flag: string | null;
  group_name: string | null;
  created_at: number;
  updated_at: number;
}

export interface MessageRow {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string;
  channels: string | null;
  created_at: number;
  deliver_at: number | null;
  tags: string | null;
  ordering_key: string | null;
  /** Set when retention removed the payload (then ''); absent on a row being inserted. */
  payload_pruned_at?: number | null;
}

export interface DeliveryRow {
  id: string;
  message_id: string;
  endpoint_id: string;
  app_id: string;
  status: Delivery['status'];
  ordering_key: string | null;
  ordering_seq: number | null;
  attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  manual: number;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  updated_at: number;
}

export interface AttemptRow {
  id: string;
  delivery_id: string;
  message_id: string;
  endpoint_id: string;
  app_id: string;
  url: string;
  outcome: Attempt['outcome'];
  trigger: Attempt['trigger'];
  status_code: number | null;
  response_body: string;
  duration_ms: number;
  error: string | null;
  request_headers: string | null;
  created_at: number;
}

export interface OperationalEventRow {
  id: string;
  type: OperationalEvent['type'];
  app_id: string;
  endpoint_id: string;
  reason: string;
  created_at: number;
}

/** Reads one JSON column; `column` names it for a reader that reports instead of throwing (ClaimedDeliveries). */
export type JsonReader = <T>(text: string | null | undefined, column?: string) => T | null;

export const parseJson: JsonReader = <T>(text: string | null | undefined) =>
  text === null || text === undefined ? null : (JSON.parse(text) as T);

export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * A stored rate as a limit: a positive whole number, or null (none). Anything else (Infinity that SQLite kept before
 * the API refused it) reads as none, so one bad row can never make a list fail to serialize.
 */
function storedRate(value: number | null): number | null {
  return value !== null && Number.isSafeInteger(value) && value > 0 ? value : null;
}

export function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    uid: row.uid,
    name: row.name,
    rateLimit: storedRate(row.rate_limit),
    metadata: parseJson<Record<string, string>>(row.metadata) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * An endpoint as the API sees it. Its custom headers are decrypted when they are read, not when the row is: a list
 * or a read that does not show them (only GET …/headers does) answers even when one row's headers are sealed under
 * a key this server is not given; what does read them gets StoredSecretUnreadableError (503 `secret_unreadable`),
 * never a wrong or empty value. (The engine reads its endpoints through ClaimedDeliveries, which reports instead.)
 */
export function toEndpoint(row: EndpointRow, box: SecretBox): Endpoint {
  const endpoint = endpointFrom(row, parseJson, () => null);
  let headers: Record<string, string> | undefined;
  let url: string | undefined;
  return Object.defineProperties(endpoint, {
    headers: {
      enumerable: true,
      configurable: true,
      get: () => {
        headers ??=
          parseJson<Record<string, string>>(box.open(row.headers, sealContext('endpoints.headers', row.id))) ?? {};
        return headers;
      },
    },
    // A broker URL's credentials are opened the same way: the API shows urlShown, which needs no key.
    url: {
      enumerable: true,
      configurable: true,
      get: () => {
        url ??=
          row.sealed_url === null ? row.url : box.open(row.sealed_url, sealContext('endpoints.sealed_url', row.id));
        return url;
      },
    },
  });
}

/**
 * The url and sealed_url columns of a URL: a URL that holds a credential (a broker's password or a NATS token) is
 * kept whole only sealed (encrypted when the server has a key, bound to its endpoint), and url holds the form that
 * may be shown; a URL without one is url alone.
 */
export function sealedUrlColumns(
  box: SecretBox,
  endpointId: string,
  url: string,
): Pick<EndpointRow, 'url' | 'sealed_url'> {
  const shown = displayUrl(url);
  if (shown === url) return { url, sealed_url: null };
  return { url: shown, sealed_url: box.seal(url, sealContext('endpoints.sealed_url', endpointId)) };
}

/** Opens one sealed column; the reader of ClaimedDeliveries reports instead of throwing. */
export type SealedReader = (stored: string, context: string) => string | null;

/** The headers column as stored: JSON, sealed (encrypted when the server has a key) and bound to its endpoint. */
export function sealedHeaders(box: SecretBox, endpointId: string, headers: Record<string, string>): string {
  return box.seal(JSON.stringify(headers), sealContext('endpoints.headers', endpointId));
}

/** A signing secret as stored in endpoint_secrets. */
export function sealedSecret(box: SecretBox, endpointId: string, secret: string): string {
  return box.seal(secret, sealContext('endpoint_secrets.secret', endpointId));
}

/** A signing secret as read from endpoint_secrets; throws StoredSecretUnreadableError. */
export function openedSecret(box: SecretBox, endpointId: string, stored: string): string {
  return box.open(stored, sealContext('endpoint_secrets.secret', endpointId));
}

export function endpointFrom(row: EndpointRow, readJson: JsonReader, readSealed: SealedReader): Endpoint {
  return {
    id: row.id,
    appId: row.app_id,
    uid: row.uid,
    // Unreadable on a claim: the shown form, which no broker accepts, and the claim carries the problem.
    url:
      row.sealed_url === null
        ? row.url
        : (readSealed(row.sealed_url, sealContext('endpoints.sealed_url', row.id)) ?? row.url),
    urlShown: row.url,
    description: row.description,
    eventTypes: readJson<string[]>(row.event_types, 'event_types'),
    channels: readJson<string[]>(row.channels, 'channels'),
    disabled: row.disabled === 1,
    disabledReason: row.disabled_reason,
    throttleRate: storedRate(row.throttle_rate),
    headerPrefix: row.header_prefix,
    signatureScheme: row.signature_scheme,
    payloadFormat: row.payload_format,
    ordering: row.ordering ?? 'none',
    orderingOnDead: row.ordering_on_dead ?? 'skip',
    payloadFilter: readJson<PayloadFilter>(row.payload_filter, 'payload_filter'),
    retrySchedule: readJson<number[]>(row.retry_schedule, 'retry_schedule'),
    nonRetryableStatuses: row.non_retryable_statuses,
    metadata: readJson<Record<string, string>>(row.metadata, 'metadata') ?? {},
    headers:
      readJson<Record<string, string>>(readSealed(row.headers, sealContext('endpoints.headers', row.id)), 'headers') ??
      {},
    failingSince: row.failing_since,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toEventType(row: EventTypeRow): EventType {
  return {
    name: row.name,
    description: row.description,
    schemas: parseJson<Record<string, unknown>>(row.schemas),
    archived: row.archived === 1,
    deprecated: row.deprecated === 1,
    featureFlag: row.feature_flag,
    groupName: row.group_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMessage(row: MessageRow): Message {
  return messageFrom(row, parseJson);
}

export function messageFrom(row: MessageRow, readJson: JsonReader): Message {
  return {
    id: row.id,
    appId: row.app_id,
    eventType: row.event_type,
    eventId: row.event_id,
    payload: row.payload,
    channels: readJson<string[]>(row.channels, 'channels'),
    createdAt: row.created_at,
    deliverAt: row.deliver_at ?? null,
    tags: readJson<string[]>(row.tags, 'tags'),
    orderingKey: row.ordering_key ?? null,
    payloadPrunedAt: row.payload_pruned_at ?? null,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    appId: row.app_id,
    status: row.status,
    orderingKey: row.ordering_key ?? null,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An endpoint's deliveries counted per status, as its stats: the statuses still to end count as pending. */
export function toEndpointStats(rows: ReadonlyArray<{ status: DeliveryStatus; n: number }>): EndpointStats {
  const stats: EndpointStats = { success: 0, fail: 0, pending: 0, sending: 0 };
  for (const row of rows) {
    if (row.status === 'succeeded') stats.success += row.n;
    else if (row.status === 'dead') stats.fail += row.n;
    else if (row.status === 'sending') stats.sending += row.n;
    else stats.pending += row.n;
  }
  return stats;
}

export function toAttempt(row: AttemptRow): Attempt {
  return {
    id: row.id,
    deliveryId: row.delivery_id,
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    appId: row.app_id,
    url: row.url,
    outcome: row.outcome,
    trigger: row.trigger,
    statusCode: row.status_code,
    responseBody: row.response_body,
    durationMs: row.duration_ms,
    error: row.error,
    requestHeaders: row.request_headers === null ? null : (JSON.parse(row.request_headers) as Record<string, string>),
    createdAt: row.created_at,
  };
}

export function toOperationalEvent(row: OperationalEventRow): OperationalEvent {
  return {
    id: row.id,
    type: row.type,
    appId: row.app_id,
    endpointId: row.endpoint_id,
    reason: row.reason,
    createdAt: row.created_at,
  };
}

/** Recent attempts as both stores read them: a tail (after a cursor) comes oldest first, else newest first reversed. */
export function toRecentAttempts(
  rows: ReadonlyArray<AttemptRow & { event_type: string }>,
  tail: boolean,
): AttemptWithEventType[] {
  const attempts = rows.map((row) => ({ ...toAttempt(row), eventType: row.event_type }));
  return tail ? attempts : attempts.reverse();
}
