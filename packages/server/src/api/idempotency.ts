// Idempotency-Key on POST: the first 2xx answer is stored and replayed for the same key, caller and path; the
// same key with another request is refused (422); a duplicate that arrives while the first runs waits for it,
// then replays it, or gets 409 if it takes too long. Failures (4xx, 5xx) are not stored, so a retry after a fix
// runs again.
// Two ways to store the answer:
// - A route whose one store write makes its answer (publish, batch publish: `config: { answerWithWrite: true }`)
//   stores it in that write's transaction (store AnswerWithWrite): one transaction, no record in progress, and a
//   crash keeps both or neither. Before it runs, the record is only looked up.
// - Any other POST takes a record in progress before the route runs (its own transaction) and completes it after
//   the answer is made (another): a crash between the two leaves a record in progress whose lock runs out, and a
//   retry then runs the request again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  AnswerWithWrite,
  IdempotencyRecordInput,
  IdempotencyScope,
  IdempotencyState,
  LiveIdempotencyRecord,
} from '../store/idempotency.js';
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
    /** On a route whose write stores its answer, with a key no live record has: the record that write takes. */
    idempotentRecord: IdempotencyRecordInput | null;
  }
}

/** A route's config says its store write stores the idempotent answer (see the top of this file). */
const answersWithWrite = (request: FastifyRequest) =>
  (request.routeOptions.config as { answerWithWrite?: boolean } | undefined)?.answerWithWrite === true;

/**
 * The answer of a route whose store write stores it: give `forStore` to the write (undefined without a key), then
 * `send` what the write made. With a key the body is serialized inside the write's transaction by the route's own
 * response schema, and exactly those bytes are both stored and sent.
 */
export class WriteAnswer<Made> {
  readonly forStore: AnswerWithWrite<Made> | undefined;
  private body: string | null = null;

  constructor(
    private readonly reply: FastifyReply,
    private readonly statusCode: number,
    private readonly out: (made: Made) => unknown,
  ) {
    const record = reply.request.idempotentRecord;
    this.forStore =
      record === null
        ? undefined
        : {
            record,
            answer: (made) => {
              const serialized = this.reply.code(this.statusCode).serialize(this.out(made));
              const body =
                typeof serialized === 'string'
                  ? serialized
                  : Buffer.isBuffer(serialized)
                    ? serialized.toString()
                    : Buffer.from(serialized).toString();
              this.body = body;
              return { statusCode: this.statusCode, body };
            },
          };
  }

  send(made: Made): FastifyReply {
    this.reply.code(this.statusCode);
    if (this.body === null) return this.reply.send(this.out(made));
    return this.reply.type('application/json; charset=utf-8').send(this.body);
  }
}

/**
 * What a live record with this key answers a request whose fingerprint is `requestSha256`: a refusal (another request
 * used the key), the replay of its answer (sent), or null while it is still in progress.
 */
function answerFromRecord(
  reply: FastifyReply,
  live: LiveIdempotencyRecord,
  requestSha256: string,
): FastifyReply | HttpError | null {
  if (live.requestSha256 !== requestSha256) return KEY_REUSED();
  if (live.state !== 'completed') return null;
  reply.code(live.statusCode).header(REPLAYED_HEADER, 'true');
  if (live.body === '') return reply.send();
  return reply.type('application/json; charset=utf-8').send(live.body);
}

const KEY_REUSED = () =>
  new HttpError(
    422,
    'idempotency_key_reused',
    'this Idempotency-Key was already used for a different request; use a new key for a new request',
  );
const IN_PROGRESS = () =>
  new HttpError(
    409,
    'idempotency_in_progress',
    'a request with this Idempotency-Key is still being processed; retry later',
  );

/**
 * For the error handler: a write that stores its answer found the key taken by a request that committed first
 * (IdempotencyKeyTakenError). Sends the replay of its answer, or gives the refusal the look before the write would
 * have given (another request: 422; still in progress: 409). Null when the request had no record of its own (only a
 * write given one can find its key taken, so a fault of ours: the handler answers it as any other).
 */
export function answerKeyTaken(
  request: FastifyRequest,
  reply: FastifyReply,
  live: LiveIdempotencyRecord,
): FastifyReply | HttpError | null {
  const requestSha256 = request.idempotentRecord?.requestSha256;
  if (requestSha256 === undefined) return null;
  return answerFromRecord(reply, live, requestSha256) ?? IN_PROGRESS();
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
  app.decorateRequest('idempotentRecord', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined || request.caller === null) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw new HttpError(422, 'invalid_idempotency_key', 'Idempotency-Key must be 1-256 printable ASCII characters');
    }
    const scope: IdempotencyScope = { callerId: request.caller.keyId, key, path: request.url.split('?', 1)[0] ?? '' };
    const requestSha256 = requestFingerprint(request.method, request.url, request.body);
    const withWrite = answersWithWrite(request);
    // A route whose write stores its answer only looks; any other takes a record in progress now.
    const look = async (now: number): Promise<IdempotencyState> => {
      if (!withWrite) {
        return store.beginIdempotent({
          ...scope,
          requestSha256,
          now,
          lockedUntil: now + lockMs,
          expiresAt: now + ttlMs,
        });
      }
      const live = await store.lookupIdempotent(scope, now);
      if (live !== null) return live;
      request.idempotentRecord = { ...scope, requestSha256, now, expiresAt: now + ttlMs };
      return { state: 'acquired' };
    };
    // Bounded in count as well as time: with pauses of at least firstPollMs, waitMs / firstPollMs looks suffice.
    const maxLooks = Math.ceil(waitMs / firstPollMs) + 1;
    const deadline = options.now() + waitMs;
    let pauseMs = firstPollMs;
    for (let attempt = 0; attempt < maxLooks; attempt++) {
      const state = await look(options.now());
      if (state.state === 'acquired') {
        if (!withWrite) request.idempotency = scope;
        return;
      }
      const answer = answerFromRecord(reply, state, requestSha256);
      if (answer instanceof HttpError) throw answer;
      if (answer !== null) return answer;
      const left = deadline - options.now();
      if (left <= 0) break;
      await sleep(Math.min(pauseMs, left));
      pauseMs = Math.min(pauseMs * 2, MAX_POLL_MS);
    }
    throw IN_PROGRESS();
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
