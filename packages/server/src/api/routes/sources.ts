// Sources of an application (the public ingest URLs in front of it): CRUD, and the log of requests that reached
// each one. Every source across applications is listed for admin keys. HTTP only: the rules are in
// operations/sources.ts; the ingest URL itself is api/routes/ingest.ts.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import {
  createSource,
  deleteSource,
  findSource,
  patchSource,
  type SourceInput,
  sourceInSchema,
  sourcePatchInSchema,
} from '../../operations/sources.js';
import type { SourcePatch } from '../../store/sources.js';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { emptyResponse, listResponse, pathId } from '../schemas.js';
import { inboundRequestOut, inboundRequestOutSchema, sourceOut, sourceOutSchema } from '../source-out.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;
const sourceParams = {
  type: 'object',
  required: ['appId', 'sourceId'],
  properties: { appId: pathId, sourceId: pathId },
} as const;

interface SourceParams {
  appId: string;
  sourceId: string;
}

type ListQuery = { limit?: number; iterator?: string };

export function sourceRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Source'];

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/source',
    {
      schema: {
        tags,
        operationId: 'v1.source.list-all',
        summary: "Every application's sources, newest first (admin keys)",
        querystring: listQuerySchema,
        response: { 200: listResponse(sourceOutSchema) },
      },
    },
    async (request) => {
      requireAdmin(request);
      const options = { ...listOptions(request.query), backward: false };
      return listOut(await context.store.listSources(null, options), sourceOut, options);
    },
  );

  app.get<{ Params: { appId: string }; Querystring: ListQuery }>(
    '/api/v1/app/:appId/source',
    {
      schema: {
        tags,
        operationId: 'v1.source.list',
        summary: "List an application's sources, newest first",
        params: appParams,
        querystring: listQuerySchema,
        response: { 200: listResponse(sourceOutSchema) },
      },
    },
    async (request) => {
      const application = await findApplication(context, request.params.appId);
      const options = { ...listOptions(request.query), backward: false };
      return listOut(await context.store.listSources(application.id, options), sourceOut, options);
    },
  );

  app.post<{ Params: { appId: string }; Body: SourceInput }>(
    '/api/v1/app/:appId/source',
    {
      schema: {
        tags,
        operationId: 'v1.source.create',
        summary:
          'Create a source: a public ingest URL (/in/{uid or id}) whose verified requests reach this application',
        params: appParams,
        body: sourceInSchema,
        response: { 201: sourceOutSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(sourceOut(await createSource(context, request.params.appId, request.body))),
  );

  app.get<{ Params: SourceParams }>(
    '/api/v1/app/:appId/source/:sourceId',
    {
      schema: {
        tags,
        operationId: 'v1.source.get',
        summary: 'Get a source by id or uid',
        params: sourceParams,
        response: { 200: sourceOutSchema },
      },
    },
    async (request) => sourceOut(await findSource(context, request.params.appId, request.params.sourceId)),
  );

  app.patch<{ Params: SourceParams; Body: SourcePatch }>(
    '/api/v1/app/:appId/source/:sourceId',
    {
      schema: {
        tags,
        operationId: 'v1.source.patch',
        summary: 'Change some fields of a source (a verification given replaces the whole verification)',
        params: sourceParams,
        body: sourcePatchInSchema,
        response: { 200: sourceOutSchema },
      },
    },
    async (request) =>
      sourceOut(await patchSource(context, request.params.appId, request.params.sourceId, request.body)),
  );

  app.delete<{ Params: SourceParams }>(
    '/api/v1/app/:appId/source/:sourceId',
    {
      schema: {
        tags,
        operationId: 'v1.source.delete',
        summary: 'Delete a source and its request log (messages it produced stay)',
        params: sourceParams,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await deleteSource(context, request.params.appId, request.params.sourceId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: SourceParams; Querystring: ListQuery }>(
    '/api/v1/app/:appId/source/:sourceId/request',
    {
      schema: {
        tags,
        operationId: 'v1.source.request.list',
        summary:
          'Recent requests to the source, newest first: accepted (with the message each became), refused and why',
        params: sourceParams,
        querystring: listQuerySchema,
        response: { 200: listResponse(inboundRequestOutSchema) },
      },
    },
    async (request) => {
      const source = await findSource(context, request.params.appId, request.params.sourceId);
      const options = { ...listOptions(request.query), backward: false };
      return listOut(
        await context.store.listInboundRequests(source.appId, source.id, options),
        inboundRequestOut,
        options,
      );
    },
  );
}
