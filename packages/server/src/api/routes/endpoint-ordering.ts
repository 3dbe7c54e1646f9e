// GET /api/v1/app/{app}/endpoint/{ep}/ordering/held: the keys of an ordered endpoint held by a dead head (the
// endpoint's orderingOnDead is hold). Resending the head (POST .../msg/{msgId}/endpoint/{ep}/resend) releases the
// key. A Hookline extension.
import type { FastifyInstance } from 'fastify';
import { listHeldKeys, MAX_HELD_KEYS } from '../../operations/ordering.js';
import type { HeldKey } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { heldKeyOutSchema, pathId } from '../schemas.js';

function heldKeyOut(held: HeldKey) {
  return {
    orderingKey: held.orderingKey,
    msgId: held.messageId,
    since: new Date(held.since).toISOString(),
    lastError: held.lastError,
    lastStatusCode: held.lastStatusCode,
    waiting: held.waiting,
  };
}

export function endpointOrderingRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get(
    '/api/v1/app/:appId/endpoint/:endpointId/ordering/held',
    {
      schema: {
        tags: ['Endpoint'],
        operationId: 'hookline.endpoint.ordering.held',
        summary: "An ordered endpoint's keys held by a dead head, oldest first; resend the head to release one",
        params: {
          type: 'object',
          required: ['appId', 'endpointId'],
          properties: { appId: pathId, endpointId: pathId },
        },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_HELD_KEYS, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: heldKeyOutSchema } },
          },
        },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params as { appId: string; endpointId: string };
      const { limit } = request.query as { limit: number };
      const { held } = await listHeldKeys(context, appId, endpointId, limit);
      return { data: held.map(heldKeyOut) };
    },
  );
}
