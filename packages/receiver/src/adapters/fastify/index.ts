// Fastify adapter: `app.register(fastifyWebhooks(webhooks), { prefix: '/webhooks' })`. The plugin is not
// wrapped in fastify-plugin on purpose: its catch-all raw content-type parser stays inside its own encapsulated
// context, and the rest of the app keeps Fastify's JSON parsing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { queryOf } from '../../payload.js';
import type { EventMap } from '../../types.js';
import type { Webhooks } from '../../webhooks.js';
import { readNodeBody } from '../node/read-body.js';

/** What the plugin needs of a Fastify instance (typed structurally: no dependency on fastify). */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    contentType: string,
    parser: (request: unknown, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

export interface FastifyRequestLike {
  method: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: IncomingMessage;
}

export interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload: string): unknown;
}

export interface FastifyWebhooksOptions {
  /** The route inside the plugin's prefix. Default `/`. */
  path?: string;
}

const EMPTY = new Uint8Array(0);

// Duck-typed rather than `instanceof Readable`: the package entry must not import node:stream at run time,
// so edge runtimes can load it.
function isStream(value: unknown): value is Readable {
  return typeof (value as { on?: unknown } | null)?.on === 'function';
}

export function fastifyWebhooks<M extends EventMap>(webhooks: Webhooks<M>, options: FastifyWebhooksOptions = {}) {
  return async function hooklineFastify(instance: FastifyInstanceLike): Promise<void> {
    instance.removeAllContentTypeParsers();
    // The body stays an unread stream: the core reads it with its own limit, after the cheap checks.
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    instance.all(options.path ?? '/', async (request, reply) => {
      const answer = await webhooks.handle({
        method: request.method,
        headers: request.headers,
        remoteAddress: request.raw.socket.remoteAddress,
        query: queryOf(request.raw.url),
        body: (limitBytes) =>
          isStream(request.body) ? readNodeBody(request.body, limitBytes) : Promise.resolve(EMPTY),
      });
      const headers = { ...answer.headers };
      // An unread, possibly huge body: close rather than let the connection be reused mid-body.
      if (
        !request.raw.complete &&
        !(Number(request.headers['content-length'] ?? Number.NaN) <= webhooks.maxBodyBytes)
      ) {
        headers.connection = 'close';
      }
      return reply.code(answer.status).headers(headers).send(answer.body);
    });
  };
}
