// GET /api/v1/app/{app}/endpoint/{ep}/health: what an operator asks first about an endpoint. Is it disabled, and
// why; is its circuit open (this process's engine); how often did its recent attempts succeed; what were the last
// failures. A Hookline extension.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { notFound } from '../http-error.js';
import { attemptOut } from '../serialize.js';
import { loadApplication } from './applications.js';

/** The success rate is over this many most recent attempts: recent enough to show today's trouble. */
export const HEALTH_WINDOW_ATTEMPTS = 200;
const LAST_FAILURES = 5;

export function endpointHealthRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/v1/app/:appId/endpoint/:endpointId/health', async (request) => {
    const { appId, endpointId } = request.params as { appId: string; endpointId: string };
    const application = await loadApplication(context, appId);
    const endpoint = await context.store.getEndpoint(application.id, endpointId);
    if (endpoint === null) throw notFound('endpoint');
    const [recent, failures] = await Promise.all([
      context.store.listRecentAttempts(application.id, { endpointId: endpoint.id, limit: HEALTH_WINDOW_ATTEMPTS }),
      context.store.listRecentAttempts(application.id, {
        endpointId: endpoint.id,
        outcome: 'failed',
        limit: LAST_FAILURES,
      }),
    ]);
    const succeeded = recent.filter((attempt) => attempt.outcome === 'succeeded').length;
    const gate = context.engine?.stats().endpoints.find((health) => health.endpointId === endpoint.id);
    return {
      endpointId: endpoint.id,
      disabled: endpoint.disabled,
      disabledReason: endpoint.disabledReason,
      failingSince: endpoint.failingSince === null ? null : new Date(endpoint.failingSince).toISOString(),
      // An endpoint the engine holds no state for has nothing counted against it: closed.
      circuit: context.engine === null ? 'unknown' : (gate?.circuit ?? 'closed'),
      inFlight: gate?.inFlight ?? 0,
      recent: {
        attempts: recent.length,
        succeeded,
        failed: recent.length - succeeded,
        successRate: recent.length === 0 ? null : succeeded / recent.length,
      },
      lastFailures: failures.reverse().map((attempt) => attemptOut(attempt)),
    };
  });
}
