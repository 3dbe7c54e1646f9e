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

export interface ValidationIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** A 422 with the failing fields, answered in Svix's HTTPValidationError shape: `{code, detail: [{loc, msg, type}]}`. */
export class ValidationFailedError extends HttpError {
  constructor(readonly issues: ValidationIssue[]) {
    super(422, 'validation', issues.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; '));
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
