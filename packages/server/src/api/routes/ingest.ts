// The public ingest URL of every source: GET and POST /in/{source id or uid}, no API token (the source's own
// verification is the guard), the body read as raw bytes up to the largest limit a source may set (each source's
// own limit is applied by the ingest). HTTP only: the pipeline is operations/ingest.ts. Errors Fastify raises
// before the handler (a body too large, a body cut short) are answered under the source's response policy too.

import { BodyIncompleteError, PayloadTooLargeError, type WebhookResponse } from '@hookline/receiver';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ingest } from '../../operations/ingest.js';
import { MAX_SOURCE_BODY_BYTES } from '../../operations/sources.js';

export const INGEST_PREFIX = '/in/';

/** Route config that tells the API's input guard the route takes raw bytes and answers for itself. */
export const RAW_INGEST_CONFIG = { rawIngest: true } as const;

function send(reply: FastifyReply, answer: WebhookResponse): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

function queryOf(url: string): string {
  const question = url.indexOf('?');
  return question < 0 ? '' : url.slice(question + 1);
}

export function ingestRoutes(app: FastifyInstance, ingest: Ingest): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_SOURCE_BODY_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler(async (error: Error & { code?: string; statusCode?: number }, request, reply) => {
      const source = (request.params as { sourceId?: string }).sourceId ?? '';
      // Fastify's refusals of the body are the request's fault: the receiver's errors say so in its words.
      const refusal =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new PayloadTooLargeError(MAX_SOURCE_BODY_BYTES)
          : error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
            ? new BodyIncompleteError()
            : error;
      return send(reply, await ingest.refuseUnread(source, inboundOf(request, new Uint8Array()), refusal));
    });
    const handler = async (request: FastifyRequest<{ Params: { sourceId: string } }>, reply: FastifyReply) => {
      const body = request.body instanceof Uint8Array ? request.body : new Uint8Array();
      return send(reply, await ingest.receive(request.params.sourceId, inboundOf(request, body)));
    };
    const options = {
      config: RAW_INGEST_CONFIG,
      schema: {
        tags: ['Source'],
        operationId: 'v1.source.ingest',
        summary: "A source's public ingest URL (no token: the source's verification guards it)",
      },
    };
    // GET and POST carry events; the other methods are routed too, so their refusal (405) is answered under the
    // source's policy like any other (an always-200 source answers them 200).
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${INGEST_PREFIX}:sourceId`,
      ...options,
      handler,
    });
  });
}

function inboundOf(request: FastifyRequest, body: Uint8Array) {
  return {
    method: request.method,
    headers: request.headers,
    query: queryOf(request.url),
    body,
    remoteAddress: request.ip,
  };
}
