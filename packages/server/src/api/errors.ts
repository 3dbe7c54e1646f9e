// The one place where errors become HTTP answers: always JSON `{ code, detail }`, never a stack trace, and a 500
// only for what is truly our fault. Validation failures answer 422 in Svix's HTTPValidationError shape
// (`detail: [{loc, msg, type}]`, which the Svix SDKs parse) with our `code` beside it.

import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInputError, OperationError, type ValidationIssue } from '../operations/errors.js';
import { issueOf } from '../operations/input-schema.js';
import {
  DuplicateEventIdError,
  DuplicateNameError,
  DuplicateUidError,
  IdempotencyKeyTakenError,
  isMissingReference,
  isStoreUnavailable,
} from '../store/errors.js';
import { StoredSecretUnreadableError } from '../store/secret-box.js';
import { BODY_LIMIT_BYTES } from './body-limit.js';
import { HttpError, ValidationFailedError } from './http-error.js';
import { answerKeyTaken } from './idempotency.js';

export interface ErrorBody {
  code: string;
  detail: string;
}

/** Fastify's own error codes, renamed to the stable codes our API documents. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'validation',
};

/** Where a request part is, in Svix's `loc` words. */
const LOCATIONS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function codeOf(error: FastifyError): string {
  if (error.code !== undefined && FASTIFY_CODES[error.code] !== undefined) return FASTIFY_CODES[error.code] as string;
  // JSON.parse failures reach us as a SyntaxError with status 400 and no code.
  if (error instanceof SyntaxError) return 'invalid_json';
  return (error.code ?? 'bad_request').toLowerCase();
}

function issuesOf(error: FastifyError): ValidationIssue[] {
  const where = LOCATIONS[error.validationContext ?? 'body'] ?? 'body';
  return (error.validation ?? []).map((issue) => issueOf(issue as ErrorObject, [where]));
}

/** How a refusal of the operations is answered. */
const STATUS_OF: Record<OperationError['kind'], number> = {
  invalid: 422,
  not_found: 404,
  conflict: 409,
  gone: 410,
};

/**
 * How a refusal of the operations is answered, status and body. `at` is where the refused input sits in the request
 * body (a batch's `['messages', 3]`): an issue's loc is within its input, and Svix's loc starts at the request.
 */
export function refusalAnswer(
  error: OperationError,
  at: ReadonlyArray<string | number> = [],
): { status: number; body: { code: string; detail: string | ValidationIssue[] } } {
  if (error instanceof InvalidInputError) {
    const detail = error.issues.map((issue) => ({ ...issue, loc: ['body', ...at, ...issue.loc] }));
    return { status: 422, body: { code: error.code, detail } };
  }
  return { status: STATUS_OF[error.kind], body: { code: error.code, detail: error.message } };
}

/** Fastify's words for a refused body, with what to do instead: the limit, the content type the API reads. */
function detailOf(error: FastifyError, contentType: string | undefined): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return `the request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes (${BODY_LIMIT_BYTES / 1024 / 1024} MiB)`;
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    // curl -d sends application/x-www-form-urlencoded unless told otherwise: the most common way to land here.
    const given = contentType === undefined ? 'no content-type' : `content-type ${JSON.stringify(contentType)}`;
    return `the body was sent with ${given}; the API reads JSON: send the header content-type: application/json (curl: -H 'content-type: application/json')`;
  }
  return error.message;
}

/** Store errors that are the caller's doing: a name or id already taken. */
function conflictOf(error: unknown): ErrorBody | null {
  if (
    error instanceof DuplicateUidError ||
    error instanceof DuplicateNameError ||
    error instanceof DuplicateEventIdError
  ) {
    return { code: 'conflict', detail: error.message };
  }
  return null;
}

/** The error behind a 5xx, for its log line once the answer is sent. */
const failures = new WeakMap<FastifyRequest, Error>();

/**
 * An error as it is logged: its class, code, message (bounded) and stack frames. Not the whole object: a driver's
 * error can carry the failing row's values (pg's `detail`, `where`), which may be a customer's data.
 */
function describeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  return {
    type: error.constructor.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message.slice(0, 300),
    stack: frames.slice(0, 12).join('\n'),
  };
}

/**
 * A client whose server URL already ends in /api/v1 (an SDK's serverUrl, HOOKLINE_URL) asks for /api/v1/api/v1/…:
 * say so, or the newcomer goes looking for a wrong id.
 */
function doubledPrefixHint(url: string): string {
  return url.startsWith('/api/v1/api/v1/') || url === '/api/v1/api/v1'
    ? ': the path has /api/v1 twice; give the client the server address without /api/v1 (e.g. http://127.0.0.1:8080)'
    : '';
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      code: 'not_found',
      detail: `no route for ${request.method} ${request.url.slice(0, 256)}${doubledPrefixHint(request.url)}`,
    };
    return reply.code(404).send(body);
  });

  // One line per 5xx, whichever way it came (our handler, a serializer failure, a hook), with the request id the
  // client got in x-request-id. Only what the error says about itself: never the body, the query, the headers.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode < 500) return;
    const error = failures.get(request);
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      // Under `error`, not `err`: pino's err serializer would write the whole object back.
      ...(error === undefined ? {} : { error: describeError(error) }),
    };
    if (reply.statusCode === 503) request.log.warn(line, 'request answered 503');
    else request.log.error(line, 'request failed');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const keyTaken = error instanceof IdempotencyKeyTakenError ? answerKeyTaken(request, reply, error.record) : null;
    if (keyTaken instanceof HttpError) {
      const body: ErrorBody = { code: keyTaken.code, detail: keyTaken.message };
      return reply.code(keyTaken.statusCode).send(body);
    }
    if (keyTaken !== null) return keyTaken;
    const conflict = conflictOf(error);
    if (conflict !== null) return reply.code(409).send(conflict);
    if (error instanceof ValidationFailedError) {
      return reply.code(422).send({ code: error.code, detail: error.issues });
    }
    if (error instanceof OperationError) {
      const { status, body } = refusalAnswer(error);
      return reply.code(status).send(body);
    }
    // Request schema failures answer 422, as Svix does, with the failing fields.
    if (error.validation !== undefined) {
      return reply.code(422).send({ code: 'validation', detail: issuesOf(error) });
    }
    if (isMissingReference(error)) {
      const body: ErrorBody = {
        code: 'not_found',
        detail: 'what this request refers to was deleted while it ran',
      };
      return reply.code(404).send(body);
    }
    if (isStoreUnavailable(error)) {
      failures.set(request, error);
      const body: ErrorBody = {
        code: 'store_unavailable',
        detail: 'the database cannot be reached now; retry shortly',
      };
      return reply.code(503).header('retry-after', '1').send(body);
    }
    if (error instanceof StoredSecretUnreadableError) {
      // The server's configuration, not the request: a key the stored value was written with is not given. Logged
      // like every 5xx; the detail names the key id and the setting (never a key or a value).
      failures.set(request, error);
      const body: ErrorBody = { code: 'secret_unreadable', detail: error.message };
      return reply.code(503).send(body);
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      failures.set(request, error);
      const body: ErrorBody = { code: 'internal_error', detail: 'internal server error' };
      return reply.code(status).send(body);
    }
    const body: ErrorBody = { code: codeOf(error), detail: detailOf(error, request.headers['content-type']) };
    return reply.code(status).send(body);
  });
}
