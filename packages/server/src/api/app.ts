// The HTTP API. For now only the health route; the delivery-engine issue grows it into the Svix-shaped API.
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from './errors.js';

export interface AppOptions {
  logger?: boolean;
}

/** Every input limit is explicit: a body over 1 MiB is refused with 413 before it is read into memory. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function createApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES });
  installErrorHandlers(app);
  app.get('/api/v1/health/', async (_request, reply) => reply.code(204).send());
  return app;
}
