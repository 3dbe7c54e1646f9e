// Messages: publish, list with filters, get. HTTP only: the rules of a publish are in operations/publish.ts.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { findMessage } from '../../operations/messages.js';
import { type MessageInput, messageInSchema, publishMessage } from '../../operations/publish.js';
import type { ApiContext } from '../context.js';
import { booleanQuery, commaList, eventTypesQuery, timeFilterProperties, timeOrNull } from '../query.js';
import { listResponse, messageOutSchema, pathId } from '../schemas.js';
import { messageOut, messageOutWithContent } from '../serialize.js';
import { listOptions, listOut, listQueryProperties } from './pagination.js';

const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

export function messageRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Message'];

  app.post<{ Params: { appId: string }; Body: MessageInput; Querystring: { with_content?: boolean } }>(
    '/api/v1/app/:appId/msg',
    {
      schema: {
        tags,
        operationId: 'v1.message.create',
        summary:
          'Publish a message: answered once it and its deliveries are on disk; `application` creates a missing one',
        params: appParams,
        querystring: { type: 'object', properties: { with_content: booleanQuery } },
        body: messageInSchema,
        response: { 202: messageOutSchema },
      },
    },
    async (request, reply) => {
      const message = await publishMessage(context, request.params.appId, request.body);
      context.metrics?.messagePublished();
      // The payload the caller sent, not the stored text parsed back: the same JSON, without a second parse.
      return reply
        .code(202)
        .send(messageOut(message, request.query.with_content === false ? {} : request.body.payload));
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
      const application = await findApplication(context, request.params.appId);
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
      const { message } = await findMessage(context, request.params.appId, request.params.msgId);
      return messageOutWithContent(message, request.query.with_content !== false);
    },
  );
}
