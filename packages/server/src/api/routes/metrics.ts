// GET /metrics in Prometheus text format. Open to scrapers on this machine (loopback); from anywhere else only with
// `Authorization: Bearer <HOOKLINE_METRICS_TOKEN>`, so a server bound to a public address does not publish its
// traffic figures to the world, and a scraper never needs the admin token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256Hex } from '../auth.js';
import type { ApiContext } from '../context.js';
import { HttpError } from '../http-error.js';

export const METRICS_PATH = '/metrics';

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function presentsToken(request: FastifyRequest, expectedSha256: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match === null) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(match[1] as string), 'hex'), Buffer.from(expectedSha256, 'hex'));
}

export function metricsRoutes(app: FastifyInstance, context: ApiContext): void {
  const metrics = context.metrics;
  if (metrics === undefined) return;
  app.get(METRICS_PATH, async (request, reply) => {
    const token = context.metricsTokenSha256 ?? null;
    if (!isLoopback(request.socket.remoteAddress ?? '') && (token === null || !presentsToken(request, token))) {
      throw new HttpError(
        403,
        'metrics_forbidden',
        'metrics are open to loopback scrapers; from elsewhere send Authorization: Bearer <HOOKLINE_METRICS_TOKEN>',
      );
    }
    return reply.header('content-type', metrics.contentType).send(await metrics.text());
  });
}
