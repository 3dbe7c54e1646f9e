// Applications (tenants): list, create (and get-or-create), get, put (upsert), patch, delete. HTTP only: the rules
// are in operations/applications.ts.
import type { FastifyInstance } from 'fastify';
import {
  type ApplicationInput,
  applicationInSchema,
  applicationPatchInSchema,
  createApplication,
  deleteApplication,
  findApplication,
  patchApplication,
  replaceApplication,
} from '../../operations/applications.js';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { booleanQuery } from '../query.js';
import { applicationOutSchema, emptyResponse, listResponse, pathId } from '../schemas.js';
import { applicationOut } from '../serialize.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

export function applicationRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Application'];

  app.get<{ Querystring: { limit?: number; iterator?: string } }>(
    '/api/v1/app',
    {
      schema: {
        tags,
        operationId: 'v1.application.list',
        summary: 'List applications, newest first',
        querystring: listQuerySchema,
        response: { 200: listResponse(applicationOutSchema) },
      },
    },
    async (request) => {
      requireAdmin(request);
      const options = listOptions(request.query);
      return listOut(await context.store.listApplications(options), applicationOut, options);
    },
  );

  app.post<{ Body: ApplicationInput; Querystring: { get_if_exists?: boolean } }>(
    '/api/v1/app',
    {
      schema: {
        tags,
        operationId: 'v1.application.create',
        summary: 'Create an application; with get_if_exists=true, answer the one with this uid if it exists',
        querystring: { type: 'object', properties: { get_if_exists: booleanQuery } },
        body: applicationInSchema,
        response: { 200: applicationOutSchema, 201: applicationOutSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { application, created } = await createApplication(context, request.body, {
        getIfExists: request.query.get_if_exists === true,
      });
      return reply.code(created ? 201 : 200).send(applicationOut(application));
    },
  );

  app.get<{ Params: { appId: string } }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.get',
        summary: 'Get an application by id or uid',
        params: appParams,
        response: { 200: applicationOutSchema },
      },
    },
    async (request) => applicationOut(await findApplication(context, request.params.appId)),
  );

  app.put<{ Params: { appId: string }; Body: ApplicationInput }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.update',
        summary: 'Replace an application; creates it (with the path as its uid) when there is none',
        params: appParams,
        body: applicationInSchema,
        response: { 200: applicationOutSchema, 201: applicationOutSchema },
      },
    },
    async (request, reply) => {
      const { application, created } = await replaceApplication(context, request.params.appId, request.body);
      return reply.code(created ? 201 : 200).send(applicationOut(application));
    },
  );

  app.patch<{ Params: { appId: string }; Body: ApplicationInput }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.patch',
        summary: 'Change some fields of an application',
        params: appParams,
        body: applicationPatchInSchema,
        response: { 200: applicationOutSchema },
      },
    },
    async (request) => applicationOut(await patchApplication(context, request.params.appId, request.body)),
  );

  app.delete<{ Params: { appId: string } }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.delete',
        summary: 'Delete an application with its endpoints, messages and attempts',
        params: appParams,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await deleteApplication(context, request.params.appId);
      return reply.code(204).send();
    },
  );
}
