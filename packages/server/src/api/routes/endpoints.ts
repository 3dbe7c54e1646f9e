// Endpoints of an application: CRUD (put replaces), and the signing secret. Headers and stats live beside this
// file (endpoint-headers.ts, endpoint-stats.ts).
import { standardWebhooks } from '@hookline/signatures';
import type { FastifyInstance } from 'fastify';
import { validateSchedule } from '../../engine/retry-policy.js';
import { InvalidStatusPolicyError, parseStatusPolicy } from '../../engine/status-policy.js';
import type { EndpointPatch } from '../../store/store.js';
import type { Application, Endpoint } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { checkCustomHeaders, headersIn } from '../custom-headers.js';
import { HttpError, notFound } from '../http-error.js';
import {
  emptyResponse,
  endpointOutSchema,
  endpointSecretOutSchema,
  listResponse,
  pathId,
  stringMap,
  uidSchema,
} from '../schemas.js';
import { endpointOut } from '../serialize.js';
import { loadApplication } from './applications.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

const stringList = {
  type: ['array', 'null'],
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;
const rate = { type: ['integer', 'null'], minimum: 1, maximum: 100000 } as const;

const endpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  description: { type: 'string', maxLength: 1024 },
  uid: uidSchema,
  version: { type: ['integer', 'null'], minimum: 1, maximum: 1000 },
  eventTypes: stringList,
  filterTypes: stringList,
  channels: { ...stringList, maxItems: 10 },
  disabled: { type: 'boolean' },
  throttleRate: rate,
  rateLimit: rate,
  headerPrefix: { type: 'string', enum: ['webhook', 'svix'] },
  retrySchedule: { type: ['array', 'null'], maxItems: 50, items: { type: 'number' } },
  nonRetryableStatuses: { type: ['string', 'null'], maxLength: 256 },
  metadata: stringMap,
  headers: { ...headersIn, type: ['object', 'null'] },
  secret: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
} as const;

const endpointIn = { type: 'object', required: ['url'], properties: endpointFields } as const;
const endpointPatchIn = { type: 'object', properties: endpointFields } as const;
export const endpointParams = {
  type: 'object',
  required: ['appId', 'endpointId'],
  properties: { appId: pathId, endpointId: pathId },
} as const;
const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

export interface EndpointParams {
  appId: string;
  endpointId: string;
}

interface EndpointIn {
  url?: string;
  description?: string;
  uid?: string | null;
  version?: number | null;
  eventTypes?: string[] | null;
  filterTypes?: string[] | null;
  channels?: string[] | null;
  disabled?: boolean;
  throttleRate?: number | null;
  rateLimit?: number | null;
  headerPrefix?: 'webhook' | 'svix';
  retrySchedule?: number[] | null;
  nonRetryableStatuses?: string | null;
  metadata?: Record<string, string>;
  headers?: Record<string, string> | null;
  secret?: string | null;
}

/** A secret given by the caller must be a Standard Webhooks secret: whsec_ and 24-64 bytes of base64. */
export function checkSecret(secret: string): string {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = match === null ? 0 : Buffer.from(match[1] as string, 'base64').length;
  if (bytes < 24 || bytes > 64) {
    throw new HttpError(422, 'validation', 'secret must be whsec_ followed by 24 to 64 bytes of base64');
  }
  return secret;
}

function toPatch(context: ApiContext, body: EndpointIn): EndpointPatch {
  const patch: EndpointPatch = {};
  if (body.url !== undefined) {
    const verdict = context.checkEndpointUrl(body.url);
    if (!verdict.ok) throw new HttpError(422, verdict.code, verdict.detail);
    patch.url = verdict.url.toString();
  }
  if (body.description !== undefined) patch.description = body.description;
  if (body.uid !== undefined) {
    if (typeof body.uid === 'string' && body.uid.startsWith('ep_')) {
      throw new HttpError(422, 'validation', 'a uid may not start with ep_ (ids do)');
    }
    patch.uid = body.uid;
  }
  // Svix's SDK sends filterTypes; eventTypes is our older name for the same filter.
  const eventTypes = body.eventTypes !== undefined ? body.eventTypes : body.filterTypes;
  if (eventTypes !== undefined) patch.eventTypes = eventTypes === null || eventTypes.length === 0 ? null : eventTypes;
  if (body.channels !== undefined)
    patch.channels = body.channels === null || body.channels.length === 0 ? null : body.channels;
  if (body.disabled !== undefined) patch.disabled = body.disabled;
  const throttleRate = body.throttleRate !== undefined ? body.throttleRate : body.rateLimit;
  if (throttleRate !== undefined) patch.throttleRate = throttleRate;
  if (body.headerPrefix !== undefined) patch.headerPrefix = body.headerPrefix;
  if (body.retrySchedule !== undefined) {
    if (body.retrySchedule !== null) {
      const problem = validateSchedule(body.retrySchedule);
      if (problem !== null) throw new HttpError(422, 'validation', problem);
    }
    patch.retrySchedule = body.retrySchedule;
  }
  if (body.nonRetryableStatuses !== undefined) {
    if (body.nonRetryableStatuses !== null) {
      try {
        parseStatusPolicy(body.nonRetryableStatuses);
      } catch (error) {
        if (error instanceof InvalidStatusPolicyError) throw new HttpError(422, 'validation', error.message);
        throw error;
      }
    }
    patch.nonRetryableStatuses = body.nonRetryableStatuses;
  }
  if (body.metadata !== undefined) patch.metadata = body.metadata;
  if (body.headers !== undefined) patch.headers = body.headers === null ? {} : checkCustomHeaders(body.headers);
  return patch;
}

/** What PUT writes: the body's fields, and every field it leaves out back at its default. */
function replacement(patch: EndpointPatch): EndpointPatch {
  return {
    ...(patch.url === undefined ? {} : { url: patch.url }),
    description: patch.description ?? '',
    uid: patch.uid ?? null,
    eventTypes: patch.eventTypes ?? null,
    channels: patch.channels ?? null,
    disabled: patch.disabled ?? false,
    throttleRate: patch.throttleRate ?? null,
    headerPrefix: patch.headerPrefix ?? 'webhook',
    retrySchedule: patch.retrySchedule ?? null,
    nonRetryableStatuses: patch.nonRetryableStatuses ?? null,
    metadata: patch.metadata ?? {},
    ...(patch.headers === undefined ? {} : { headers: patch.headers }),
  };
}

export async function loadEndpoint(
  context: ApiContext,
  appId: string,
  endpointId: string,
): Promise<{ application: Application; endpoint: Endpoint }> {
  const application = await loadApplication(context, appId);
  const endpoint = await context.store.getEndpoint(application.id, endpointId);
  if (endpoint === null) throw notFound('endpoint');
  return { application, endpoint };
}

export function endpointRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Endpoint'];

  async function create(application: Application, body: EndpointIn, uid: string | null) {
    const patch = toPatch(context, body);
    const secret =
      body.secret === undefined || body.secret === null ? standardWebhooks.generateSecret() : checkSecret(body.secret);
    return context.store.createEndpoint(
      application.id,
      { ...patch, uid: patch.uid ?? uid, url: patch.url as string, secret },
      context.now(),
    );
  }

  async function update(application: Application, endpoint: Endpoint, patch: EndpointPatch, secret?: string | null) {
    const updated = await context.store.updateEndpoint(application.id, endpoint.id, patch, context.now());
    if (updated === null) throw notFound('endpoint');
    if (secret !== undefined && secret !== null) {
      await context.store.rotateSecret(endpoint.id, checkSecret(secret), context.secretRotationGraceMs, context.now());
    }
    context.engine?.notify();
    return endpointOut(updated);
  }

  app.get<{ Params: { appId: string }; Querystring: { limit?: number; iterator?: string } }>(
    '/api/v1/app/:appId/endpoint',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.list',
        summary: "List an application's endpoints, newest first",
        params: appParams,
        querystring: listQuerySchema,
        response: { 200: listResponse(endpointOutSchema) },
      },
    },
    async (request) => {
      const application = await loadApplication(context, request.params.appId);
      const options = listOptions(request.query);
      return listOut(await context.store.listEndpoints(application.id, options), endpointOut, options);
    },
  );

  app.post<{ Params: { appId: string }; Body: EndpointIn }>(
    '/api/v1/app/:appId/endpoint',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.create',
        summary: 'Create an endpoint (a secret is generated unless one is given)',
        params: appParams,
        body: endpointIn,
        response: { 201: endpointOutSchema },
      },
    },
    async (request, reply) => {
      const application = await loadApplication(context, request.params.appId);
      return reply.code(201).send(endpointOut(await create(application, request.body, null)));
    },
  );

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.get',
        summary: 'Get an endpoint by id or uid',
        params: endpointParams,
        response: { 200: endpointOutSchema },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params;
      return endpointOut((await loadEndpoint(context, appId, endpointId)).endpoint);
    },
  );

  app.put<{ Params: EndpointParams; Body: EndpointIn }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.update',
        summary: 'Replace an endpoint; creates it (with the path as its uid) when there is none',
        params: endpointParams,
        body: endpointIn,
        response: { 200: endpointOutSchema, 201: endpointOutSchema },
      },
    },
    async (request, reply) => {
      const { appId, endpointId } = request.params;
      const application = await loadApplication(context, appId);
      const existing = await context.store.getEndpoint(application.id, endpointId);
      if (existing === null) {
        if (endpointId.startsWith('ep_') || !/^[a-zA-Z0-9\-_.]+$/.test(endpointId)) throw notFound('endpoint');
        return reply.code(201).send(endpointOut(await create(application, request.body, endpointId)));
      }
      const patch = replacement(toPatch(context, request.body));
      if (request.body.uid === undefined) patch.uid = existing.uid;
      return update(application, existing, patch, request.body.secret);
    },
  );

  app.patch<{ Params: EndpointParams; Body: EndpointIn }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.patch',
        summary: 'Change some fields of an endpoint (a secret given here becomes the current one)',
        params: endpointParams,
        body: endpointPatchIn,
        response: { 200: endpointOutSchema },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params;
      const { application, endpoint } = await loadEndpoint(context, appId, endpointId);
      return update(application, endpoint, toPatch(context, request.body), request.body.secret);
    },
  );

  app.delete<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.delete',
        summary: 'Delete an endpoint with its deliveries and attempts',
        params: endpointParams,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { application, endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
      await context.store.deleteEndpoint(application.id, endpoint.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId/secret',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.get-secret',
        summary: 'Get the current signing secret',
        params: endpointParams,
        response: { 200: endpointSecretOutSchema },
      },
    },
    async (request) => {
      const { endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
      const [current] = await context.store.activeSecrets(endpoint.id, context.now());
      if (current === undefined) throw notFound('secret');
      return { key: current.secret };
    },
  );

  app.post<{ Params: EndpointParams; Body: { key?: string | null } | null }>(
    '/api/v1/app/:appId/endpoint/:endpointId/secret/rotate',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.rotate-secret',
        summary: 'Rotate the signing secret; the previous one keeps signing during the grace period',
        params: endpointParams,
        body: { type: ['object', 'null'], properties: { key: { type: ['string', 'null'], maxLength: 256 } } },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
      const key = request.body?.key;
      const secret = key === undefined || key === null ? standardWebhooks.generateSecret() : checkSecret(key);
      await context.store.rotateSecret(endpoint.id, secret, context.secretRotationGraceMs, context.now());
      return reply.code(204).send();
    },
  );
}
