// An error a route throws on purpose for what only HTTP knows (authentication, a URL too long, idempotency keys):
// it becomes `{code, detail}` with its status, in errors.ts. Refusals of business rules are the operations' errors.
import type { ValidationIssue } from '../operations/errors.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * A 422 for what the HTTP edge finds (the input guard: a path, query or body value no schema can refuse), its
 * issues located in the request (`loc` starts with path, query or body). Refusals by the operations' rules are
 * their InvalidInputError, located within the body.
 */
export class ValidationFailedError extends HttpError {
  constructor(readonly issues: ValidationIssue[]) {
    super(422, 'validation', issues.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; '));
  }
}
