// Store errors the API maps to HTTP answers.
import type { LiveIdempotencyRecord } from './idempotency.js';

export class DuplicateEventIdError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_EVENT_ID';
  constructor(readonly eventId: string) {
    super(`an event with eventId ${JSON.stringify(eventId)} was already accepted for this application`);
  }
}

export class DuplicateUidError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_UID';
  constructor(readonly uid: string) {
    super(`uid ${JSON.stringify(uid)} is already taken`);
  }
}

export class DuplicateNameError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_NAME';
  constructor(readonly taken: string) {
    super(`${JSON.stringify(taken)} already exists`);
  }
}

/**
 * A write carrying its idempotent answer (AnswerWithWrite) found a live record for its key, caller and path made by
 * another request that committed first: the write was undone, and `record` is what the caller is answered from.
 */
export class IdempotencyKeyTakenError extends Error {
  readonly code = 'HOOKLINE_IDEMPOTENCY_KEY_TAKEN';
  constructor(readonly record: LiveIdempotencyRecord) {
    super('a request with this Idempotency-Key committed first');
  }
}

/** Thrown at once while the database is known not to answer (see postgres/watched-pool.ts). */
export class StoreUnavailableError extends Error {
  readonly code = 'HOOKLINE_STORE_UNAVAILABLE';
  constructor() {
    super('the database does not answer; statements fail at once until it does');
  }
}

/**
 * Codes and messages that mean the database cannot be reached or is restarting (PostgreSQL's connection and
 * shutdown classes 08 and 57P, socket errors, pg's pool timeouts, SQLite busy past its timeout): the request may
 * well succeed if retried, so the API answers 503 with Retry-After instead of 500.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  'SQLITE_BUSY',
  'HOOKLINE_STORE_UNAVAILABLE',
]);
const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout/i;

export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

/**
 * A write that named a row which is gone (PostgreSQL's foreign_key_violation, SQLite's FOREIGN KEY constraint): the
 * lookup before it found the row, and a request running beside it deleted it before the write. The caller's doing
 * (or its neighbour's), not a bug: the API answers 404, as it would have a moment later.
 */
export function isMissingReference(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
