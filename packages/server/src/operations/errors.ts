// What the operations refuse, as errors with a stable `code`. The API answers the same code in its `{code, detail}`
// body (api/errors.ts maps the kind to a status), embedded mode throws these errors as they are, and the CLI prints
// the code the API answered: one code per refusal, whichever way in.
import { DuplicateEventIdError, DuplicateNameError, DuplicateUidError } from '../store/errors.js';

/** Where in the input a problem is, and what it is: Svix's HTTPValidationError items. */
export interface ValidationIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** invalid: the input breaks a rule (422); not_found: it names something that does not exist (404); conflict: it
 * collides with what exists (409); gone: what it asks for existed and was removed for good (410: a pruned payload). */
export type RefusalKind = 'invalid' | 'not_found' | 'conflict' | 'gone';

export class OperationError extends Error {
  constructor(
    readonly code: string,
    detail: string,
    readonly kind: RefusalKind,
    options?: { cause: unknown },
  ) {
    super(detail, options);
    this.name = 'OperationError';
  }
}

/** Input that breaks a field rule; `issues` say which fields (their loc is within the input, e.g. ['uid']). */
export class InvalidInputError extends OperationError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super('validation', issues.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; '), 'invalid');
    this.name = 'InvalidInputError';
  }
}

export function invalidField(loc: Array<string | number>, msg: string, type = 'value_error'): InvalidInputError {
  return new InvalidInputError([{ loc, msg, type }]);
}

export const notFound = (what: string) => new OperationError('not_found', `${what} not found`, 'not_found');

export const conflict = (detail: string, cause?: unknown) =>
  new OperationError('conflict', detail, 'conflict', cause === undefined ? undefined : { cause });

/** A message whose payload retention removed: it lists, but there is nothing to send again. */
export const payloadExpired = (messageId: string) =>
  new OperationError(
    'payload_expired',
    `the payload of message ${messageId} was removed by retention (retention.payloadDays): it cannot be sent again`,
    'gone',
  );

/** Runs a store write, turning its "already taken" errors (uid, name, eventId) into the conflict refusal. */
export async function refusingDuplicates<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (
      error instanceof DuplicateUidError ||
      error instanceof DuplicateNameError ||
      error instanceof DuplicateEventIdError
    ) {
      throw conflict(error.message, error);
    }
    throw error;
  }
}
