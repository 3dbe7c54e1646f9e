// The API's edge for what schemas cannot say (input/well-formed.ts). Twice, because ajv's coercion both makes bad
// values and hides them: it turns the query string "1e400" into Infinity past minimum and maximum (so every path
// parameter, query value and body is walked after validation), and it turns the body number 1e400 into the string
// "Infinity" where a string is expected (so the body as parsed is walked before validation too). The first bad value
// answers 422 in the validation shape.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findInputProblem } from '../input/well-formed.js';
import { ValidationFailedError } from './http-error.js';

/** Request parts in Svix's `loc` words, in the order they are checked. */
const PARTS = [
  ['params', 'path'],
  ['query', 'query'],
  ['body', 'body'],
] as const;

function refuseProblemIn(value: unknown, where: string): void {
  // Raw bytes (a route that takes the body unparsed) are not JSON: there is nothing here to check.
  if (value instanceof Uint8Array) return;
  const problem = findInputProblem(value);
  if (problem !== null) {
    throw new ValidationFailedError([{ loc: [where, ...problem.path], msg: problem.msg, type: problem.type }]);
  }
}

/** Routes that take raw bytes and answer every input themselves (a source's ingest URL, under its own policy). */
function answersForItself(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { rawIngest?: boolean } | undefined)?.rawIngest === true;
}

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (!answersForItself(request)) refuseProblemIn(request.body, 'body');
  });
  // preHandler: the first hook after validation, before any other preHandler (idempotency fingerprints the body).
  app.addHook('preHandler', async (request) => {
    if (answersForItself(request)) return;
    for (const [part, where] of PARTS) refuseProblemIn(request[part], where);
  });
}
