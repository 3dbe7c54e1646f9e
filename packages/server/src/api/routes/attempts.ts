// Attempt logs (by message, by endpoint, one attempt), where a message went (per endpoint), the dead-letter list,
// and replay (resend one, recover an endpoint's failures since a time; the rules in operations/replay.ts).
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { findEndpoint } from '../../operations/endpoints.js';
import { notFound } from '../../operations/errors.js';
import { findMessage } from '../../operations/messages.js';
import { type RecoverInput, recoverEndpoint, recoverInSchema, resendMessage } from '../../operations/replay.js';
import type { AttemptListOptions, StatusCodeClass } from '../../store/store.js';
import type { Attempt, Endpoint } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { booleanQuery, commaList, eventTypesQuery, timeFilterProperties, timeOrNull } from '../query.js';
import {
  deliveryOutSchema,
  listResponse,
  messageAttemptOutSchema,
  messageEndpointOutSchema,
  pathId,
  recoverOutSchema,
} from '../schemas.js';
import { attemptOut, deliveryOut, messageEndpointOut, messageOut } from '../serialize.js';
import { type EndpointParams, endpointParams } from './endpoints.js';
import { type ListRequest, listOptions, listOut, listQueryProperties, listQuerySchema } from './pagination.js';

interface AttemptQuery {
  limit?: number;
  iterator?: string;
  status?: number;
  status_code_class?: StatusCodeClass;
  event_types?: string[];
  channel?: string;
  tag?: string;
  endpoint_id?: string;
  before?: string;
  after?: string;
  with_content?: boolean;
  with_msg?: boolean;
}

const attemptQuery = {
  type: 'object',
  properties: {
    ...listQueryProperties,
    ...timeFilterProperties,
    status: { type: 'integer', enum: [0, 1, 2, 3, 4], description: '0 success, 1 pending, 2 fail, 3 sending' },
    status_code_class: { type: 'integer', enum: [0, 100, 200, 300, 400, 500], description: '0 = no HTTP status' },
    event_types: eventTypesQuery,
    channel: { type: 'string', maxLength: 128 },
    tag: { type: 'string', maxLength: 128 },
    with_content: booleanQuery,
  },
} as const;

/**
 * The store filters. Attempts are written once finished, so they are only ever success (0) or fail (2): asking for
 * pending, sending or canceled ones finds none, without a query.
 */
function attemptFilters(query: AttemptQuery, list: ListRequest): AttemptListOptions | null {
  if (query.status !== undefined && query.status !== 0 && query.status !== 2) return null;
  return {
    ...list,
    outcome: query.status === undefined ? null : query.status === 0 ? 'succeeded' : 'failed',
    statusCodeClass: query.status_code_class ?? null,
    eventTypes: commaList(query.event_types),
    channel: query.channel ?? null,
    tag: query.tag ?? null,
    before: timeOrNull(query.before),
    after: timeOrNull(query.after),
  };
}

const EMPTY_PAGE = { data: [] as Attempt[], iterator: null, done: true };

function attemptOutFor(query: AttemptQuery) {
  return (attempt: Attempt) => {
    const out = attemptOut(attempt);
    return query.with_content === false ? { ...out, response: '' } : out;
  };
}

export function attemptRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Message Attempt'];

  app.get<{ Params: { appId: string; msgId: string }; Querystring: AttemptQuery }>(
    '/api/v1/app/:appId/attempt/msg/:msgId',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-by-msg',
        summary: "List a message's attempts, newest first",
        params: { type: 'object', required: ['appId', 'msgId'], properties: { appId: pathId, msgId: pathId } },
        querystring: {
          ...attemptQuery,
          properties: { ...attemptQuery.properties, endpoint_id: { type: 'string', maxLength: 256 } },
        },
        response: { 200: listResponse(messageAttemptOutSchema) },
      },
    },
    async (request) => {
      const { application, message } = await findMessage(context, request.params.appId, request.params.msgId);
      const list = listOptions(request.query);
      const filters = attemptFilters(request.query, list);
      let endpointId: string | null = null;
      if (request.query.endpoint_id !== undefined) {
        const endpoint = await context.store.getEndpoint(application.id, request.query.endpoint_id);
        if (endpoint === null) throw notFound('endpoint');
        endpointId = endpoint.id;
      }
      const page =
        filters === null
          ? EMPTY_PAGE
          : await context.store.listAttemptsForMessage(application.id, message.id, { ...filters, endpointId });
      return listOut(page, attemptOutFor(request.query), list);
    },
  );

  app.get<{ Params: EndpointParams; Querystring: AttemptQuery }>(
    '/api/v1/app/:appId/attempt/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-by-endpoint',
        summary: "List an endpoint's attempts, newest first; with_msg=true adds each attempt's message",
        params: endpointParams,
        querystring: { ...attemptQuery, properties: { ...attemptQuery.properties, with_msg: booleanQuery } },
        response: { 200: listResponse(messageAttemptOutSchema) },
      },
    },
    async (request) => {
      const { application, endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      const list = listOptions(request.query);
      const filters = attemptFilters(request.query, list);
      const page =
        filters === null
          ? EMPTY_PAGE
          : await context.store.listAttemptsForEndpoint(application.id, endpoint.id, filters);
      const base = attemptOutFor(request.query);
      if (request.query.with_msg !== true) return listOut(page, base, list);
      const messages = new Map<string, ReturnType<typeof messageOut> | null>();
      for (const messageId of new Set(page.data.map((attempt) => attempt.messageId))) {
        const message = await context.store.getMessage(application.id, messageId);
        messages.set(messageId, message === null ? null : messageOut(message));
      }
      return listOut(page, (attempt) => ({ ...base(attempt), msg: messages.get(attempt.messageId) ?? null }), list);
    },
  );

  app.get<{ Params: { appId: string; msgId: string; attemptId: string } }>(
    '/api/v1/app/:appId/msg/:msgId/attempt/:attemptId',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.get',
        summary: 'Get one attempt of a message',
        params: {
          type: 'object',
          required: ['appId', 'msgId', 'attemptId'],
          properties: { appId: pathId, msgId: pathId, attemptId: pathId },
        },
        response: { 200: messageAttemptOutSchema },
      },
    },
    async (request) => {
      const { application, message } = await findMessage(context, request.params.appId, request.params.msgId);
      const attempt = await context.store.getAttempt(application.id, request.params.attemptId);
      if (attempt === null || attempt.messageId !== message.id) throw notFound('attempt');
      return attemptOut(attempt);
    },
  );

  app.get<{ Params: { appId: string; msgId: string }; Querystring: { limit?: number; iterator?: string } }>(
    '/api/v1/app/:appId/msg/:msgId/endpoint',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.list-attempted-destinations',
        summary: 'Where a message went: its delivery state per endpoint',
        params: { type: 'object', required: ['appId', 'msgId'], properties: { appId: pathId, msgId: pathId } },
        querystring: listQuerySchema,
        response: { 200: listResponse(messageEndpointOutSchema) },
      },
    },
    async (request) => {
      const { application, message } = await findMessage(context, request.params.appId, request.params.msgId);
      const list = listOptions(request.query);
      const page = await context.store.listDeliveriesForMessage(application.id, message.id, list);
      const endpoints = new Map<string, Endpoint>();
      for (const endpointId of new Set(page.data.map((delivery) => delivery.endpointId))) {
        const endpoint = await context.store.getEndpoint(application.id, endpointId);
        if (endpoint !== null) endpoints.set(endpointId, endpoint);
      }
      const out = listOut(
        page,
        (delivery) => {
          const endpoint = endpoints.get(delivery.endpointId);
          return endpoint === undefined ? null : messageEndpointOut(endpoint, delivery);
        },
        list,
      );
      // A delivery whose endpoint was deleted meanwhile is gone with it (cascade): skip it rather than fail.
      return { ...out, data: out.data.filter((item) => item !== null) };
    },
  );

  app.get<{ Params: { appId: string }; Querystring: { limit?: number; iterator?: string; endpointId?: string } }>(
    '/api/v1/app/:appId/dead-letter',
    {
      schema: {
        tags,
        operationId: 'v1.dead-letter.list',
        summary: 'Deliveries that failed every attempt (a Hookline extension)',
        params: { type: 'object', required: ['appId'], properties: { appId: pathId } },
        querystring: {
          type: 'object',
          properties: { ...listQueryProperties, endpointId: { type: 'string', maxLength: 256 } },
        },
        response: { 200: listResponse(deliveryOutSchema) },
      },
    },
    async (request) => {
      const application = await findApplication(context, request.params.appId);
      let endpoint: string | null = null;
      if (request.query.endpointId !== undefined) {
        const found = await context.store.getEndpoint(application.id, request.query.endpointId);
        if (found === null) throw notFound('endpoint');
        endpoint = found.id;
      }
      const list = listOptions(request.query);
      return listOut(await context.store.listDeadDeliveries(application.id, endpoint, list), deliveryOut, list);
    },
  );

  app.post<{ Params: { appId: string; msgId: string; endpointId: string } }>(
    '/api/v1/app/:appId/msg/:msgId/endpoint/:endpointId/resend',
    {
      schema: {
        tags,
        operationId: 'v1.message-attempt.resend',
        summary: 'Send a message to an endpoint again (a manual attempt)',
        params: {
          type: 'object',
          required: ['appId', 'msgId', 'endpointId'],
          properties: { appId: pathId, msgId: pathId, endpointId: pathId },
        },
        response: { 202: { type: 'object', description: 'an empty object, as Svix answers' } },
      },
    },
    async (request, reply) => {
      const { appId, msgId, endpointId } = request.params;
      await resendMessage(context, appId, msgId, endpointId);
      return reply.code(202).send({});
    },
  );

  app.post<{ Params: EndpointParams; Body: RecoverInput }>(
    '/api/v1/app/:appId/endpoint/:endpointId/recover',
    {
      schema: {
        tags: ['Endpoint'],
        operationId: 'v1.endpoint.recover',
        summary: 'Send again every dead delivery of the endpoint created in [since, until)',
        params: endpointParams,
        body: recoverInSchema,
        response: { 202: recoverOutSchema },
      },
    },
    async (request, reply) => {
      const { appId, endpointId } = request.params;
      const { recovered, at: now } = await recoverEndpoint(context, appId, endpointId, request.body);
      // Recovery is done in one statement, so the task is finished when we answer.
      return reply.code(202).send({
        id: `qtask_${now.toString(36)}`,
        status: 'finished',
        task: 'endpoint.recover',
        updatedAt: new Date(now).toISOString(),
        recovered,
      });
    },
  );
}
