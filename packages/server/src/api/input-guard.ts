// The API's edge for what schemas cannot say (input/well-formed.ts): after Fastify has parsed and validated a
// request, and so after ajv's coercion (which turns "1e400" into Infinity past minimum and maximum), every path
// parameter, query value and body is walked once; the first bad value answers 422 in the validation shape.
import type { FastifyInstance } from 'fastify';
import { findInputProblem } from '../input/well-formed.js';
import { ValidationFailedError } from './http-error.js';

/** Request parts in Svix's `loc` words, in the order they are checked. */
const PARTS = [
  ['params', 'path'],
  ['query', 'query'],
  ['body', 'body'],
] as const;

export function installInputGuard(app: FastifyInstance): void {
  // preHandler: the first hook after validation, before any other preHandler (idempotency fingerprints the body).
  app.addHook('preHandler', async (request) => {
    for (const [part, where] of PARTS) {
      const value = request[part];
      // Raw bytes (a route that takes the body unparsed) are not JSON: there is nothing here to check.
      if (value instanceof Uint8Array) continue;
      const problem = findInputProblem(value);
      if (problem !== null) {
        throw new ValidationFailedError([{ loc: [where, ...problem.path], msg: problem.msg, type: problem.type }]);
      }
    }
  });
}
