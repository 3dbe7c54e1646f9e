// Liveness and readiness for orchestrators (Kubernetes, systemd, load balancers). Live: the process answers.
// Ready: the store answers a read within a bound. Migrations run before the port opens (and `hookline migrate`
// runs them on its own), so a process is never ready on an unmigrated store.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

export const PROBE_PATHS = ['/livez', '/readyz'] as const;

/** A store that takes longer than this to answer one read, and answers nothing else meanwhile, is not ready. */
const STORE_PROBE_TIMEOUT_MS = 2000;

class ProbeTimeoutError extends Error {}

/**
 * Null when the store answers, else why not. Busy is not down: under load the probe's read waited over 2 s for a
 * pooled connection behind the requests keeping the pool busy, and /readyz answered 503 (an orchestrator would then
 * take a loaded instance out of its balancer, and load the others more). A store that answered any statement within
 * the bound is ready; one that is unreachable fails the read at once (StoreUnavailableError) and is not.
 */
async function storeAnswers(context: ApiContext): Promise<string | null> {
  const { store } = context;
  if (store.answeredWithin?.(STORE_PROBE_TIMEOUT_MS) === true) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.getSetting('readiness_probe'),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new ProbeTimeoutError(`no answer within ${STORE_PROBE_TIMEOUT_MS} ms`)),
          STORE_PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return null;
  } catch (error) {
    if (error instanceof ProbeTimeoutError && store.answeredWithin?.(STORE_PROBE_TIMEOUT_MS) === true) return null;
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
