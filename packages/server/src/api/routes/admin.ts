// Instance-wide operations (admin token): pause and resume delivery, for maintenance windows. Published events are
// still accepted and stored while paused; they flow on resume. A Hookline extension, not part of Svix's API.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { emptyResponse } from '../schemas.js';

const deliveryStateSchema = {
  type: 'object',
  required: ['paused', 'inFlight', 'delivered', 'failed'],
  properties: {
    paused: { type: 'boolean' },
    inFlight: { type: 'integer' },
    delivered: { type: 'integer' },
    failed: { type: 'integer' },
  },
} as const;

export function adminRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Admin'];
  const engine = () => {
    if (context.engine === null) throw new HttpError(409, 'no_engine', 'this process runs no delivery engine');
    return context.engine;
  };

  app.get(
    '/api/v1/admin/delivery',
    {
      schema: {
        tags,
        operationId: 'admin.delivery.get',
        summary: "This process's delivery engine: paused or not, sends in flight, delivered and failed counts",
        response: { 200: deliveryStateSchema },
      },
    },
    async () => {
      const { paused, inFlight, delivered, failed } = engine().stats();
      return { paused, inFlight, delivered, failed };
    },
  );

  app.post(
    '/api/v1/admin/delivery/pause',
    {
      schema: {
        tags,
        operationId: 'admin.delivery.pause',
        summary: 'Stop sending (publishing still works)',
        response: { 204: emptyResponse },
      },
    },
    async (_request, reply) => {
      engine().pause();
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/delivery/resume',
    {
      schema: {
        tags,
        operationId: 'admin.delivery.resume',
        summary: 'Send again after a pause',
        response: { 204: emptyResponse },
      },
    },
    async (_request, reply) => {
      engine().resume();
      return reply.code(204).send();
    },
  );
}
