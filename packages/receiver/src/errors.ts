// Every way the receiver refuses a request is one of these classes, with a stable `code` and the HTTP status it is
// answered with. `respond.ts` turns them into `{ code, detail }` bodies in one place; a `detail` never holds a secret.

export type ReceiverErrorCode =
  | 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED'
  | 'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE'
  | 'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE'
  | 'HOOKLINE_RECEIVER_BODY_INCOMPLETE'
  | 'HOOKLINE_RECEIVER_MALFORMED_JSON'
  | 'HOOKLINE_RECEIVER_MALFORMED_FORM'
  | 'HOOKLINE_RECEIVER_MISSING_EVENT_TYPE'
  | 'HOOKLINE_RECEIVER_INVALID_PAYLOAD'
  | 'HOOKLINE_RECEIVER_ADDRESS_NOT_ALLOWED'
  | 'HOOKLINE_RECEIVER_RATE_LIMITED'
  | 'HOOKLINE_RECEIVER_UNHANDLED_EVENT'
  | 'HOOKLINE_RECEIVER_EVENT_REJECTED'
  | 'HOOKLINE_RECEIVER_EVENT_IN_PROGRESS'
  | 'HOOKLINE_RECEIVER_FORBIDDEN'
  | 'HOOKLINE_RECEIVER_NOT_FOUND'
  | 'HOOKLINE_RECEIVER_HANDLER_FAILED'
  | 'HOOKLINE_RECEIVER_STORE_UNAVAILABLE'
  | 'HOOKLINE_RECEIVER_BODY_ALREADY_PARSED'
  | 'HOOKLINE_RECEIVER_INVALID_CONFIGURATION'
  | 'HOOKLINE_RECEIVER_FETCH_BACK_UNAVAILABLE'
  | 'HOOKLINE_RECEIVER_FETCH_BACK_ADDRESS_REFUSED';

/** One problem a validator found in a payload, in the shape Standard Schema reports it. */
export interface ValidationIssue {
  message: string;
  path?: ReadonlyArray<string | number>;
}

export abstract class ReceiverError extends Error {
  abstract readonly code: ReceiverErrorCode;
  abstract readonly status: number;
  readonly detail: string;
  /** Extra response headers this refusal needs (`Allow`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(detail: string, headers: Readonly<Record<string, string>> = {}) {
    super(detail);
    this.detail = detail;
    this.headers = headers;
    this.name = new.target.name;
  }
}

export class MethodNotAllowedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED';
  readonly status = 405;
  constructor(method: string, allowed: readonly string[]) {
    super(`method ${method.slice(0, 16)} is not allowed here; use ${allowed.join(' or ')}`, {
      allow: allowed.join(', '),
    });
  }
}

export class UnsupportedMediaTypeError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
  constructor(received: string | undefined) {
    super(
      received === undefined
        ? 'a Content-Type header is required (application/json)'
        : `content type ${received.slice(0, 64)} is not accepted; send application/json`,
    );
  }
}

export class PayloadTooLargeError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE';
  readonly status = 413;
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`the body is larger than the limit of ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/** The client stopped sending before the body was complete. There is usually nobody left to answer. */
export class BodyIncompleteError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_BODY_INCOMPLETE';
  readonly status = 400;
  constructor() {
    super('the request body ended before it was complete');
  }
}

export class MalformedJsonError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_MALFORMED_JSON';
  readonly status = 400;
}

/** A form body (`application/x-www-form-urlencoded`) that is not UTF-8. */
export class MalformedFormError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_MALFORMED_FORM';
  readonly status = 400;
}

export class MissingEventTypeError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_MISSING_EVENT_TYPE';
  readonly status = 400;
}

export class InvalidPayloadError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_INVALID_PAYLOAD';
  readonly status = 422;
  readonly issues: readonly ValidationIssue[];
  constructor(type: string, issues: readonly ValidationIssue[]) {
    super(`the ${type.slice(0, 128)} payload does not match its schema`);
    this.issues = issues;
  }
}

export class AddressNotAllowedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_ADDRESS_NOT_ALLOWED';
  readonly status = 403;
  constructor(address: string | undefined) {
    super(address === undefined ? 'the client address is unknown' : `address ${address} is not in the allowlist`);
  }
}

export class RateLimitedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_RATE_LIMITED';
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`too many requests; retry in ${retryAfterSeconds}s`, { 'retry-after': String(retryAfterSeconds) });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Only when `unhandled: 'reject'`: no handler matches the event type. */
export class UnhandledEventError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_UNHANDLED_EVENT';
  readonly status = 422;
  constructor(type: string) {
    super(`no handler for event type ${type.slice(0, 128)}`);
  }
}

/**
 * The `check` hook (fetch-back) said the event is not genuine or not to be processed. The answer says only that;
 * `reason` (the check's own words) goes to `onRefused` and the event log, never to the sender.
 */
export class EventRejectedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_EVENT_REJECTED';
  readonly status = 422;
  readonly reason: string;
  readonly event: { id: string | undefined; type: string } | undefined;
  constructor(reason: string, event?: { id: string | undefined; type: string }) {
    super('the check refused this event');
    this.reason = reason;
    this.event = event;
  }
}

/** The same event id is being handled right now (a sender's retry overtook a slow handler): come back later. */
export class EventInProgressError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_EVENT_IN_PROGRESS';
  readonly status = 409;
  constructor(retryAfterSeconds: number) {
    super('this event id is being processed; retry later', { 'retry-after': String(retryAfterSeconds) });
  }
}

export class ForbiddenError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_FORBIDDEN';
  readonly status = 403;
}

export class NotFoundError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('no webhook endpoint at this path');
  }
}

/** A handler threw: 500, so the sender retries. The handler's own error goes to `onError`, never to the sender. */
export class HandlerFailedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_HANDLER_FAILED';
  readonly status = 500;
  constructor() {
    super('the event could not be processed; it will be accepted again when retried');
  }
}

/** The dedupe store or inbox did not answer: 503, so the sender retries. */
export class StoreUnavailableError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_STORE_UNAVAILABLE';
  readonly status = 503;
  constructor() {
    super('the event store is unavailable; retry later', { 'retry-after': '5' });
  }
}

/**
 * A body parser (express.json(), say) consumed the stream before the webhook middleware and kept no raw bytes.
 * Verifying re-serialized JSON would accept or reject the wrong bytes, so the receiver refuses to guess.
 */
export class BodyAlreadyParsedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_BODY_ALREADY_PARSED';
  readonly status = 500;
  constructor() {
    super(
      'the request body was parsed before the webhook middleware and its raw bytes are gone: mount the webhook ' +
        "route before express.json(), or use express.raw({ type: 'application/json' }) on it, or " +
        'express.json({ verify: keepRawBody })',
    );
  }
}

/** Thrown at construction when the options cannot work (an unparsable CIDR, a missing secret). */
export class InvalidConfigurationError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_INVALID_CONFIGURATION';
  readonly status = 500;
}

/**
 * The fetch-back could not decide (the provider's API is down, slow, rate-limits us, refuses our credentials, or
 * answered something unreadable). A failure, not a "no": the event is retried (by the sender, or the inbox).
 */
export class FetchBackUnavailableError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_FETCH_BACK_UNAVAILABLE';
  readonly status = 502;
}

/** The fetch-back URL's host is, or resolves to, an address the network policy refuses (loopback, private…). */
export class FetchBackAddressRefusedError extends ReceiverError {
  readonly code = 'HOOKLINE_RECEIVER_FETCH_BACK_ADDRESS_REFUSED';
  readonly status = 500;
  readonly address: string;
  constructor(address: string, reason: string, hostname?: string) {
    const via = hostname !== undefined && hostname !== address ? ` (resolved from ${hostname})` : '';
    super(`the fetch-back refused to connect to ${address}${via}: ${reason}; allow it with fetchBack network options`);
    this.address = address;
  }
}

export function isReceiverError(error: unknown): error is ReceiverError {
  return error instanceof ReceiverError;
}
