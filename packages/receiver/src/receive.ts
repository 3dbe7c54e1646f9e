// The receiving pipeline, cheapest refusal first: method, address, rate limit, content type, size; then verify
// the raw bytes (or, for a GET, the query string), and only then parse, identify and validate. What happens to a
// verified event is dispatch.ts; how the sender is answered, response-policy.ts.
import { verifyNow } from '@hookline/signatures';
import type { ResolvedConfig } from './config.js';
import { type DispatchContext, dispatch } from './dispatch.js';
import {
  AddressNotAllowedError,
  ForbiddenError,
  InvalidPayloadError,
  MethodNotAllowedError,
  MissingEventTypeError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from './errors.js';
import { headersToRecord, headerValue } from './headers.js';
import { andThen, type MaybePromise } from './maybe-promise.js';
import { queryBytes, readPayload } from './payload.js';
import { reportRefusal } from './refusal.js';
import { errorResponse, jsonResponse } from './respond.js';
import { applyResponsePolicy } from './response-policy.js';
import type { IncomingWebhookRequest, WebhookEvent, WebhookResponse } from './types.js';
import { validatePayload } from './validate.js';

async function admit(config: ResolvedConfig, request: IncomingWebhookRequest): Promise<void> {
  const address = config.clientAddress(request.remoteAddress, headerValue(request.headers, 'x-forwarded-for'));
  if (config.isAllowedAddress !== undefined && !config.isAllowedAddress(address)) {
    throw new AddressNotAllowedError(address);
  }
  if (config.rateLimit !== undefined) {
    const { limit, store, key } = config.rateLimit;
    const decision = await store.take(key?.({ address, request }) ?? address ?? 'unknown', limit);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }
}

/** The body, at once when the adapter has it in hand; a declared length over the limit is refused before reading. */
function readBody(config: ResolvedConfig, request: IncomingWebhookRequest): MaybePromise<Uint8Array> {
  const declared = headerValue(request.headers, 'content-length');
  if (declared !== undefined && Number(declared) > config.maxBodyBytes)
    throw new PayloadTooLargeError(config.maxBodyBytes);
  const body = request.body;
  return typeof body === 'function' ? body(config.maxBodyBytes) : body;
}

async function serveEventLog(context: DispatchContext, request: IncomingWebhookRequest): Promise<WebhookResponse> {
  const authorize = context.config.authorizeEventLog;
  if (authorize === undefined) throw new MethodNotAllowedError(request.method, ['POST']);
  if (!(await authorize(request))) throw new ForbiddenError('not authorized to read the event log');
  return jsonResponse(200, { events: context.eventLog.recent() }, { 'cache-control': 'no-store' });
}

/**
 * The event handed to handlers. `headers` is a plain lowercase record built on first read: most handlers never
 * look, and copying every header of every request is measurable on the hot path. A class, not an object literal
 * with a getter: the literal defines its accessor anew for every event.
 */
class ReceivedEvent implements WebhookEvent {
  #headers: Record<string, string> | undefined;
  readonly #rawHeaders: IncomingWebhookRequest['headers'];
  attempt = 1;

  constructor(
    public id: string | undefined,
    public type: string,
    public payload: unknown,
    rawHeaders: IncomingWebhookRequest['headers'],
    public scheme: string,
    public receivedAt: number,
  ) {
    this.#rawHeaders = rawHeaders;
  }

  get headers(): Record<string, string> {
    this.#headers ??= headersToRecord(this.#rawHeaders);
    return this.#headers;
  }

  /** The event as JSON with its headers, which live behind the getter (a spread copies only own fields). */
  toJSON(): WebhookEvent {
    const { id, type, payload, headers, scheme, receivedAt, attempt } = this;
    return { id, type, payload, headers, scheme, receivedAt, attempt };
  }
}

type Accepted =
  | { reply: WebhookResponse; event?: undefined; names?: undefined }
  | { reply?: undefined; event: WebhookEvent; names: readonly string[] };

/** What the first steps learned about a request, handed to the later ones. */
interface Reading {
  request: IncomingWebhookRequest;
  contentType: string | undefined;
  query: string;
}

function assertAllowedMethod(config: ResolvedConfig, method: string): void {
  if (config.methods.includes(method)) return;
  const allowed = config.authorizeEventLog === undefined ? config.methods : [...config.methods, 'GET'];
  throw new MethodNotAllowedError(method, allowed);
}

/** Where an answer goes: the adapter writes it, `handle` resolves its promise with it. Called once. */
export type Reply = (answer: WebhookResponse) => void;

/** Hands an answer to `reply`, at once or when it is ready; the answer never rejects (each step refuses in it). */
function deliver(answered: MaybePromise<WebhookResponse>, reply: Reply): void {
  if (answered instanceof Promise) void answered.then(reply);
  else reply(answered);
}

/**
 * Content type, then the body (or a GET's query), then everything after it, to `reply`. A body that has to be
 * waited for costs one continuation: the steps after it, and the reply, run in it, at once where they can.
 */
function readThenAnswer(context: DispatchContext, request: IncomingWebhookRequest, reply: Reply): void {
  let reading: Reading;
  let body: MaybePromise<Uint8Array>;
  try {
    const isGet = request.method === 'GET';
    const contentType = headerValue(request.headers, 'content-type');
    if (!isGet && !context.config.isAcceptedContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
    // A GET has no body: its query string is what a scheme verifies and what the payload is read from.
    reading = { request, contentType, query: request.query ?? '' };
    body = isGet ? queryBytes(reading.query) : readBody(context.config, request);
  } catch (error) {
    reply(refuse(context, request, error));
    return;
  }
  if (body instanceof Promise) {
    void body.then(
      (bytes) => deliver(answerBody(context, reading, bytes), reply),
      (error: unknown) => reply(refuse(context, request, error)),
    );
    return;
  }
  deliver(answerBody(context, reading, body), reply);
}

/** Verifies, parses, identifies, validates and dispatches a body in hand. Never throws nor rejects. */
function answerBody(context: DispatchContext, reading: Reading, body: Uint8Array): MaybePromise<WebhookResponse> {
  let answered: MaybePromise<WebhookResponse>;
  try {
    const { maxBodyBytes } = context.config;
    if (body.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
    answered = andThen(acceptBody(context, reading, body), (accepted) => answer(context, accepted));
  } catch (error) {
    return refuse(context, reading.request, error);
  }
  return answered instanceof Promise
    ? answered.catch((error: unknown) => refuse(context, reading.request, error))
    : answered;
}

function acceptBody(context: DispatchContext, reading: Reading, body: Uint8Array): MaybePromise<Accepted> {
  const { config } = context;
  if (config.unsigned) return acceptVerified(context, reading, body, undefined, config.scheme.name);
  const verifyInput = {
    body,
    headers: reading.request.headers,
    secret: config.secret,
    toleranceSeconds: config.toleranceSeconds,
    now: config.now,
  };
  // At once where the scheme can (node:crypto, key imported): a promise turn per request is measurable here.
  const verified = verifyNow(config.scheme, verifyInput);
  if (verified === undefined) {
    return config.scheme
      .verify(verifyInput)
      .then((later) => acceptVerified(context, reading, body, later.id, later.scheme));
  }
  return acceptVerified(context, reading, body, verified.id, verified.scheme);
}

function acceptVerified(
  context: DispatchContext,
  reading: Reading,
  body: Uint8Array,
  verifiedId: string | undefined,
  scheme: string,
): MaybePromise<Accepted> {
  const { config } = context;
  const { request, contentType, query } = reading;
  const payload = readPayload(request.method, contentType, body, query);
  const identity = config.identify({ headers: request.headers, payload, verifiedId });
  if (identity.reply !== undefined) return { reply: jsonResponse(200, identity.reply) };
  const type = identity.type;
  if (typeof type !== 'string' || type === '') throw new MissingEventTypeError('the event type could not be read');
  const names = identity.alsoRoutesAs === undefined ? [type] : [type, ...identity.alsoRoutesAs];

  const event = new ReceivedEvent(identity.id, type, payload, request.headers, scheme, config.now());
  const schema =
    config.schemas.size === 0 ? undefined : names.map((name) => config.schemas.get(name)).find((s) => s !== undefined);
  if (schema === undefined) return { event, names };
  return validatePayload(schema, payload).then((outcome): Accepted => {
    if (!outcome.ok) {
      context.eventLog.add({
        id: event.id,
        type,
        status: 'invalid',
        receivedAt: event.receivedAt,
        updatedAt: event.receivedAt,
      });
      throw new InvalidPayloadError(type, outcome.issues);
    }
    event.payload = outcome.value;
    return { event, names };
  });
}

/** The verified event dispatched, or a handshake's reply, under the response policy. */
function answer(context: DispatchContext, accepted: Accepted): MaybePromise<WebhookResponse> {
  // A handshake (Slack's challenge) is answered as the sender asks, whatever the policy.
  if (accepted.reply !== undefined) return accepted.reply;
  const respond = context.config.respond;
  return andThen(dispatch(context, accepted.event, accepted.names), (answered) =>
    applyResponsePolicy(respond, answered),
  );
}

function refuse(context: DispatchContext, request: IncomingWebhookRequest, error: unknown): WebhookResponse {
  const { config } = context;
  reportRefusal(config, context.refusalListeners, context.eventLog, error, request);
  return applyResponsePolicy(config.respond, errorResponse(error));
}

/** The key of `Webhooks`' method that takes a reply callback; the package's adapters call it. */
export const HANDLE_NOW: unique symbol = Symbol('@hookline/receiver handleNow');

/**
 * One request in, one answer out, to `reply`: before `receive` returns when every step could answer at once, else
 * when the last step that waited is done. Never throws nor rejects: every failure becomes an answer, told to
 * `onRefused`, and given under the response policy (honestly, or always acknowledged).
 */
export function receive(context: DispatchContext, request: IncomingWebhookRequest, reply: Reply): void {
  const { config } = context;
  let answered: MaybePromise<WebhookResponse> | undefined;
  try {
    // GET is the event log's only when it carries no callbacks (the configuration refuses both).
    if (request.method === 'GET' && config.authorizeEventLog !== undefined) {
      answered = serveEventLog(context, request).catch((error: unknown) => refuse(context, request, error));
    } else {
      assertAllowedMethod(config, request.method);
      if (config.isAllowedAddress !== undefined || config.rateLimit !== undefined) {
        void admit(config, request).then(
          () => readThenAnswer(context, request, reply),
          (error: unknown) => reply(refuse(context, request, error)),
        );
        return;
      }
    }
  } catch (error) {
    answered = refuse(context, request, error);
  }
  // The reply is never called inside the try: an adapter's failure to write must not be answered a second time.
  if (answered !== undefined) deliver(answered, reply);
  else readThenAnswer(context, request, reply);
}
