// The one options object, and its resolution into what the pipeline uses, validated at construction so a bad
// option fails at start and not on the first request.
import {
  type BuiltInSchemeName,
  DEFAULT_TOLERANCE_SECONDS,
  type Scheme,
  type Secrets,
  schemes,
} from '@hookline/signatures';
import { DEFAULT_DEDUPE_LEASE_SECONDS, DEFAULT_DEDUPE_TTL_SECONDS, type DedupeStore } from './dedupe/dedupe-store.js';
import { MemoryDedupeStore } from './dedupe/memory.js';
import { InvalidConfigurationError } from './errors.js';
import type { CheckVerdict } from './fetch-back/answer.js';
import { DEFAULT_IDENTIFY, type IdentifyEvent, identifyByBodyType } from './identify.js';
import { DEFAULT_RETRY_DELAYS_SECONDS, type InboxStore } from './inbox/inbox-store.js';
import { createAddressMatcher, createClientAddressResolver, type TrustProxy } from './protect/address.js';
import { MemoryRateLimitStore, type RateLimitStore } from './protect/rate-limit-store.js';
import type { RateLimit } from './protect/token-bucket.js';
import { type ResolvedAcknowledge, type ResponsePolicy, resolveResponsePolicy } from './response-policy.js';
import type { EventMap, IncomingWebhookRequest, WebhookEvent } from './types.js';
import type { PayloadSchema } from './validate.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface RequestSource {
  /** The client address after `trustProxy`. */
  address: string | undefined;
  request: IncomingWebhookRequest;
}

/**
 * Runs before the handlers (e.g. `fetchBackCheck`: ask the provider's API whether the payment happened). `false`
 * or `{ accepted: false, reason }` rejects the event; a throw is a failure (the sender, or the inbox, retries).
 */
export type EventCheck = (event: WebhookEvent) => boolean | CheckVerdict | Promise<boolean | CheckVerdict>;

/** Signed requests: the scheme verifies the raw bytes with the secret before anything else. */
export interface SignedVerification {
  /** A built-in scheme by name, or any `Scheme` (e.g. `createHmacSha256({ header: 'X-Signature' })`). */
  scheme: BuiltInSchemeName | Scheme;
  /** One secret, or several during a rotation. */
  secret: Secrets;
}

/**
 * Unsigned callbacks (a payment gateway's `GET /paid?id=xyz`): there is no signature, so the `check` is the
 * verification, and it is required: an event is acted on only once the provider's own API has confirmed it.
 */
export interface UnsignedVerification {
  scheme: 'unsigned';
  secret?: undefined;
  check: EventCheck;
}

export type WebhooksOptions<M extends EventMap = EventMap> = WebhooksCommonOptions<M> &
  (SignedVerification | UnsignedVerification);

export interface WebhooksCommonOptions<M extends EventMap = EventMap> {
  /** For schemes that sign a timestamp. Default 300. */
  toleranceSeconds?: number;
  /** Where the event name and id come from. Default: the scheme's own convention (see identify.ts). */
  identify?: IdentifyEvent;
  /** Default 1 MiB. Reading stops at the limit (413). */
  maxBodyBytes?: number;
  /**
   * Accepted media types. Default `application/json` and any `application/*+json`; unsigned, also
   * `application/x-www-form-urlencoded`. A form body's fields are the payload; any other type is read as JSON.
   */
  contentTypes?: readonly string[];
  /**
   * Methods that carry events. Default `POST`; unsigned, `GET` and `POST`. A GET's query parameters are its
   * payload (and, for a signature scheme, its raw query string stands for the body).
   */
  methods?: readonly string[];
  /**
   * `honest` (default): each refusal with its status and code. `{ acknowledge: 'success' }`: every request is
   * answered 200 with that body once it is read, whatever happened (a throttled one excepted, see
   * `AcknowledgeOptions.throttled`); what happened goes to `onRefused`, `onError` and the event log.
   */
  respond?: ResponsePolicy;
  /** An event no handler matches: `accept` (default, 200 `{status:'unhandled'}`) or `reject` (422). */
  unhandled?: 'accept' | 'reject';
  /** Validators by event name: any Standard Schema v1 object, or a function (`jsonSchemaValidator(ajv.compile(…))`). */
  schemas?: { [K in Extract<keyof M, string>]?: PayloadSchema } & Record<string, PayloadSchema>;
  /** Default: an in-memory store (one process). `false` turns dedupe off. */
  dedupe?: DedupeStore | false;
  /** How long a handled id is remembered. Default 24 h. */
  dedupeTtlSeconds?: number;
  /** How long an in-progress claim lasts if its process dies. Default 60 s; keep it above your slowest handler. */
  dedupeLeaseSeconds?: number;
  /** CIDR ranges or addresses allowed to post (IPv4 and IPv6). Default: everyone. */
  allowlist?: readonly string[];
  /** Whom to believe about the client address (X-Forwarded-For). Default `false`: the socket peer only. */
  trustProxy?: TrustProxy;
  /** Token bucket per source (the client address unless `key` says otherwise); over it: 429 with Retry-After. */
  rateLimit?: RateLimit & { store?: RateLimitStore; key?: (source: RequestSource) => string };
  /**
   * `process-then-ack` (default): handlers run before the answer; a failure is a 500 and the sender retries.
   * `ack-then-process`: answer 202 once verified (and stored, with an inbox), then run the handlers.
   */
  mode?: 'process-then-ack' | 'ack-then-process';
  /** A durable inbox (SQLite or PostgreSQL): accepted events survive a crash; implies `ack-then-process`. */
  inbox?: {
    store: InboxStore;
    /** Delays between handler retries; after the last, the event is dead. Default 5 s, 30 s, 2 min, 10 min, 30 min. */
    retryDelaysSeconds?: readonly number[];
    /** How long a worker holds an event it runs; past it, another worker may take it. Default 60. */
    leaseSeconds?: number;
    /** How often the worker looks for due events when nothing nudges it. Default 1000. */
    pollIntervalMs?: number;
    /** Events taken per look. Default 10. */
    batchSize?: number;
    /** The inbox store failed (database down); the worker tries again at the next poll. Default: console.error. */
    onStoreError?: (error: unknown) => void;
  };
  /** See `EventCheck`; required with `scheme: 'unsigned'`. */
  check?: EventCheck;
  /** The recent-events log. `authorize` turns on the GET route on the webhook URL that serves it as JSON. */
  eventLog?: {
    /** Entries kept. Default 100; 0 turns the log off. */
    size?: number;
    authorize?: (request: IncomingWebhookRequest) => boolean | Promise<boolean>;
  };
  /** ms since the epoch. Default `Date.now`; inject in tests. */
  now?: () => number;
}

export interface ResolvedConfig {
  scheme: Scheme;
  /** No signature to verify: the check (required then) is the verification. */
  unsigned: boolean;
  secret: Secrets;
  toleranceSeconds: number;
  identify: IdentifyEvent;
  maxBodyBytes: number;
  isAcceptedContentType: (contentType: string | undefined) => boolean;
  /** Methods that carry events, uppercase. */
  methods: readonly string[];
  respond: ResolvedAcknowledge | undefined;
  unhandled: 'accept' | 'reject';
  schemas: ReadonlyMap<string, PayloadSchema>;
  dedupe: DedupeStore | undefined;
  dedupeTtlSeconds: number;
  dedupeLeaseSeconds: number;
  isAllowedAddress: ((address: string | undefined) => boolean) | undefined;
  clientAddress: (peer: string | undefined, forwardedFor: string | undefined) => string | undefined;
  rateLimit:
    | { limit: RateLimit; store: RateLimitStore; key: ((source: RequestSource) => string) | undefined }
    | undefined;
  mode: 'process-then-ack' | 'ack-then-process';
  inbox:
    | {
        store: InboxStore;
        retryDelaysSeconds: readonly number[];
        leaseSeconds: number;
        pollIntervalMs: number;
        batchSize: number;
        onStoreError: (error: unknown) => void;
      }
    | undefined;
  check: EventCheck | undefined;
  eventLogSize: number;
  authorizeEventLog: ((request: IncomingWebhookRequest) => boolean | Promise<boolean>) | undefined;
  now: () => number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidConfigurationError(`${name} must be a positive number`);
  return value;
}

function mediaTypeMatcher(
  accepted: readonly string[] | undefined,
  orForm: boolean,
): (contentType: string | undefined) => boolean {
  const list = accepted?.map((type) => type.toLowerCase());
  return (contentType) => {
    if (contentType === undefined) return false;
    const semicolon = contentType.indexOf(';');
    const media = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
    if (list !== undefined) return list.includes(media);
    if (orForm && media === 'application/x-www-form-urlencoded') return true;
    return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
  };
}

// Stands in for a signature scheme when there is none: it reads no header and accepts every body, because the
// check (required with it) is what verifies an unsigned callback.
const UNSIGNED_SCHEME: Scheme = {
  name: 'unsigned',
  sign: () => Promise.reject(new InvalidConfigurationError('an unsigned receiver signs nothing')),
  verify: () => Promise.resolve({ scheme: 'unsigned', id: undefined, timestamp: undefined }),
};

function resolveMethods(methods: readonly string[] | undefined, unsigned: boolean, eventLogOnGet: boolean): string[] {
  const list = (methods ?? (unsigned ? ['GET', 'POST'] : ['POST'])).map((method) => String(method).toUpperCase());
  if (list.length === 0 || list.some((method) => !/^[A-Z]+$/.test(method) || method === 'HEAD')) {
    throw new InvalidConfigurationError('methods must be a non-empty list of HTTP methods such as GET and POST');
  }
  if (eventLogOnGet && list.includes('GET')) {
    throw new InvalidConfigurationError(
      'GET cannot both carry callbacks and serve the event log: drop eventLog.authorize or GET from methods',
    );
  }
  return [...new Set(list)];
}

export function resolveConfig<M extends EventMap>(options: WebhooksOptions<M>): ResolvedConfig {
  if (typeof options !== 'object' || options === null) throw new InvalidConfigurationError('options are required');
  const unsigned = options.scheme === 'unsigned';
  if (unsigned) {
    if (typeof options.check !== 'function') {
      throw new InvalidConfigurationError(
        "scheme 'unsigned' has no signature to verify: a check is required (e.g. fetchBackCheck), which asks " +
          'the provider whether the event is real before any handler runs',
      );
    }
    if (options.secret !== undefined) {
      throw new InvalidConfigurationError("scheme 'unsigned' takes no secret; choose the sender's signature scheme");
    }
  }
  const scheme = unsigned
    ? UNSIGNED_SCHEME
    : typeof options.scheme === 'string'
      ? schemes[options.scheme as BuiltInSchemeName]
      : options.scheme;
  if (scheme === undefined || typeof scheme.verify !== 'function') {
    throw new InvalidConfigurationError(`unknown scheme ${String(options.scheme)}`);
  }
  if (!unsigned) {
    const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
    if (secrets.length === 0 || secrets.some((s) => s === undefined || s === null || s === '' || s.length === 0)) {
      throw new InvalidConfigurationError('a non-empty secret is required');
    }
  }
  const rateLimit = options.rateLimit;
  if (rateLimit !== undefined) {
    positive('rateLimit.capacity', rateLimit.capacity, 1);
    if (!(rateLimit.refillPerSecond >= 0))
      throw new InvalidConfigurationError('rateLimit.refillPerSecond must be >= 0');
  }
  const inbox = options.inbox;
  return {
    scheme,
    unsigned,
    secret: options.secret ?? '',
    toleranceSeconds: positive('toleranceSeconds', options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS),
    identify: options.identify ?? DEFAULT_IDENTIFY[scheme.name] ?? identifyByBodyType,
    maxBodyBytes: Math.floor(positive('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES)),
    isAcceptedContentType: mediaTypeMatcher(options.contentTypes, unsigned),
    methods: resolveMethods(options.methods, unsigned, options.eventLog?.authorize !== undefined),
    respond: resolveResponsePolicy(options.respond),
    unhandled: options.unhandled ?? 'accept',
    schemas: new Map(
      Object.entries(options.schemas ?? {}).filter((entry): entry is [string, PayloadSchema] => entry[1] !== undefined),
    ),
    dedupe:
      options.dedupe === false
        ? undefined
        : (options.dedupe ?? new MemoryDedupeStore({ now: options.now ?? Date.now })),
    dedupeTtlSeconds: positive('dedupeTtlSeconds', options.dedupeTtlSeconds, DEFAULT_DEDUPE_TTL_SECONDS),
    dedupeLeaseSeconds: positive('dedupeLeaseSeconds', options.dedupeLeaseSeconds, DEFAULT_DEDUPE_LEASE_SECONDS),
    isAllowedAddress: options.allowlist === undefined ? undefined : createAddressMatcher(options.allowlist),
    clientAddress: createClientAddressResolver(options.trustProxy ?? false),
    rateLimit:
      rateLimit === undefined
        ? undefined
        : {
            limit: { capacity: rateLimit.capacity, refillPerSecond: rateLimit.refillPerSecond },
            store: rateLimit.store ?? new MemoryRateLimitStore({ now: options.now ?? Date.now }),
            key: rateLimit.key,
          },
    mode: inbox !== undefined ? 'ack-then-process' : (options.mode ?? 'process-then-ack'),
    inbox:
      inbox === undefined
        ? undefined
        : {
            store: inbox.store,
            retryDelaysSeconds: inbox.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS,
            leaseSeconds: positive('inbox.leaseSeconds', inbox.leaseSeconds, 60),
            pollIntervalMs: positive('inbox.pollIntervalMs', inbox.pollIntervalMs, 1000),
            batchSize: Math.floor(positive('inbox.batchSize', inbox.batchSize, 10)),
            onStoreError:
              inbox.onStoreError ??
              ((error: unknown) =>
                console.error(
                  `hookline inbox: store error: ${error instanceof Error ? error.message : String(error)}`,
                )),
          },
    check: options.check,
    eventLogSize: options.eventLog?.size ?? 100,
    authorizeEventLog: options.eventLog?.authorize,
    now: options.now ?? Date.now,
  };
}
