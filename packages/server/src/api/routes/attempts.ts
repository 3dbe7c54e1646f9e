// Attempt logs, the dead-letter list, and replay (resend one, recover an endpoint's failures since a time).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { attemptOut, deliveryOut, listOut } from '../serialize.js';
import { loadApplication } from './applications.js';
import { listOptions, listQuerySchema } from './pagination.js';

function parseTime(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new HttpError(422, 'validation', `${field} must be an ISO-8601 date-time`);
  return ms;
}

export function attemptRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/v1/app/:appId/attempt/msg/:msgId', { schema: { querystring: listQuerySchema } }, async (request) => {
    const { appId, msgId } = request.params as { appId: string; msgId: string };
    const application = await loadApplication(context, appId);
    const message = await context.store.getMessage(application.id, msgId);
    if (message === null) throw notFound('message');
    return listOut(
      await context.store.listAttemptsForMessage(application.id, message.id, listOptions(request.query)),
      attemptOut,
    );
  });

  app.get(
    '/api/v1/app/:appId/dead-letter',
    {
      schema: {
        querystring: {
          ...listQuerySchema,
          properties: { ...listQuerySchema.properties, endpointId: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const { appId } = request.params as { appId: string };
      const { endpointId } = request.query as { endpointId?: string };
      const application = await loadApplication(context, appId);
      let endpoint: string | null = null;
      if (endpointId !== undefined) {
        const found = await context.store.getEndpoint(application.id, endpointId);
        if (found === null) throw notFound('endpoint');
        endpoint = found.id;
      }
      return listOut(
        await context.store.listDeadDeliveries(application.id, endpoint, listOptions(request.query)),
        deliveryOut,
      );
    },
  );

  app.post('/api/v1/app/:appId/msg/:msgId/endpoint/:endpointId/resend', async (request, reply) => {
    const { appId, msgId, endpointId } = request.params as { appId: string; msgId: string; endpointId: string };
    const application = await loadApplication(context, appId);
    const message = await context.store.getMessage(application.id, msgId);
    if (message === null) throw notFound('message');
    const endpoint = await context.store.getEndpoint(application.id, endpointId);
    if (endpoint === null) throw notFound('endpoint');
    const queued = await context.store.resend(application.id, message.id, endpoint.id, context.now());
    if (!queued)
      throw new HttpError(409, 'conflict', 'this message has no delivery to this endpoint that can be resent now');
    context.engine?.notify();
    return reply.code(202).send();
  });

  app.post(
    '/api/v1/app/:appId/endpoint/:endpointId/recover',
    {
      schema: {
        body: {
          type: 'object',
          required: ['since'],
          properties: { since: { type: 'string' }, until: { type: ['string', 'null'] } },
        },
      },
    },
    async (request, reply) => {
      const { appId, endpointId } = request.params as { appId: string; endpointId: string };
      const body = request.body as { since: string; until?: string | null };
      const application = await loadApplication(context, appId);
      const endpoint = await context.store.getEndpoint(application.id, endpointId);
      if (endpoint === null) throw notFound('endpoint');
      const now = context.now();
      const since = parseTime(body.since, 'since');
      const until = body.until === undefined || body.until === null ? now + 1 : parseTime(body.until, 'until');
      const recovered = await context.store.recoverEndpoint(application.id, endpoint.id, since, until, now);
      context.engine?.notify();
      return reply
        .code(202)
        .send({ id: `qtask_${Date.now().toString(36)}`, status: 'finished', task: 'endpoint.recover', recovered });
    },
  );
}
