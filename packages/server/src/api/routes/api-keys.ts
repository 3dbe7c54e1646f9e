// API keys (admin only, see access-policy.ts): create (the key is in this one answer and never again), list
// without secrets, revoke. Plus app-portal-access in Svix's spirit: a key scoped to one application, for a
// customer portal.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { notFound } from '../../operations/errors.js';
import type { ApiKey } from '../../store/api-keys.js';
import { sha256Hex } from '../auth.js';
import type { ApiContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

/** 32 random bytes: guessing is hopeless, so a plain SHA-256 is a safe way to store and find it. */
export function generateApiKey(): string {
  return `hl_sk_${randomBytes(32).toString('base64url')}`;
}

const PREFIX_CHARS = 10;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function apiKeyOut(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    appId: key.appId,
    scope: key.appId === null ? 'admin' : 'application',
    prefix: key.prefix,
    last4: key.last4,
    createdAt: iso(key.createdAt),
    lastUsedAt: iso(key.lastUsedAt),
  };
}

async function createKey(context: ApiContext, name: string, appId: string | null) {
  const secret = generateApiKey();
  const key = await context.store.createApiKey(
    { name, appId, keySha256: sha256Hex(secret), prefix: secret.slice(0, PREFIX_CHARS), last4: secret.slice(-4) },
    context.now(),
  );
  return { ...apiKeyOut(key), key: secret };
}

const nameSchema = { type: 'string', minLength: 1, maxLength: 256 } as const;

export function apiKeyRoutes(app: FastifyInstance, context: ApiContext): void {
  app.post(
    '/api/v1/auth/api-key',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: nameSchema, appId: { type: ['string', 'null'], minLength: 1, maxLength: 256 } },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; appId?: string | null };
      const appId =
        body.appId === undefined || body.appId === null ? null : (await findApplication(context, body.appId)).id;
      return reply.code(201).send(await createKey(context, body.name, appId));
    },
  );

  app.get(
    '/api/v1/auth/api-key',
    {
      schema: {
        querystring: {
          ...listQuerySchema,
          properties: { ...listQuerySchema.properties, appId: { type: 'string', minLength: 1, maxLength: 256 } },
        },
      },
    },
    async (request) => {
      const query = request.query as { appId?: string; limit?: number; iterator?: string };
      const filter = query.appId === undefined ? {} : { appId: (await findApplication(context, query.appId)).id };
      // Keys page forward only (a handful per application): no prevIterator is offered, and none is taken.
      const options = listOptions(query);
      if (options.backward) throw new HttpError(422, 'validation', 'API key lists page forward only');
      const page = listOut(await context.store.listApiKeys(filter, options), apiKeyOut, options);
      return { ...page, prevIterator: null };
    },
  );

  app.delete('/api/v1/auth/api-key/:keyId', async (request, reply) => {
    const { keyId } = request.params as { keyId: string };
    if (!(await context.store.revokeApiKey(keyId, context.now()))) throw notFound('API key');
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/auth/app-portal-access/:appId',
    {
      schema: {
        body: { type: ['object', 'null'], properties: { name: nameSchema } },
      },
    },
    async (request, reply) => {
      const { appId } = request.params as { appId: string };
      const application = await findApplication(context, appId);
      const name = (request.body as { name?: string } | null)?.name ?? `portal: ${application.name}`;
      const created = await createKey(context, name, application.id);
      return reply.code(201).send({ ...created, token: created.key });
    },
  );
}
