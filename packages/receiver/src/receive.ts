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

async function readBody(config: ResolvedConfig, request: IncomingWebhookRequest): Promise<Uint8Array> {
  const declared = headerValue(request.headers, 'content-length');
  // A declared length over the limit is refused before a byte is read.
  if (declared !== undefined && Number(declared) > config.maxBodyBytes)
    throw new PayloadTooLargeError(config.maxBodyBytes);
  const body = typeof request.body === 'function' ? await request.body(config.maxBodyBytes) : request.body;
  if (body.byteLength > config.maxBodyBytes) throw new PayloadTooLargeError(config.maxBodyBytes);
  return body;
}

async function serveEventLog(context: DispatchContext, request: IncomingWebhookRequest): Promise<WebhookResponse> {
  const authorize = context.config.authorizeEventLog;
  if (authorize === undefined) throw new MethodNotAllowedError(request.method, ['POST']);
  if (!(await authorize(request))) throw new ForbiddenError('not authorized to read the event log');
  return jsonResponse(200, { events: context.eventLog.recent() }, { 'cache-control': 'no-store' });
}

/**
 * The event handed to handlers. `headers` is a plain lowercase record built on first read: most handlers never
 * look, and copying every header of every request is measurable on the hot path.
 */
function createEvent(
  id: string | undefined,
  type: string,
  payload: unknown,
  rawHeaders: IncomingWebhookRequest['headers'],
  scheme: string,
  receivedAt: number,
): WebhookEvent {
  let headers: Record<string, string> | undefined;
  return {
    id,
    type,
    payload,
    get headers() {
      headers ??= headersToRecord(rawHeaders);
      return headers;
    },
    scheme,
    receivedAt,
    attempt: 1,
  };
}

type Accepted =
  | { reply: WebhookResponse; event?: undefined; names?: undefined }
  | { reply?: undefined; event: WebhookEvent; names: readonly string[] };

/** Admits, reads, verifies, parses, identifies and validates one request; throws its refusal. */
async function accept(context: DispatchContext, request: IncomingWebhookRequest): Promise<Accepted> {
  const { config } = context;
  const method = request.method;
  if (!config.methods.includes(method)) {
    const allowed = config.authorizeEventLog === undefined ? config.methods : [...config.methods, 'GET'];
    throw new MethodNotAllowedError(method, allowed);
  }
  if (config.isAllowedAddress !== undefined || config.rateLimit !== undefined) await admit(config, request);
  const isGet = method === 'GET';
  const contentType = headerValue(request.headers, 'content-type');
  if (!isGet && !config.isAcceptedContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
  // A GET has no body: its query string is what a scheme verifies and what the payload is read from.
  const query = request.query ?? '';
  const body = isGet ? queryBytes(query) : await readBody(config, request);

  let verifiedId: string | undefined;
  let scheme = config.scheme.name;
  if (!config.unsigned) {
    const verifyInput = {
      body,
      headers: request.headers,
      secret: config.secret,
      toleranceSeconds: config.toleranceSeconds,
      now: config.now,
    };
    // At once where the scheme can (node:crypto, key imported): a promise turn per request is measurable here.
    const verified = verifyNow(config.scheme, verifyInput) ?? (await config.scheme.verify(verifyInput));
    verifiedId = verified.id;
    scheme = verified.scheme;
  }
  const payload = readPayload(method, contentType, body, query);
  const identity = config.identify({ headers: request.headers, payload, verifiedId });
  if (identity.reply !== undefined) return { reply: jsonResponse(200, identity.reply) };
  const type = identity.type;
  if (typeof type !== 'string' || type === '') throw new MissingEventTypeError('the event type could not be read');
  const names = identity.alsoRoutesAs === undefined ? [type] : [type, ...identity.alsoRoutesAs];

  const event = createEvent(identity.id, type, payload, request.headers, scheme, config.now());
  const schema =
    config.schemas.size === 0 ? undefined : names.map((name) => config.schemas.get(name)).find((s) => s !== undefined);
  if (schema !== undefined) {
    const outcome = await validatePayload(schema, payload);
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
  }
  return { event, names };
}

/**
 * One request in, one answer out. Never throws: every failure becomes a response, told to `onRefused`, and
 * answered under the response policy (honestly, or always acknowledged).
 */
export async function receive(context: DispatchContext, request: IncomingWebhookRequest): Promise<WebhookResponse> {
  const { config } = context;
  try {
    // GET is the event log's only when it carries no callbacks (the configuration refuses both).
    if (request.method === 'GET' && config.authorizeEventLog !== undefined)
      return await serveEventLog(context, request);
    const accepted = await accept(context, request);
    // A handshake (Slack's challenge) is answered as the sender asks, whatever the policy.
    if (accepted.reply !== undefined) return accepted.reply;
    return applyResponsePolicy(config.respond, await dispatch(context, accepted.event, accepted.names));
  } catch (error) {
    reportRefusal(config, context.refusalListeners, context.eventLog, error, request);
    return applyResponsePolicy(config.respond, errorResponse(error));
  }
}
