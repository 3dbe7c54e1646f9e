// Messages: publish, list with filters, get. HTTP only: the rules of a publish are in operations/publish.ts.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { findMessage } from '../../operations/messages.js';
import {
  MAX_BATCH_MESSAGES,
  type MessageInput,
  messageInSchema,
  type PublishOutcome,
  publishMessage,
  publishMessages,
} from '../../operations/publish.js';
import type { Message } from '../../store/types.js';
import { BATCH_BODY_LIMIT_BYTES } from '../body-limit.js';
import type { ApiContext } from '../context.js';
import { refusalAnswer } from '../errors.js';
import { WriteAnswer } from '../idempotency.js';
import { booleanQuery, commaList, eventTypesQuery, timeFilterProperties, timeOrNull } from '../query.js';
import { anyJson, listResponse, messageOutSchema, pathId } from '../schemas.js';
import { messageOut, messageOutWithContent } from '../serialize.js';
import { listOptions, listOut, listQueryProperties } from './pagination.js';

const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

/** One message of a batch: 202 with the message, or the status and `{code, detail}` it would have got alone. */
const batchItemOutSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'integer' },
    message: messageOutSchema,
    code: { type: 'string' },
    detail: anyJson,
  },
} as const;

export function messageRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Message'];

  app.post<{ Params: { appId: string }; Body: MessageInput; Querystring: { with_content?: boolean } }>(
    '/api/v1/app/:appId/msg',
    {
      config: { answerWithWrite: true },
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
      // The payload the caller sent, not the stored text parsed back: the same JSON, without a second parse.
      const payload = request.query.with_content === false ? {} : request.body.payload;
      const answer = new WriteAnswer(reply, 202, (message: Message) => messageOut(message, payload));
      const message = await publishMessage(context, request.params.appId, request.body, (appId, checked, now) =>
        context.store.publish(appId, checked, now, answer.forStore),
      );
      context.metrics?.messagePublished();
      return answer.send(message);
    },
  );

  app.post<{ Params: { appId: string }; Body: { messages: unknown[] }; Querystring: { with_content?: boolean } }>(
    '/api/v1/app/:appId/msg/batch',
    {
      config: { answerWithWrite: true },
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
      schema: {
        tags,
        operationId: 'v1.message.create-batch',
        summary: `Publish up to ${MAX_BATCH_MESSAGES} messages in one transaction: answered once all accepted ones are on disk`,
        description:
          'Each message is checked as `POST …/msg` checks one and gets its own result, in order: `status` 202 with `message`, or the 4xx and `{code, detail}` it would have got alone (a refused one does not stop the others). The application must exist. Values no JSON body may carry (NUL, lone surrogates, non-finite numbers, nesting past the limit) refuse the whole request, as for any route. `Idempotency-Key` replays the whole answer.',
        params: appParams,
        querystring: { type: 'object', properties: { with_content: booleanQuery } },
        body: {
          type: 'object',
          required: ['messages'],
          properties: {
            messages: { type: 'array', minItems: 1, maxItems: MAX_BATCH_MESSAGES, items: { type: 'object' } },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: batchItemOutSchema } },
          },
        },
      },
    },
    async (request, reply) => {
      const inputs = request.body.messages;
      const withContent = request.query.with_content !== false;
      const answer = new WriteAnswer(reply, 200, (outcomes: PublishOutcome[]) => ({
        data: outcomes.map((outcome, index) => {
          if (!outcome.ok) {
            const { status, body } = refusalAnswer(outcome.error, ['messages', index]);
            return { status, ...body };
          }
          // As the single publish: the payload as the caller sent it, not the stored text parsed back.
          const payload = withContent ? (inputs[index] as MessageInput).payload : {};
          return { status: 202, message: messageOut(outcome.message, payload) };
        }),
      }));
      const outcomes = await publishMessages(context, request.params.appId, inputs, answer.forStore);
      for (const outcome of outcomes) if (outcome.ok) context.metrics?.messagePublished();
      return answer.send(outcomes);
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
