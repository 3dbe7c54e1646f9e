// GET /api/v1/app/{app}/endpoint/{ep}/health: what an operator asks first about an endpoint. Is it disabled, and
// why; is its circuit open (as the gates that apply it see it); how often did its recent attempts succeed; what were the last
// failures. A Hookline extension.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { notFound } from '../../operations/errors.js';
import type { ApiContext } from '../context.js';
import { messageAttemptOutSchema, pathId } from '../schemas.js';
import { attemptOut } from '../serialize.js';

/** The success rate is over this many most recent attempts: recent enough to show today's trouble. */
export const HEALTH_WINDOW_ATTEMPTS = 200;
const LAST_FAILURES = 5;

const healthSchema = {
  type: 'object',
  required: [
    'endpointId',
    'disabled',
    'disabledReason',
    'failingSince',
    'circuit',
    'inFlight',
    'recent',
    'lastFailures',
  ],
  properties: {
    endpointId: { type: 'string' },
    disabled: { type: 'boolean' },
    disabledReason: { type: ['string', 'null'] },
    failingSince: { type: ['string', 'null'], format: 'date-time' },
    circuit: { type: 'string', enum: ['closed', 'open', 'half-open', 'unknown'] },
    inFlight: { type: 'integer' },
    recent: {
      type: 'object',
      required: ['attempts', 'succeeded', 'failed', 'successRate'],
      properties: {
        attempts: { type: 'integer' },
        succeeded: { type: 'integer' },
        failed: { type: 'integer' },
        successRate: { type: ['number', 'null'] },
      },
    },
    lastFailures: { type: 'array', items: messageAttemptOutSchema },
  },
} as const;

export function endpointHealthRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get(
    '/api/v1/app/:appId/endpoint/:endpointId/health',
    {
      schema: {
        tags: ['Endpoint'],
        operationId: 'hookline.endpoint.health',
        summary: 'Disabled and why, circuit state (this process), success rate of recent attempts, last failures',
        params: {
          type: 'object',
          required: ['appId', 'endpointId'],
          properties: { appId: pathId, endpointId: pathId },
        },
        response: { 200: healthSchema },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params as { appId: string; endpointId: string };
      const application = await findApplication(context, appId);
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
      // The engine's gates (in process on SQLite), or the database's (PostgreSQL) even where no engine runs; a
      // process with neither cannot know.
      const gate = await (context.engine?.endpointGate(endpoint.id) ??
        context.store.endpointGates?.().stateOf(endpoint.id, Date.now()) ??
        null);
      return {
        endpointId: endpoint.id,
        disabled: endpoint.disabled,
        disabledReason: endpoint.disabledReason,
        failingSince: endpoint.failingSince === null ? null : new Date(endpoint.failingSince).toISOString(),
        circuit: gate?.circuit ?? 'unknown',
        inFlight: gate?.inFlight ?? 0,
        recent: {
          attempts: recent.length,
          succeeded,
          failed: recent.length - succeeded,
          successRate: recent.length === 0 ? null : succeeded / recent.length,
        },
        lastFailures: failures.reverse().map((attempt) => attemptOut(attempt)),
      };
    },
  );
}
