// Event types: the kinds of events applications publish, each with an optional JSON Schema per version. Delete
// archives (the name stays taken and publishing it still works, as in Svix); `expunge=true` removes it. HTTP only:
// the rules are in operations/event-types.ts.
import type { FastifyInstance } from 'fastify';
import {
  createEventType,
  deleteEventType,
  type EventTypeInput,
  eventTypeInSchema,
  eventTypePatchInSchema,
  eventTypeUpdateInSchema,
  findEventType,
  patchEventType,
  replaceEventType,
} from '../../operations/event-types.js';
import { eventTypeName } from '../../operations/schemas.js';
import type { ApiContext } from '../context.js';
import { booleanQuery } from '../query.js';
import { emptyResponse, eventTypeOutSchema, listResponse } from '../schemas.js';
import { eventTypeOut } from '../serialize.js';
import { DEFAULT_LIMIT, listOut, listQueryProperties } from './pagination.js';

const nameParams = { type: 'object', required: ['name'], properties: { name: eventTypeName } } as const;

export function eventTypeRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Event Type'];

  app.get<{ Querystring: { limit?: number; iterator?: string; include_archived?: boolean; with_content?: boolean } }>(
    '/api/v1/event-type',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.list',
        summary: 'List event types by name; schemas only with with_content=true',
        querystring: {
          type: 'object',
          properties: {
            limit: listQueryProperties.limit,
            iterator: {
              type: 'string',
              maxLength: 257,
              pattern: '^-?[a-zA-Z0-9_.][a-zA-Z0-9\\-_.]*$',
              description: 'the last name of the previous page; with - in front, the page before that name',
            },
            include_archived: booleanQuery,
            with_content: booleanQuery,
          },
        },
        response: { 200: listResponse(eventTypeOutSchema) },
      },
    },
    async (request) => {
      const { limit, iterator, include_archived, with_content } = request.query;
      // `-name` (a prevIterator) asks for the page before that name.
      const backward = iterator?.startsWith('-') === true;
      const list = {
        limit: limit ?? DEFAULT_LIMIT,
        iterator: iterator === undefined ? null : backward ? iterator.slice(1) : iterator,
        backward,
      };
      const page = await context.store.listEventTypes({ ...list, includeArchived: include_archived === true });
      return listOut(
        page,
        (type) => (with_content === true ? eventTypeOut(type) : { ...eventTypeOut(type), schemas: null }),
        list,
        (type) => type.name,
      );
    },
  );

  app.post<{ Body: EventTypeInput }>(
    '/api/v1/event-type',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.create',
        summary: 'Create an event type (409 when the name exists, archived or not)',
        body: eventTypeInSchema,
        response: { 201: eventTypeOutSchema },
      },
    },
    async (request, reply) => reply.code(201).send(eventTypeOut(await createEventType(context, request.body))),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.get',
        summary: 'Get an event type',
        params: nameParams,
        response: { 200: eventTypeOutSchema },
      },
    },
    async (request) => eventTypeOut(await findEventType(context, request.params.name)),
  );

  app.put<{ Params: { name: string }; Body: EventTypeInput }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.update',
        summary: 'Replace an event type; creates it when there is none',
        params: nameParams,
        body: eventTypeUpdateInSchema,
        response: { 200: eventTypeOutSchema, 201: eventTypeOutSchema },
      },
    },
    async (request, reply) => {
      const { eventType, created } = await replaceEventType(context, request.params.name, request.body);
      return reply.code(created ? 201 : 200).send(eventTypeOut(eventType));
    },
  );

  app.patch<{ Params: { name: string }; Body: EventTypeInput }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.patch',
        summary: 'Change some fields of an event type',
        params: nameParams,
        body: eventTypePatchInSchema,
        response: { 200: eventTypeOutSchema },
      },
    },
    async (request) => eventTypeOut(await patchEventType(context, request.params.name, request.body)),
  );

  app.delete<{ Params: { name: string }; Querystring: { expunge?: boolean } }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.delete',
        summary: 'Archive an event type; with expunge=true, remove it',
        params: nameParams,
        querystring: { type: 'object', properties: { expunge: booleanQuery } },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await deleteEventType(context, request.params.name, { expunge: request.query.expunge === true });
      return reply.code(204).send();
    },
  );
}
