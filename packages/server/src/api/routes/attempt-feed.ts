// GET /api/v1/app/{app}/attempt/feed: an application's attempts as they happen, for `hookline tail` and the
// dashboard's charts. A Hookline extension (Svix lists attempts per message or per endpoint only). With `after`
// (an attempt id) it pages forward, oldest first; without it, it answers the newest `limit` attempts, oldest first.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { notFound } from '../../operations/errors.js';
import type { ApiContext } from '../context.js';
import { timeOrNull } from '../query.js';
import { dateTime, messageAttemptOutSchema, pathId } from '../schemas.js';
import { attemptOut } from '../serialize.js';

export const FEED_MAX_LIMIT = 1000;

const feedItemSchema = {
  ...messageAttemptOutSchema,
  required: [...messageAttemptOutSchema.required, 'eventType'],
  properties: { ...messageAttemptOutSchema.properties, eventType: { type: 'string' } },
} as const;

const feedResponseSchema = {
  type: 'object',
  required: ['data', 'iterator'],
  properties: {
    data: { type: 'array', items: feedItemSchema },
    /** The cursor for the next poll (`after`). */
    iterator: { type: ['string', 'null'] },
  },
} as const;

const feedQuerySchema = {
  type: 'object',
  properties: {
    after: { type: 'string', maxLength: 64 },
    endpointId: { type: 'string', maxLength: 256 },
    eventType: { type: 'string', maxLength: 256 },
    status: { type: 'string', enum: ['succeeded', 'failed'] },
    since: dateTime,
    limit: { type: 'integer', minimum: 1, maximum: FEED_MAX_LIMIT },
  },
} as const;

interface FeedQuery {
  after?: string;
  endpointId?: string;
  eventType?: string;
  status?: 'succeeded' | 'failed';
  since?: string;
  limit?: number;
}

export function attemptFeedRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get(
    '/api/v1/app/:appId/attempt/feed',
    {
      schema: {
        tags: ['Message Attempt'],
        operationId: 'hookline.attempt.feed',
        summary: "An application's attempts oldest first from a cursor (after), or its newest: for tail and charts",
        params: { type: 'object', required: ['appId'], properties: { appId: pathId } },
        querystring: feedQuerySchema,
        response: { 200: feedResponseSchema },
      },
    },
    async (request) => {
      const { appId } = request.params as { appId: string };
      const query = request.query as FeedQuery;
      const application = await findApplication(context, appId);
      let endpointId: string | null = null;
      if (query.endpointId !== undefined) {
        const endpoint = await context.store.getEndpoint(application.id, query.endpointId);
        if (endpoint === null) throw notFound('endpoint');
        endpointId = endpoint.id;
      }
      const since = timeOrNull(query.since);
      const attempts = await context.store.listRecentAttempts(application.id, {
        afterId: query.after ?? null,
        endpointId,
        outcome: query.status ?? null,
        eventType: query.eventType ?? null,
        since,
        limit: query.limit ?? 100,
      });
      const last = attempts[attempts.length - 1];
      return {
        data: attempts.map((attempt) => ({ ...attemptOut(attempt), eventType: attempt.eventType })),
        // The cursor for the next poll: the newest attempt seen, or the one given when nothing new came.
        iterator: last?.id ?? query.after ?? null,
      };
    },
  );
}
