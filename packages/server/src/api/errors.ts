// The one place where errors become HTTP answers: always JSON `{ code, detail }`, never a stack trace, and a 500
// only for what is truly our fault.
import type { FastifyError, FastifyInstance } from 'fastify';

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

function codeOf(error: FastifyError): string {
  if (error.code !== undefined && FASTIFY_CODES[error.code] !== undefined) return FASTIFY_CODES[error.code] as string;
  // JSON.parse failures reach us as a SyntaxError with status 400 and no code.
  if (error instanceof SyntaxError) return 'invalid_json';
  return (error.code ?? 'bad_request').toLowerCase();
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { code: 'not_found', detail: `no route for ${request.method} ${request.url}` };
    return reply.code(404).send(body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      const body: ErrorBody = { code: 'internal_error', detail: 'internal server error' };
      return reply.code(status).send(body);
    }
    // Schema validation failures answer 422, as Svix does, with the failing fields.
    if (error.validation !== undefined) {
      return reply.code(422).send({
        code: 'validation',
        detail: error.message,
        errors: error.validation.map((issue) => ({ loc: issue.instancePath, msg: issue.message ?? 'invalid' })),
      });
    }
    const body: ErrorBody = { code: codeOf(error), detail: error.message };
    return reply.code(status).send(body);
  });
}
