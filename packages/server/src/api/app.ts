// The HTTP API, Svix v1 shape. Routes live one resource per file in routes/.
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_PATHS, dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { installAuth } from './auth.js';
import type { ApiContext } from './context.js';
import { installErrorHandlers } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { applicationRoutes } from './routes/applications.js';
import { attemptFeedRoutes } from './routes/attempt-feed.js';
import { attemptRoutes } from './routes/attempts.js';
import { endpointHealthRoutes } from './routes/endpoint-health.js';
import { endpointRoutes } from './routes/endpoints.js';
import { messageRoutes } from './routes/messages.js';
import { METRICS_PATH, metricsRoutes } from './routes/metrics.js';
import { PROBE_PATHS, probeRoutes } from './routes/probes.js';

/** Every input limit is explicit: bodies over 1 MiB are refused with 413 before they are read into memory. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Request line and headers together (431 past it). */
export const MAX_HEADER_BYTES = 16 * 1024;

export const HEALTH_PATH = '/api/v1/health/';

export interface AppOptions {
  /** Without a context only the health route exists (used by tests of the HTTP edge). */
  context?: ApiContext;
  logger?: boolean;
}

export async function createApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 256 },
    http: { maxHeaderSize: MAX_HEADER_BYTES },
  });
  installErrorHandlers(app);
  app.get(HEALTH_PATH, async (_request, reply) => reply.code(204).send());
  app.get('/api/v1/health', async (_request, reply) => reply.code(204).send());
  const context = options.context;
  if (context !== undefined) {
    const metrics = context.metrics;
    if (metrics !== undefined) {
      // The route pattern, not the URL, so ids in paths do not become label values.
      app.addHook('onResponse', async (request, reply) => {
        metrics.httpRequest(
          request.method,
          request.routeOptions.url ?? 'unmatched',
          reply.statusCode,
          reply.elapsedTime,
        );
      });
    }
    installAuth(
      app,
      context.adminTokenSha256,
      new Set([HEALTH_PATH, '/api/v1/health', METRICS_PATH, ...PROBE_PATHS, ...DASHBOARD_PATHS]),
    );
    probeRoutes(app, context);
    metricsRoutes(app, context);
    dashboardRoutes(app);
    applicationRoutes(app, context);
    endpointRoutes(app, context);
    messageRoutes(app, context);
    attemptRoutes(app, context);
    adminRoutes(app, context);
    attemptFeedRoutes(app, context);
    endpointHealthRoutes(app, context);
  }
  return app;
}
