import type { FastifyInstance } from 'fastify';
import { DuplicateEventIdError } from '../../store/errors.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { messageOut } from '../serialize.js';
import { loadApplication } from './applications.js';

const messageIn = {
  type: 'object',
  required: ['eventType', 'payload'],
  properties: {
    eventType: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
    eventId: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
    payload: { type: 'object' },
    channels: { type: ['array', 'null'], maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 128 } },
  },
} as const;

interface MessageIn {
  eventType: string;
  eventId?: string | null;
  payload: Record<string, unknown>;
  channels?: string[] | null;
}

export function messageRoutes(app: FastifyInstance, context: ApiContext): void {
  app.post('/api/v1/app/:appId/msg', { schema: { body: messageIn } }, async (request, reply) => {
    const { appId } = request.params as { appId: string };
    const application = await loadApplication(context, appId);
    const body = request.body as MessageIn;
    try {
      // Resolves only once the message and its deliveries are committed to disk.
      const { message } = await context.store.publish(
        application.id,
        {
          eventType: body.eventType,
          eventId: body.eventId ?? null,
          payload: JSON.stringify(body.payload),
          channels:
            body.channels === undefined || body.channels === null || body.channels.length === 0 ? null : body.channels,
        },
        context.now(),
      );
      context.engine?.notify();
      context.metrics?.messagePublished();
      // The payload the caller sent, not the stored text parsed back: the same JSON, without a second parse.
      return reply.code(202).send(messageOut(message, body.payload));
    } catch (error) {
      if (error instanceof DuplicateEventIdError) throw new HttpError(409, 'conflict', error.message);
      throw error;
    }
  });

  app.get('/api/v1/app/:appId/msg/:msgId', async (request) => {
    const { appId, msgId } = request.params as { appId: string; msgId: string };
    const application = await loadApplication(context, appId);
    const message = await context.store.getMessage(application.id, msgId);
    if (message === null) throw notFound('message');
    return messageOut(message);
  });
}
