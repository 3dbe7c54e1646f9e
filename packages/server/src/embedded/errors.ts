// What embedded use refuses, as typed errors with stable codes (the HTTP API answers the same cases with 4xx).

export type EmbeddedErrorCode =
  | 'HOOKLINE_APPLICATION_NOT_FOUND'
  | 'HOOKLINE_INVALID_EVENT_TYPE'
  | 'HOOKLINE_INVALID_PAYLOAD'
  | 'HOOKLINE_INVALID_DELIVER_AT'
  | 'HOOKLINE_UNKNOWN_EVENT_TYPE'
  | 'HOOKLINE_INVALID_ENDPOINT_URL'
  | 'HOOKLINE_CLOSED';

export class EmbeddedError extends Error {
  constructor(
    readonly code: EmbeddedErrorCode,
    detail: string,
  ) {
    super(detail);
  }
}
