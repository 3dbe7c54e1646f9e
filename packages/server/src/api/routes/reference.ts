// The OpenAPI document and the page that renders it; both public (they describe the API, they hold no data).
import type { FastifyInstance } from 'fastify';
import type { OpenApiCollector } from '../openapi.js';
import { REFERENCE_PAGE_HTML } from '../reference-page.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const REFERENCE_PATH = '/api/v1/docs';

export function referenceRoutes(app: FastifyInstance, openapi: OpenApiCollector): void {
  app.get(OPENAPI_PATH, async () => openapi.document());
  app.get(REFERENCE_PATH, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      )
      .send(REFERENCE_PAGE_HTML),
  );
}
