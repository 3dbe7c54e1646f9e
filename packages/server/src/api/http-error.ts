// An error a route throws on purpose for what only HTTP knows (authentication, a URL too long, idempotency keys):
// it becomes `{code, detail}` with its status, in errors.ts. Refusals of business rules are the operations' errors.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}
