// Applications (tenants): list, create (and get-or-create), get, put (upsert), patch, delete.
import type { FastifyInstance } from 'fastify';
import { DuplicateUidError } from '../../store/errors.js';
import type { ApplicationPatch } from '../../store/store.js';
import type { Application } from '../../store/types.js';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { booleanQuery } from '../query.js';
import { applicationOutSchema, emptyResponse, listResponse, pathId, stringMap, uidSchema } from '../schemas.js';
import { applicationOut } from '../serialize.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

const rateLimit = { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 } as const;

const applicationFields = {
  name: { type: 'string', minLength: 1, maxLength: 256 },
  uid: uidSchema,
  rateLimit,
  throttleRate: rateLimit,
  metadata: stringMap,
} as const;

export const applicationIn = { type: 'object', required: ['name'], properties: applicationFields } as const;
const applicationPatchIn = { type: 'object', properties: applicationFields } as const;
const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

export interface ApplicationIn {
  name?: string;
  uid?: string | null;
  rateLimit?: number | null;
  throttleRate?: number | null;
  metadata?: Record<string, string>;
}

export async function loadApplication(context: ApiContext, idOrUid: string): Promise<Application> {
  const app = await context.store.getApplication(idOrUid);
  if (app === null) throw notFound('application');
  return app;
}

/**
 * Svix's create-alongside: a message may carry the application to create when the one in its path does not exist.
 * It is created with the path as its uid (an `app_` id cannot be created); a concurrent publish may win the race.
 */
export async function createAlongside(context: ApiContext, uid: string, create: ApplicationIn): Promise<Application> {
  const patch = toPatch(create);
  if (uid.startsWith('app_') || !/^[a-zA-Z0-9\-_.]+$/.test(uid)) throw notFound('application');
  if (patch.uid !== undefined && patch.uid !== null && patch.uid !== uid) {
    throw new HttpError(422, 'validation', 'application.uid must be the uid in the path');
  }
  try {
    return await context.store.createApplication({ ...patch, name: create.name as string, uid }, context.now());
  } catch (error) {
    if (error instanceof DuplicateUidError) return loadApplication(context, uid);
    throw error;
  }
}

function toPatch(body: ApplicationIn): ApplicationPatch {
  if (typeof body.uid === 'string' && body.uid.startsWith('app_')) {
    throw new HttpError(422, 'validation', 'a uid may not start with app_ (ids do)');
  }
  const patch: ApplicationPatch = {};
  if (body.name !== undefined) patch.name = body.name;
  if (body.uid !== undefined) patch.uid = body.uid;
  const rate = body.throttleRate !== undefined ? body.throttleRate : body.rateLimit;
  if (rate !== undefined) patch.rateLimit = rate;
  if (body.metadata !== undefined) patch.metadata = body.metadata;
  return patch;
}

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

  app.post<{ Body: ApplicationIn; Querystring: { get_if_exists?: boolean } }>(
    '/api/v1/app',
    {
      schema: {
        tags,
        operationId: 'v1.application.create',
        summary: 'Create an application; with get_if_exists=true, answer the one with this uid if it exists',
        querystring: { type: 'object', properties: { get_if_exists: booleanQuery } },
        body: applicationIn,
        response: { 200: applicationOutSchema, 201: applicationOutSchema },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const body = request.body;
      if (request.query.get_if_exists === true && typeof body.uid === 'string') {
        const existing = await context.store.getApplication(body.uid);
        if (existing !== null) return reply.code(200).send(applicationOut(existing));
      }
      const patch = toPatch(body);
      const created = await context.store.createApplication(
        { ...patch, name: body.name as string, uid: patch.uid ?? null },
        context.now(),
      );
      return reply.code(201).send(applicationOut(created));
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
    async (request) => applicationOut(await loadApplication(context, request.params.appId)),
  );

  app.put<{ Params: { appId: string }; Body: ApplicationIn }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.update',
        summary: 'Replace an application; creates it (with the path as its uid) when there is none',
        params: appParams,
        body: applicationIn,
        response: { 200: applicationOutSchema, 201: applicationOutSchema },
      },
    },
    async (request, reply) => {
      const { appId } = request.params;
      const body = request.body;
      const patch = toPatch(body);
      // PUT replaces: what the body leaves out goes back to its default.
      const full: ApplicationPatch = {
        name: body.name as string,
        uid: patch.uid ?? null,
        rateLimit: patch.rateLimit ?? null,
        metadata: patch.metadata ?? {},
      };
      const existing = await context.store.getApplication(appId);
      if (existing === null) {
        if (appId.startsWith('app_')) throw notFound('application');
        const uid = full.uid ?? appId;
        if (!/^[a-zA-Z0-9\-_.]+$/.test(uid)) throw new HttpError(422, 'validation', 'the uid in the path is not valid');
        const created = await context.store.createApplication(
          { ...full, name: full.name as string, uid },
          context.now(),
        );
        return reply.code(201).send(applicationOut(created));
      }
      if (body.uid === undefined && existing.uid === appId) full.uid = existing.uid;
      const updated = await context.store.updateApplication(existing.id, full, context.now());
      if (updated === null) throw notFound('application');
      return applicationOut(updated);
    },
  );

  app.patch<{ Params: { appId: string }; Body: ApplicationIn }>(
    '/api/v1/app/:appId',
    {
      schema: {
        tags,
        operationId: 'v1.application.patch',
        summary: 'Change some fields of an application',
        params: appParams,
        body: applicationPatchIn,
        response: { 200: applicationOutSchema },
      },
    },
    async (request) => {
      const existing = await loadApplication(context, request.params.appId);
      const updated = await context.store.updateApplication(existing.id, toPatch(request.body), context.now());
      if (updated === null) throw notFound('application');
      return applicationOut(updated);
    },
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
      const application = await loadApplication(context, request.params.appId);
      await context.store.deleteApplication(application.id);
      return reply.code(204).send();
    },
  );
}
