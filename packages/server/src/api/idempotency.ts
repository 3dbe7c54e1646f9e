// Idempotency-Key on POST: the first 2xx answer is stored and replayed for the same key, caller and path; the
// same key with another request is refused (422); a duplicate that arrives while the first runs waits for it,
// then replays it, or gets 409 if it takes too long. Failures (4xx, 5xx) are not stored, so a retry after a fix
// runs again. The record is written after the route's own write, in its own transaction: a crash between the two
// leaves a record in progress whose lock runs out, and a retry then runs the request again.
import type { FastifyInstance } from 'fastify';
import type { IdempotencyScope } from '../store/idempotency.js';
import type { Store } from '../store/store.js';
import { sha256Hex } from './auth.js';
import { HttpError } from './http-error.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

export interface IdempotencyOptions {
  store: Store;
  now(): number;
  /** How long an answer is replayed (Svix and Stripe: 24 h). */
  ttlMs?: number;
  /** Longer than any request takes: past it, a record left in progress by a dead process is taken over. */
  lockMs?: number;
  /** How long a duplicate waits for the first request before answering 409. */
  waitMs?: number;
  /** The first pause between looks; it doubles up to MAX_POLL_MS, so a long wait costs few store reads. */
  pollMs?: number;
  /** How often expired records are purged while the server runs. */
  purgeEveryMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency record this request holds until its answer is sent. */
    idempotency: IdempotencyScope | null;
  }
}

const MAX_POLL_MS = 100;
const KEY_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** What "the same request" means: method, path with query, and the parsed body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return sha256Hex(JSON.stringify([method, url, body ?? null]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function installIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  const ttlMs = options.ttlMs ?? 86_400_000;
  const lockMs = options.lockMs ?? 60_000;
  const firstPollMs = options.pollMs ?? 5;
  const waitMs = options.waitMs ?? 10_000;
  const { store } = options;
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined || request.caller === null) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new HttpError(422, 'invalid_idempotency_key', 'Idempotency-Key must be 1-256 printable ASCII characters');
    }
    const scope: IdempotencyScope = { callerId: request.caller.keyId, key, path: request.url.split('?', 1)[0] ?? '' };
    const requestSha256 = requestFingerprint(request.method, request.url, request.body);
    // Bounded in count as well as time: with pauses of at least firstPollMs, waitMs / firstPollMs looks suffice.
    const maxLooks = Math.ceil(waitMs / firstPollMs) + 1;
    const deadline = options.now() + waitMs;
    let pauseMs = firstPollMs;
    for (let look = 0; look < maxLooks; look++) {
      const now = options.now();
      const state = await store.beginIdempotent({
        ...scope,
        requestSha256,
        now,
        lockedUntil: now + lockMs,
        expiresAt: now + ttlMs,
      });
      if (state.state === 'acquired') {
        request.idempotency = scope;
        return;
      }
      if (state.requestSha256 !== requestSha256) {
        throw new HttpError(
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was already used for a different request; use a new key for a new request',
        );
      }
      if (state.state === 'completed') {
        reply.code(state.statusCode).header(REPLAYED_HEADER, 'true');
        if (state.body === '') return reply.send();
        return reply.type('application/json; charset=utf-8').send(state.body);
      }
      const left = deadline - options.now();
      if (left <= 0) break;
      await sleep(Math.min(pauseMs, left));
      pauseMs = Math.min(pauseMs * 2, MAX_POLL_MS);
    }
    throw new HttpError(
      409,
      'idempotency_in_progress',
      'a request with this Idempotency-Key is still being processed; retry later',
    );
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.idempotency;
    if (scope === null) return payload;
    request.idempotency = null;
    const status = reply.statusCode;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
    if (status >= 200 && status < 300 && (body !== null || payload === undefined || payload === null)) {
      await store.completeIdempotent(scope, { statusCode: status, body: body ?? '' });
    } else {
      await store.releaseIdempotent(scope);
    }
    return payload;
  });

  // A request whose answer is never sent (the process dies, the socket breaks before onSend) leaves its record in
  // progress; the lock runs out after lockMs and a retry runs it again.

  let purgeTimer: NodeJS.Timeout | null = null;
  const purge = () =>
    store.purgeExpiredIdempotency(options.now()).catch((error: unknown) => {
      app.log.error({ err: error }, 'purging expired idempotency records failed');
    });
  app.addHook('onReady', async () => {
    await purge();
    purgeTimer = setInterval(purge, options.purgeEveryMs ?? 3_600_000);
    purgeTimer.unref();
  });
  app.addHook('onClose', async () => {
    if (purgeTimer !== null) clearInterval(purgeTimer);
  });
}
