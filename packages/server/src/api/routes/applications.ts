import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { applicationOut, listOut } from '../serialize.js';
import { listOptions, listQuerySchema } from './pagination.js';

const uidSchema = { type: ['string', 'null'], minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' } as const;
const metadataSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

const applicationIn = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    uid: uidSchema,
    rateLimit: { type: ['integer', 'null'], minimum: 1 },
    metadata: metadataSchema,
  },
} as const;

interface ApplicationIn {
  name: string;
  uid?: string | null;
  rateLimit?: number | null;
  metadata?: Record<string, string>;
}

export async function loadApplication(context: ApiContext, idOrUid: string) {
  const app = await context.store.getApplication(idOrUid);
  if (app === null) throw notFound('application');
  return app;
}

export function applicationRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/v1/app', { schema: { querystring: listQuerySchema } }, async (request) => {
    requireAdmin(request);
    return listOut(await context.store.listApplications(listOptions(request.query)), applicationOut);
  });

  app.post('/api/v1/app', { schema: { body: applicationIn } }, async (request, reply) => {
    requireAdmin(request);
    const body = request.body as ApplicationIn;
    const query = request.query as { get_if_exists?: string };
    if (query.get_if_exists === 'true' && body.uid !== undefined && body.uid !== null) {
      const existing = await context.store.getApplication(body.uid);
      if (existing !== null) return reply.code(200).send(applicationOut(existing));
    }
    if (typeof body.uid === 'string' && /^app_/.test(body.uid)) {
      throw new HttpError(422, 'validation', 'a uid may not start with app_ (ids do)');
    }
    const created = await context.store.createApplication(
      {
        name: body.name,
        uid: body.uid ?? null,
        rateLimit: body.rateLimit ?? null,
        metadata: body.metadata ?? {},
      },
      context.now(),
    );
    return reply.code(201).send(applicationOut(created));
  });

  app.get('/api/v1/app/:appId', async (request) => {
    const { appId } = request.params as { appId: string };
    return applicationOut(await loadApplication(context, appId));
  });

  app.delete('/api/v1/app/:appId', async (request, reply) => {
    const { appId } = request.params as { appId: string };
    const application = await loadApplication(context, appId);
    await context.store.deleteApplication(application.id);
    return reply.code(204).send();
  });
}
