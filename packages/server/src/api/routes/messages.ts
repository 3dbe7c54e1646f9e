// Messages: publish (validated against the event type's schema), list with filters, get.
import type { FastifyInstance } from 'fastify';
import { parseInstant } from '../../input/instant.js';
import { DuplicateEventIdError } from '../../store/errors.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound, ValidationFailedError } from '../http-error.js';
import { booleanQuery, commaList, eventTypesQuery, timeFilterProperties, timeOrNull } from '../query.js';
import { eventTypeName, listResponse, messageOutSchema, pathId } from '../schemas.js';
import { messageOut, messageOutWithContent } from '../serialize.js';
import { type ApplicationIn, applicationIn, createAlongside, loadApplication } from './applications.js';
import { listOptions, listOut, listQueryProperties } from './pagination.js';

const messageIn = {
  type: 'object',
  required: ['eventType', 'payload'],
  properties: {
    eventType: eventTypeName,
    eventId: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
    payload: { type: 'object' },
    channels: { type: ['array', 'null'], maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 128 } },
    tags: { type: ['array', 'null'], maxItems: 5, items: { type: 'string', maxLength: 128 } },
    deliverAt: { type: ['string', 'null'], format: 'date-time' },
    application: { anyOf: [applicationIn, { type: 'null' }] },
  },
} as const;

/** How far ahead a message may be scheduled: Svix's limit, so code written against Svix behaves the same here. */
export const MAX_DELIVER_AHEAD_MS = 24 * 3600 * 1000;

interface MessageIn {
  eventType: string;
  eventId?: string | null;
  payload: Record<string, unknown>;
  channels?: string[] | null;
  /** Deliver no earlier than this ISO-8601 time, at most 24 h ahead; a time already past means now. */
  deliverAt?: string | null;
  tags?: string[] | null;
  /** Svix's create-alongside: the application to create when the one in the path does not exist. */
  application?: ApplicationIn | null;
}

const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

/**
 * The delivery time asked for, in ms; null for none. Svix also refuses less than a minute ahead; here a time up to
 * now (or already past, by clock skew) just means at once, which is what the caller wanted.
 */
function scheduledTime(deliverAt: string | null | undefined, now: number): number | null {
  if (deliverAt === undefined || deliverAt === null) return null;
  const at = parseInstant(deliverAt);
  if (at === null) {
    throw new ValidationFailedError([{ loc: ['body', 'deliverAt'], msg: 'not a date-time', type: 'value_error' }]);
  }
  if (at > now + MAX_DELIVER_AHEAD_MS) {
    throw new ValidationFailedError([
      { loc: ['body', 'deliverAt'], msg: 'must be no more than 24 hours in the future', type: 'value_error' },
    ]);
  }
  return at <= now ? null : at;
}

export function messageRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Message'];

  /** Refuses a payload its event type's schema rejects, and (when configured) an event type nobody created. */
  async function checkPayload(eventTypeName: string, payload: unknown): Promise<void> {
    const eventType = await context.store.getEventType(eventTypeName);
    if (eventType === null) {
      if (context.rejectUnknownEventTypes) {
        throw new HttpError(422, 'unknown_event_type', `event type ${JSON.stringify(eventTypeName)} does not exist`);
      }
      return;
    }
    const problems = context.payloadValidator.problems(eventType, payload);
    if (problems.length > 0) throw new ValidationFailedError(problems);
  }

  app.post<{ Params: { appId: string }; Body: MessageIn; Querystring: { with_content?: boolean } }>(
    '/api/v1/app/:appId/msg',
    {
      schema: {
        tags,
        operationId: 'v1.message.create',
        summary:
          'Publish a message: answered once it and its deliveries are on disk; `application` creates a missing one',
        params: appParams,
        querystring: { type: 'object', properties: { with_content: booleanQuery } },
        body: messageIn,
        response: { 202: messageOutSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { appId } = request.params;
      // An unknown application is a 404 before anything else, unless the message says how to create it.
      const existing = await context.store.getApplication(appId);
      if (existing === null && (body.application === undefined || body.application === null)) {
        throw notFound('application');
      }
      await checkPayload(body.eventType, body.payload);
      const deliverAt = scheduledTime(body.deliverAt, context.now());
      const application = existing ?? (await createAlongside(context, appId, body.application as ApplicationIn));
      try {
        // Resolves only once the message and its deliveries are committed to disk.
        const { message } = await context.store.publish(
          application.id,
          {
            eventType: body.eventType,
            eventId: body.eventId ?? null,
            payload: JSON.stringify(body.payload),
            channels:
              body.channels === undefined || body.channels === null || body.channels.length === 0
                ? null
                : body.channels,
            deliverAt,
            tags: body.tags === undefined || body.tags === null || body.tags.length === 0 ? null : body.tags,
          },
          context.now(),
        );
        context.engine?.notify();
        context.metrics?.messagePublished();
        // The payload the caller sent, not the stored text parsed back: the same JSON, without a second parse.
        return reply.code(202).send(messageOut(message, request.query.with_content === false ? {} : body.payload));
      } catch (error) {
        if (error instanceof DuplicateEventIdError) throw new HttpError(409, 'conflict', error.message);
        throw error;
      }
    },
  );

  app.get<{
    Params: { appId: string };
    Querystring: {
      limit?: number;
      iterator?: string;
      event_types?: string[];
      channel?: string;
      tag?: string;
      before?: string;
      after?: string;
      with_content?: boolean;
    };
  }>(
    '/api/v1/app/:appId/msg',
    {
      schema: {
        tags,
        operationId: 'v1.message.list',
        summary: 'List messages newest first, by event types, channel, tag, before and after',
        params: appParams,
        querystring: {
          type: 'object',
          properties: {
            ...listQueryProperties,
            ...timeFilterProperties,
            event_types: eventTypesQuery,
            channel: { type: 'string', maxLength: 128 },
            tag: { type: 'string', maxLength: 128 },
            with_content: booleanQuery,
          },
        },
        response: { 200: listResponse(messageOutSchema) },
      },
    },
    async (request) => {
      const application = await loadApplication(context, request.params.appId);
      const query = request.query;
      const options = listOptions(query);
      const page = await context.store.listMessages(application.id, {
        ...options,
        eventTypes: commaList(query.event_types),
        channel: query.channel ?? null,
        tag: query.tag ?? null,
        before: timeOrNull(query.before),
        after: timeOrNull(query.after),
      });
      return listOut(page, (message) => messageOutWithContent(message, query.with_content !== false), options);
    },
  );

  app.get<{ Params: { appId: string; msgId: string }; Querystring: { with_content?: boolean } }>(
    '/api/v1/app/:appId/msg/:msgId',
    {
      schema: {
        tags,
        operationId: 'v1.message.get',
        summary: 'Get a message by id or eventId',
        params: { type: 'object', required: ['appId', 'msgId'], properties: { appId: pathId, msgId: pathId } },
        querystring: { type: 'object', properties: { with_content: booleanQuery } },
        response: { 200: messageOutSchema },
      },
    },
    async (request) => {
      const application = await loadApplication(context, request.params.appId);
      const message = await context.store.getMessage(application.id, request.params.msgId);
      if (message === null) throw notFound('message');
      return messageOutWithContent(message, request.query.with_content !== false);
    },
  );
}
