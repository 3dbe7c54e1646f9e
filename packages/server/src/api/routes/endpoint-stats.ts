// An endpoint's deliveries counted by state (Svix's EndpointStats), optionally for those created in [since, until).
import type { FastifyInstance } from 'fastify';
import { findEndpoint } from '../../operations/endpoints.js';
import type { ApiContext } from '../context.js';
import { timeOrNull } from '../query.js';
import { dateTime, endpointStatsSchema } from '../schemas.js';
import { type EndpointParams, endpointParams } from './endpoints.js';

export function endpointStatsRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Params: EndpointParams; Querystring: { since?: string; until?: string } }>(
    '/api/v1/app/:appId/endpoint/:endpointId/stats',
    {
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.get-stats',
        summary: "Count the endpoint's deliveries by state: success, fail (dead), pending (incl. retrying), sending",
        params: endpointParams,
        querystring: { type: 'object', properties: { since: dateTime, until: dateTime } },
        response: { 200: endpointStatsSchema },
      },
    },
    async (request) => {
      const { application, endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      const since = timeOrNull(request.query.since);
      const stats = await context.store.endpointStats(application.id, endpoint.id, {
        // The store's `after` is exclusive; `since` includes its own instant.
        after: since === null ? null : since - 1,
        before: timeOrNull(request.query.until),
      });
      return { ...stats, canceled: 0 };
    },
  );
}
