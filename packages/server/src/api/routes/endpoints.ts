import { standardWebhooks } from '@hookline/signatures';
import type { FastifyInstance } from 'fastify';
import { validateSchedule } from '../../engine/retry-policy.js';
import { InvalidStatusPolicyError, parseStatusPolicy } from '../../engine/status-policy.js';
import type { EndpointPatch } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { endpointOut, listOut } from '../serialize.js';
import { loadApplication } from './applications.js';
import { listOptions, listQuerySchema } from './pagination.js';

const stringList = {
  type: ['array', 'null'],
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

const endpointProperties = {
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  description: { type: 'string', maxLength: 1024 },
  uid: { type: ['string', 'null'], minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
  eventTypes: stringList,
  filterTypes: stringList,
  channels: { ...stringList, maxItems: 10 },
  disabled: { type: 'boolean' },
  throttleRate: { type: ['integer', 'null'], minimum: 1, maximum: 100000 },
  rateLimit: { type: ['integer', 'null'], minimum: 1, maximum: 100000 },
  headerPrefix: { type: 'string', enum: ['webhook', 'svix'] },
  retrySchedule: { type: ['array', 'null'], items: { type: 'number' } },
  nonRetryableStatuses: { type: ['string', 'null'], maxLength: 256 },
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  secret: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

interface EndpointIn {
  url?: string;
  description?: string;
  uid?: string | null;
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
  secret?: string;
}

/** A secret given by the caller must be a Standard Webhooks secret: whsec_ and 24-64 bytes of base64. */
function checkSecret(secret: string): string {
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
  return patch;
}

export function endpointRoutes(app: FastifyInstance, context: ApiContext): void {
  async function load(appId: string, endpointId: string) {
    const application = await loadApplication(context, appId);
    const endpoint = await context.store.getEndpoint(application.id, endpointId);
    if (endpoint === null) throw notFound('endpoint');
    return { application, endpoint };
  }

  app.get('/api/v1/app/:appId/endpoint', { schema: { querystring: listQuerySchema } }, async (request) => {
    const { appId } = request.params as { appId: string };
    const application = await loadApplication(context, appId);
    return listOut(await context.store.listEndpoints(application.id, listOptions(request.query)), endpointOut);
  });

  app.post(
    '/api/v1/app/:appId/endpoint',
    { schema: { body: { type: 'object', required: ['url'], properties: endpointProperties } } },
    async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const application = await loadApplication(context, appId);
      const body = request.body as EndpointIn;
      const patch = toPatch(context, body);
      const secret = body.secret === undefined ? standardWebhooks.generateSecret() : checkSecret(body.secret);
      const endpoint = await context.store.createEndpoint(
        application.id,
        { ...patch, url: patch.url as string, secret },
        context.now(),
      );
      return reply.code(201).send(endpointOut(endpoint));
    },
  );

  app.get('/api/v1/app/:appId/endpoint/:endpointId', async (request) => {
    const { appId, endpointId } = request.params as { appId: string; endpointId: string };
    return endpointOut((await load(appId, endpointId)).endpoint);
  });

  app.patch(
    '/api/v1/app/:appId/endpoint/:endpointId',
    { schema: { body: { type: 'object', properties: endpointProperties } } },
    async (request) => {
      const { appId, endpointId } = request.params as { appId: string; endpointId: string };
      const { application, endpoint } = await load(appId, endpointId);
      const updated = await context.store.updateEndpoint(
        application.id,
        endpoint.id,
        toPatch(context, request.body as EndpointIn),
        context.now(),
      );
      if (updated === null) throw notFound('endpoint');
      context.engine?.notify();
      return endpointOut(updated);
    },
  );

  app.delete('/api/v1/app/:appId/endpoint/:endpointId', async (request, reply) => {
    const { appId, endpointId } = request.params as { appId: string; endpointId: string };
    const { application, endpoint } = await load(appId, endpointId);
    await context.store.deleteEndpoint(application.id, endpoint.id);
    return reply.code(204).send();
  });

  app.get('/api/v1/app/:appId/endpoint/:endpointId/secret', async (request) => {
    const { appId, endpointId } = request.params as { appId: string; endpointId: string };
    const { endpoint } = await load(appId, endpointId);
    const [current] = await context.store.activeSecrets(endpoint.id, context.now());
    if (current === undefined) throw notFound('secret');
    return { key: current.secret };
  });

  app.post(
    '/api/v1/app/:appId/endpoint/:endpointId/secret/rotate',
    { schema: { body: { type: ['object', 'null'], properties: { key: { type: ['string', 'null'] } } } } },
    async (request, reply) => {
      const { appId, endpointId } = request.params as { appId: string; endpointId: string };
      const { endpoint } = await load(appId, endpointId);
      const key = (request.body as { key?: string | null } | null)?.key;
      const secret = key === undefined || key === null ? standardWebhooks.generateSecret() : checkSecret(key);
      await context.store.rotateSecret(endpoint.id, secret, context.secretRotationGraceMs, context.now());
      return reply.code(204).send();
    },
  );
}
