// Event types: the kinds of events applications publish, each with an optional JSON Schema per version. Delete
// archives (the name stays taken and publishing it still works, as in Svix); `expunge=true` removes it.
import type { FastifyInstance } from 'fastify';
import type { EventTypePatch } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { checkSchemas, InvalidSchemaError } from '../payload-validation.js';
import { booleanQuery } from '../query.js';
import { emptyResponse, eventTypeName, eventTypeOutSchema, listResponse } from '../schemas.js';
import { eventTypeOut } from '../serialize.js';
import { DEFAULT_LIMIT, listOut, listQueryProperties } from './pagination.js';

const schemasIn = {
  type: ['object', 'null'],
  maxProperties: 100,
  additionalProperties: { type: 'object' },
  description: 'JSON Schema of the payload per version: {"1": {...}}; payloads are validated against the highest',
} as const;

const eventTypeFields = {
  description: { type: 'string', maxLength: 4096 },
  schemas: schemasIn,
  archived: { type: 'boolean' },
  deprecated: { type: 'boolean' },
  featureFlag: { type: ['string', 'null'], maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
  featureFlags: { type: ['array', 'null'], maxItems: 1, items: { type: 'string', maxLength: 256 } },
  groupName: { type: ['string', 'null'], maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
} as const;

const eventTypeIn = {
  type: 'object',
  required: ['name', 'description'],
  properties: { name: eventTypeName, ...eventTypeFields },
} as const;
const eventTypeUpdateIn = { type: 'object', required: ['description'], properties: eventTypeFields } as const;
const eventTypePatchIn = { type: 'object', properties: eventTypeFields } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: eventTypeName } } as const;

interface EventTypeIn {
  name?: string;
  description?: string;
  schemas?: Record<string, unknown> | null;
  archived?: boolean;
  deprecated?: boolean;
  featureFlag?: string | null;
  featureFlags?: string[] | null;
  groupName?: string | null;
}

function toPatch(body: EventTypeIn): EventTypePatch {
  if (body.schemas !== undefined && body.schemas !== null) {
    try {
      checkSchemas(body.schemas);
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw new HttpError(422, 'invalid_schema', error.message);
      throw error;
    }
  }
  const patch: EventTypePatch = {};
  if (body.description !== undefined) patch.description = body.description;
  if (body.schemas !== undefined) patch.schemas = body.schemas;
  if (body.archived !== undefined) patch.archived = body.archived;
  if (body.deprecated !== undefined) patch.deprecated = body.deprecated;
  const flag = body.featureFlag !== undefined ? body.featureFlag : body.featureFlags?.[0];
  if (flag !== undefined) patch.featureFlag = flag;
  if (body.groupName !== undefined) patch.groupName = body.groupName;
  return patch;
}

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

  app.post<{ Body: EventTypeIn }>(
    '/api/v1/event-type',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.create',
        summary: 'Create an event type (409 when the name exists, archived or not)',
        body: eventTypeIn,
        response: { 201: eventTypeOutSchema },
      },
    },
    async (request, reply) => {
      const created = await context.store.createEventType(
        { ...toPatch(request.body), name: request.body.name as string },
        context.now(),
      );
      return reply.code(201).send(eventTypeOut(created));
    },
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
    async (request) => {
      const found = await context.store.getEventType(request.params.name);
      if (found === null) throw notFound('event type');
      return eventTypeOut(found);
    },
  );

  app.put<{ Params: { name: string }; Body: EventTypeIn }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.update',
        summary: 'Replace an event type; creates it when there is none',
        params: nameParams,
        body: eventTypeUpdateIn,
        response: { 200: eventTypeOutSchema, 201: eventTypeOutSchema },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const patch = toPatch(request.body);
      // PUT replaces: what the body leaves out goes back to its default.
      const full: EventTypePatch = {
        description: patch.description ?? '',
        schemas: patch.schemas ?? null,
        archived: patch.archived ?? false,
        deprecated: patch.deprecated ?? false,
        featureFlag: patch.featureFlag ?? null,
        groupName: patch.groupName ?? null,
      };
      const updated = await context.store.updateEventType(name, full, context.now());
      if (updated !== null) return eventTypeOut(updated);
      const created = await context.store.createEventType({ ...full, name }, context.now());
      return reply.code(201).send(eventTypeOut(created));
    },
  );

  app.patch<{ Params: { name: string }; Body: EventTypeIn }>(
    '/api/v1/event-type/:name',
    {
      schema: {
        tags,
        operationId: 'v1.event-type.patch',
        summary: 'Change some fields of an event type',
        params: nameParams,
        body: eventTypePatchIn,
        response: { 200: eventTypeOutSchema },
      },
    },
    async (request) => {
      const updated = await context.store.updateEventType(request.params.name, toPatch(request.body), context.now());
      if (updated === null) throw notFound('event type');
      return eventTypeOut(updated);
    },
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
      const deleted = await context.store.deleteEventType(
        request.params.name,
        { expunge: request.query.expunge === true },
        context.now(),
      );
      if (!deleted) throw notFound('event type');
      return reply.code(204).send();
    },
  );
}
