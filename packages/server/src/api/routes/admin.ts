// Instance-wide operations (admin token): pause and resume delivery, for maintenance windows. Published events are
// still accepted and stored while paused; they flow on resume. A Hookline extension, not part of Svix's API.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { HttpError } from '../http-error.js';

export function adminRoutes(app: FastifyInstance, context: ApiContext): void {
  const engine = () => {
    if (context.engine === null) throw new HttpError(409, 'no_engine', 'this process runs no delivery engine');
    return context.engine;
  };

  app.get('/api/v1/admin/delivery', async () => {
    const { paused, inFlight, delivered, failed } = engine().stats();
    return { paused, inFlight, delivered, failed };
  });

  app.post('/api/v1/admin/delivery/pause', async (_request, reply) => {
    engine().pause();
    return reply.code(204).send();
  });

  app.post('/api/v1/admin/delivery/resume', async (_request, reply) => {
    engine().resume();
    return reply.code(204).send();
  });
}
