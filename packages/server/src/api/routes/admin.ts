// Instance-wide operations (admin token): pause and resume delivery, for maintenance windows (published events are
// still accepted and stored while paused; they flow on resume), and the retention settings in force. A Hookline
// extension, not part of Svix's API.
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

const retentionSchema = {
  type: 'object',
  required: ['payloadDays', 'historyDays'],
  properties: {
    payloadDays: {
      type: 'integer',
      description:
        'Days a message keeps its payload (then it lists as pruned and cannot be resent); 0: as long as its history',
    },
    historyDays: {
      type: 'integer',
      description: 'Days a message, its deliveries and attempts (dead ones too) and the logs are kept; 0: for ever',
    },
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

  app.get(
    '/api/v1/admin/retention',
    {
      schema: {
        tags,
        operationId: 'admin.retention.get',
        summary: 'How long payloads and history are kept (the retention settings this server was started with)',
        response: { 200: retentionSchema },
      },
    },
    async () => context.retention ?? { payloadDays: 0, historyDays: 0 },
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
