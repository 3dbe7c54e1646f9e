// The raw body in Express, the number-one trap with webhook verifiers: once express.json() has parsed the body
// the bytes are gone, and JSON.stringify(req.body) is not them (key order, spacing, unicode escapes, a BOM).
// So: use the bytes express.raw() or a `verify: keepRawBody` hook kept, else read the stream if nobody has, else
// refuse clearly. Never re-serialize.
import type { IncomingMessage } from 'node:http';
import { BodyAlreadyParsedError } from '../../errors.js';
import { readNodeBody } from '../node/read-body.js';

/** An Express request, as far as the raw body goes. */
export type ExpressRequestLike = IncomingMessage & { body?: unknown; rawBody?: unknown };

/**
 * For `express.json({ verify: keepRawBody })`: keeps the exact bytes on `req.rawBody`, so the webhook route
 * works even where express.json() runs app-wide.
 */
export function keepRawBody(request: IncomingMessage, _response: unknown, buffer: Buffer): void {
  (request as ExpressRequestLike).rawBody = buffer;
}

export function readExpressBody(request: ExpressRequestLike, limitBytes: number): Promise<Uint8Array> {
  if (request.rawBody instanceof Uint8Array) return Promise.resolve(request.rawBody);
  if (request.body instanceof Uint8Array) return Promise.resolve(request.body);
  // readableEnded: a parser read the stream to its end; body !== undefined: it left something else in its place.
  if (request.readableEnded || (request.body !== undefined && !isEmptyObject(request.body))) {
    return Promise.reject(new BodyAlreadyParsedError());
  }
  return readNodeBody(request, limitBytes);
}

// Some middleware stacks set `req.body = {}` without reading anything (the stream is then still unread).
function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
