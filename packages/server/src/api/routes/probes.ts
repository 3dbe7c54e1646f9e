// Liveness and readiness for orchestrators (Kubernetes, systemd, load balancers). Live: the process answers.
// Ready: the store answers a read within a bound. Migrations run before the port opens (and `hookline migrate`
// runs them on its own), so a process is never ready on an unmigrated store.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

export const PROBE_PATHS = ['/livez', '/readyz'] as const;

/** A store that takes longer than this to answer one read is not ready to serve. */
const STORE_PROBE_TIMEOUT_MS = 2000;

async function storeAnswers(context: ApiContext): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      context.store.getSetting('readiness_probe'),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${STORE_PROBE_TIMEOUT_MS} ms`)),
          STORE_PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

export function probeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/livez', async () => ({ status: 'live' }));

  app.get('/readyz', async (_request, reply) => {
    const problem = await storeAnswers(context);
    if (problem !== null) return reply.code(503).send({ code: 'not_ready', detail: `the store is down: ${problem}` });
    return { status: 'ready' };
  });
}
