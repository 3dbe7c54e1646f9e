// The HTTP API, Svix v1 shape. Routes live one resource per file in routes/.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../config.js';
import { DASHBOARD_PATHS, dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { type TestReceiverOptions, testReceiverRoutes } from '../dev/test-receiver.js';
import { Ingest } from '../operations/ingest.js';
import { installAuth } from './auth.js';
import { BODY_LIMIT_BYTES } from './body-limit.js';
import { capConnectionsPerAddress, serverTimeoutOptions } from './connection-limits.js';
import type { ApiContext } from './context.js';
import { installErrorHandlers } from './errors.js';
import { HttpError } from './http-error.js';
import { installIdempotency } from './idempotency.js';
import { installInputGuard } from './input-guard.js';
import { OpenApiCollector } from './openapi.js';
import { installRequestId, requestIdOf } from './request-id.js';
import { lazyRequestLogger } from './request-logger.js';
import { recordRoutes } from './route-registry.js';
import { adminRoutes } from './routes/admin.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { applicationRoutes } from './routes/applications.js';
import { attemptFeedRoutes } from './routes/attempt-feed.js';
import { attemptRoutes } from './routes/attempts.js';
import { endpointHeaderRoutes } from './routes/endpoint-headers.js';
import { endpointHealthRoutes } from './routes/endpoint-health.js';
import { endpointOrderingRoutes } from './routes/endpoint-ordering.js';
import { endpointStatsRoutes } from './routes/endpoint-stats.js';
import { endpointTestEventRoutes } from './routes/endpoint-test-event.js';
import { endpointRoutes } from './routes/endpoints.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { ingestRoutes } from './routes/ingest.js';
import { listenRoutes } from './routes/listen.js';
import { messageRoutes } from './routes/messages.js';
import { METRICS_PATH, metricsRoutes } from './routes/metrics.js';
import { operationalWebhookRoutes } from './routes/operational-webhooks.js';
import { PROBE_PATHS, probeRoutes } from './routes/probes.js';
import { OPENAPI_PATH, REFERENCE_PATH, referenceRoutes } from './routes/reference.js';
import { sourceRoutes } from './routes/sources.js';
import { lazySchemaCompilers } from './schema-compilers.js';

/** Request line and headers together (431 past it). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The URL alone (414 past it). Below MAX_HEADER_BYTES, so a long URL gets its own answer. */
export const MAX_URL_BYTES = 8 * 1024;

export const HEALTH_PATH = '/api/v1/health/';

export interface AppOptions {
  /** Without a context only the health route exists (used by tests of the HTTP edge). */
  context?: ApiContext;
  /** Timeouts and the connection cap of the HTTP server (default: DEFAULT_HTTP_LIMITS). */
  limits?: HttpLimits;
  /** Where 5xx answers are logged (one line each, errors.ts); without one, nowhere (tests of the HTTP edge). */
  logger?: Logger;
  /** Development mode's test receiver (POST /dev/receiver/{app}); absent in production. */
  testReceiver?: TestReceiverOptions;
}

/** Node answers a request whose head is too large before Fastify sees it; this gives that answer our JSON body. */
function clientErrorAnswer(error: Error & { code?: string }): string {
  const [status, reason, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout']
        : [400, 'Bad Request', 'bad_request'];
  const body = JSON.stringify({ code, detail: `the request could not be read (${error.code ?? 'unknown'})` });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export async function createApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger | undefined = options.logger;
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const app = Fastify({
    ...(loggerInstance === undefined ? {} : { loggerInstance }),
    // No line per request (a busy API would log thousands a second): errors.ts logs the line of each 5xx.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    // The request's pino child is made when the request first logs (request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    // Requests are validated by the operations' validator, the one embedded calls go through too; every schema,
    // input or answer, is compiled at its route's first use (schema-compilers.ts).
    schemaController: { compilersFactory: lazySchemaCompilers },
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 256 },
    http: { maxHeaderSize: MAX_HEADER_BYTES, ...serverTimeoutOptions(limits) },
    requestTimeout: limits.requestTimeoutMs,
    // `date-time` is the one parser every route converts with (input/instant.ts): what the schema accepts converts.
    // Errors Fastify raises before routing (a path parameter over maxParamLength, a malformed URL) skip the error
    // handler: answer them in our shape too.
    frameworkErrors: (error, _request, reply) => {
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'bad_url';
      return (reply as unknown as FastifyReply).code(status).send({ code, detail: error.message.slice(0, 200) });
    },
    clientErrorHandler: (error, socket) => {
      if (socket.writable) socket.end(clientErrorAnswer(error));
      else socket.destroy();
    },
  });
  capConnectionsPerAddress(app.server, limits.maxConnectionsPerAddress);
  // Before any route is added, so every route is recorded.
  recordRoutes(app);
  const publicPaths = new Set([
    HEALTH_PATH,
    '/api/v1/health',
    OPENAPI_PATH,
    REFERENCE_PATH,
    METRICS_PATH,
    ...PROBE_PATHS,
    ...DASHBOARD_PATHS,
  ]);
  const openapi = new OpenApiCollector(
    {
      title: 'Hookline',
      version: '1',
      description: 'Webhook delivery service; Svix v1 compatible API',
    },
    publicPaths,
  );
  openapi.install(app);
  installRequestId(app);
  installErrorHandlers(app);
  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_BYTES) {
      throw new HttpError(414, 'uri_too_long', `the URL is longer than ${MAX_URL_BYTES} bytes`);
    }
  });
  const health = {
    schema: {
      tags: ['Health'],
      operationId: 'v1.health.get',
      summary: 'Answers 204 while the server runs',
      response: { 204: { type: 'null' } },
    },
  };
  app.get(HEALTH_PATH, health, async (_request, reply) => reply.code(204).send());
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
    installAuth(app, context);
    // Before idempotency: a refused request must not leave a record, nor be fingerprinted at any depth.
    installInputGuard(app);
    installIdempotency(app, context);
    probeRoutes(app, context);
    metricsRoutes(app, context);
    dashboardRoutes(app);
    applicationRoutes(app, context);
    eventTypeRoutes(app, context);
    endpointRoutes(app, context);
    endpointHeaderRoutes(app, context);
    endpointTestEventRoutes(app, context);
    endpointStatsRoutes(app, context);
    messageRoutes(app, context);
    attemptRoutes(app, context);
    adminRoutes(app, context);
    attemptFeedRoutes(app, context);
    endpointHealthRoutes(app, context);
    endpointOrderingRoutes(app, context);
    apiKeyRoutes(app, context);
    sourceRoutes(app, context);
    operationalWebhookRoutes(app, context);
    listenRoutes(app, context);
    const ingest = new Ingest({
      store: context.store,
      now: context.now,
      network: context.inbound?.network ?? {},
      accepted: () => context.inbound?.accepted(),
      onError: (error, detail) => options.logger?.error({ err: error, ...detail }, 'inbound request not accepted'),
    });
    ingestRoutes(app, ingest);
    if (options.testReceiver !== undefined) testReceiverRoutes(app, options.testReceiver);
  }
  referenceRoutes(app, openapi);
  return app;
}
