// The receiving pipeline, cheapest refusal first: method, address, rate limit, content type, size; then verify
// the raw bytes, and only then parse, identify and validate. What happens to a verified event is dispatch.ts.
import { verifyNow } from '@hookline/signatures';
import type { ResolvedConfig } from './config.js';
import { type DispatchContext, dispatch } from './dispatch.js';
import {
  AddressNotAllowedError,
  ForbiddenError,
  InvalidPayloadError,
  MalformedJsonError,
  MethodNotAllowedError,
  MissingEventTypeError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from './errors.js';
import { headersToRecord, headerValue } from './headers.js';
import { errorResponse, jsonResponse } from './respond.js';
import type { IncomingWebhookRequest, WebhookEvent, WebhookResponse } from './types.js';
import { validatePayload } from './validate.js';

// fatal: invalid UTF-8 is malformed input, not something to paper over with U+FFFD. The BOM, if any, is dropped
// for parsing only: the signature was checked on the bytes as they came.
const utf8 = new TextDecoder('utf-8', { fatal: true });

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

function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MalformedJsonError('the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError('the body is not valid JSON');
  }
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

/** One request in, one answer out. Never throws: every failure becomes a response. */
export async function receive(context: DispatchContext, request: IncomingWebhookRequest): Promise<WebhookResponse> {
  const { config } = context;
  try {
    if (request.method !== 'POST') {
      if (request.method === 'GET') return await serveEventLog(context, request);
      throw new MethodNotAllowedError(
        request.method,
        config.authorizeEventLog === undefined ? ['POST'] : ['POST', 'GET'],
      );
    }
    if (config.isAllowedAddress !== undefined || config.rateLimit !== undefined) await admit(config, request);
    const contentType = headerValue(request.headers, 'content-type');
    if (!config.isAcceptedContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
    const body = await readBody(config, request);

    const verifyInput = {
      body,
      headers: request.headers,
      secret: config.secret,
      toleranceSeconds: config.toleranceSeconds,
      now: config.now,
    };
    // At once where the scheme can (node:crypto, key imported): a promise turn per request is measurable here.
    const verified = verifyNow(config.scheme, verifyInput) ?? (await config.scheme.verify(verifyInput));
    const payload = parseJson(body);
    const identity = config.identify({ headers: request.headers, payload, verifiedId: verified.id });
    if (identity.reply !== undefined) return jsonResponse(200, identity.reply);
    const type = identity.type;
    if (typeof type !== 'string' || type === '') throw new MissingEventTypeError('the event type could not be read');
    const names = identity.alsoRoutesAs === undefined ? [type] : [type, ...identity.alsoRoutesAs];

    const event = createEvent(identity.id, type, payload, request.headers, verified.scheme, config.now());
    const schema =
      config.schemas.size === 0
        ? undefined
        : names.map((name) => config.schemas.get(name)).find((s) => s !== undefined);
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
    return await dispatch(context, event, names);
  } catch (error) {
    return errorResponse(error);
  }
}
