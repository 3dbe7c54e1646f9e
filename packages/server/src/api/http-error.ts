// An error a route throws on purpose: it becomes `{code, detail}` with its status, in errors.ts.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
