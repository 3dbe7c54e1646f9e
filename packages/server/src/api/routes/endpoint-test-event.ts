// POST /api/v1/app/{app}/endpoint/{endpoint}/send-example: a test event to this endpoint alone (Svix's path; here
// the body may carry the payload to send). HTTP only: the rule is operations/test-event.ts.
import type { FastifyInstance } from 'fastify';
import { sendTestEvent, type TestEventInput, testEventInSchema } from '../../operations/test-event.js';
import type { ApiContext } from '../context.js';
import { messageOutSchema } from '../schemas.js';
import { messageOut } from '../serialize.js';
import { type EndpointParams, endpointParams } from './endpoints.js';

export function endpointTestEventRoutes(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: EndpointParams; Body: TestEventInput }>(
    '/api/v1/app/:appId/endpoint/:endpointId/send-example',
    {
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.send-example',
        summary: 'Send a test event to this endpoint alone, whatever its filters (the payload defaults to {})',
        params: endpointParams,
        body: testEventInSchema,
        response: { 202: messageOutSchema },
      },
    },
    async (request, reply) => {
      const { appId, endpointId } = request.params;
      const message = await sendTestEvent(context, appId, endpointId, request.body);
      context.metrics?.messagePublished();
      return reply.code(202).send(messageOut(message));
    },
  );
}
