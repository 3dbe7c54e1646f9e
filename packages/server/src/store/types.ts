// The records the store keeps, as the engine and the API see them (camelCase, times in epoch milliseconds).
import type { PayloadFilter } from '../payload-filter/language.js';

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  rateLimit: number | null;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export type HeaderPrefix = 'webhook' | 'svix';
/** How an endpoint's deliveries are signed (engine/delivery-signing.ts says what each sends). */
export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256' | 'github';
/** How an endpoint's deliveries carry the payload: JSON as published, or a form field (engine/delivery-signing.ts). */
export type PayloadFormat = 'json' | 'form';
/** Whether an endpoint's deliveries go one at a time per ordering key, in publish order (store/sqlite/ordering.ts). */
export type DeliveryOrdering = 'none' | 'fifo';
/** What an ordered endpoint does when the head of a key's line goes dead: send the next, or hold the key until replayed. */
export type OrderingOnDead = 'skip' | 'hold';

export interface Endpoint {
  id: string;
  appId: string;
  uid: string | null;
  /** Where deliveries go, with the credentials a broker URL holds (kept sealed at rest: endpoints.sealed_url). */
  url: string;
  /**
   * The URL as the API, the dashboard, the CLI and the logs show it: a broker password (or a NATS token) replaced by
   * ***. Kept in its own column, so showing an endpoint never needs the encryption key.
   */
  urlShown: string;
  description: string;
  /** Event types this endpoint receives; null = all. */
  eventTypes: string[] | null;
  /** Channels this endpoint receives; null = all messages. */
  channels: string[] | null;
  disabled: boolean;
  disabledReason: string | null;
  /** Deliveries per second; null = unlimited. */
  throttleRate: number | null;
  headerPrefix: HeaderPrefix;
  /** How deliveries are signed: Standard Webhooks (default), plain `X-Webhook-Signature`, or GitHub's header. */
  signatureScheme: SignatureScheme;
  /** The body's format: JSON as published (default), or a form with the JSON in its `payload` field. */
  payloadFormat: PayloadFormat;
  /** 'fifo': at most one delivery in flight per ordering key, in publish order; 'none' (default): no order. */
  ordering: DeliveryOrdering;
  /** For a 'fifo' endpoint: a dead head is skipped (default) or holds its key until it is replayed. */
  orderingOnDead: OrderingOnDead;
  /** Which payloads this endpoint receives (payload-filter/language.ts); null = every payload. */
  payloadFilter: PayloadFilter | null;
  /** Seconds between attempts after each failure; null = the server's default schedule. */
  retrySchedule: number[] | null;
  /** Statuses that fail for good, e.g. "4xx,!408,!429"; null = every failure is retried. */
  nonRetryableStatuses: string | null;
  metadata: Record<string, string>;
  /** Custom headers sent with every delivery to this endpoint (never the signature headers). */
  headers: Record<string, string>;
  /** Since when the endpoint has failed without a success in between; null when healthy. */
  failingSince: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A kind of event applications publish (`invoice.paid`); the name is its key. */
export interface EventType {
  name: string;
  description: string;
  /** JSON Schema of the payload per version: `{"1": {...}}`; null when payloads are not validated. */
  schemas: Record<string, unknown> | null;
  /** Archived types are hidden from lists by default; publishing them still works, as in Svix. */
  archived: boolean;
  deprecated: boolean;
  featureFlag: string | null;
  groupName: string | null;
  createdAt: number;
  updatedAt: number;
}

/** How many deliveries of one endpoint are in each state (Svix's EndpointStats). */
export interface EndpointStats {
  /** Delivered. */
  success: number;
  /** Dead: every attempt failed. */
  fail: number;
  /** Waiting for a first try or a retry (also while the endpoint is disabled). */
  pending: number;
  /** Leased by a worker right now. */
  sending: number;
}

export interface EndpointSecret {
  secret: string;
  /** null for the current secret; a rotated-out secret keeps signing until then. */
  expiresAt: number | null;
}

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  /** The payload exactly as it is sent: JSON text. */
  payload: string;
  channels: string[] | null;
  createdAt: number;
  /** When delivery was asked to start (Svix's deliverAt); null: at once. Its deliveries are not due before it. */
  deliverAt: number | null;
  /** The caller's labels (Svix's tags), to find messages by; never sent to endpoints. */
  tags: string[] | null;
  /** The message group for ordered endpoints (a customer id, an order id); null: the endpoint's one line. */
  orderingKey: string | null;
  /**
   * When retention removed the payload (`payload` is then ''); null while it is kept. Such a message still lists
   * with its deliveries and attempts, and cannot be sent again.
   */
  payloadPrunedAt: number | null;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'dead' | 'paused';

export interface Delivery {
  id: string;
  messageId: string;
  endpointId: string;
  appId: string;
  status: DeliveryStatus;
  /** The line it waits in when its endpoint was ordered at publish ('' for a message without a key); else null. */
  orderingKey: string | null;
  attempts: number;
  nextAttemptAt: number | null;
  leaseUntil: number | null;
  lastError: string | null;
  lastStatusCode: number | null;
  createdAt: number;
  updatedAt: number;
}

export type AttemptTrigger = 'scheduled' | 'manual';
export type AttemptOutcome = 'succeeded' | 'failed';

export interface Attempt {
  id: string;
  deliveryId: string;
  messageId: string;
  endpointId: string;
  appId: string;
  url: string;
  outcome: AttemptOutcome;
  trigger: AttemptTrigger;
  statusCode: number | null;
  /** The first 8 KiB of the response body. */
  responseBody: string;
  durationMs: number;
  error: string | null;
  /** The headers sent with the request (signature included); null when not recorded. */
  requestHeaders: Record<string, string> | null;
  createdAt: number;
}

/** An attempt with its message's event type, for views that filter or show by type. */
export interface AttemptWithEventType extends Attempt {
  eventType: string;
}

/** A claimed delivery with everything needed to send it, so the engine needs no second read. */
export interface ClaimedDelivery {
  delivery: Delivery;
  message: Message;
  endpoint: Endpoint;
  /** The endpoint's secrets that sign at the claim's time, newest first (the lease is seconds; a grace is hours). */
  secrets: EndpointSecret[];
  trigger: AttemptTrigger;
  /** Set when a stored value of the row could not be read: the engine records a failed attempt instead of sending. */
  problem?: string;
}

/** A key of an ordered endpoint whose head went dead while the endpoint holds dead heads: nothing of it is sent. */
export interface HeldKey {
  orderingKey: string;
  /** The dead head: replaying it (resend, recover) releases the key. */
  messageId: string;
  deliveryId: string;
  /** When the head went dead. */
  since: number;
  lastError: string | null;
  lastStatusCode: number | null;
  /** Deliveries waiting behind the head. */
  waiting: number;
}

export interface OperationalEvent {
  id: string;
  type: 'endpoint.disabled' | 'endpoint.enabled';
  appId: string;
  endpointId: string;
  reason: string;
  createdAt: number;
}
