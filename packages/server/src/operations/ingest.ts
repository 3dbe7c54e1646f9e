// The public ingest URL of a source: one request in, one answer out. Cheapest refusal first, as the receiver's
// pipeline: method, address, rate limit, content type, size; then verify the raw bytes (a GET: its query string),
// read the payload, identify the event, run the fetch-back check; then commit the request (raw body, headers,
// query) and only then answer. The relay to the application's endpoints runs after the answer (relay.ts), from
// the committed row, so a crash between the two loses nothing. Refusals are logged with their reason, never stored
// as events; a throttled request is not logged (a flood must not become a flood of writes).
import {
  AddressNotAllowedError,
  applyResponsePolicy,
  describeError,
  EventRejectedError,
  errorResponse,
  isFormContentType,
  isReceiverError,
  isSignatureError,
  MalformedFormError,
  MalformedJsonError,
  MethodNotAllowedError,
  MissingEventTypeError,
  type OutboundNetworkPolicy,
  PayloadTooLargeError,
  RateLimitedError,
  readPayload,
  UnsupportedMediaTypeError,
  verifyNow,
  type WebhookResponse,
} from '@hookline/receiver';
import { findInputProblem } from '../input/well-formed.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { Source } from '../store/sources.js';
import type { Store } from '../store/store.js';
import { forwardedHeaders } from './forwarded-headers.js';
import { SourceCache } from './source-cache.js';
import { type CompiledSource, compileSource } from './source-verifier.js';

export interface InboundHttpRequest {
  method: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw query string, without `?`. */
  query: string;
  /** The raw body; empty for a GET. */
  body: Uint8Array;
  remoteAddress: string | undefined;
}

export interface IngestContext {
  store: Store;
  now(): number;
  /** Who the fetch-back GET may reach: the server's SSRF policy. */
  network: OutboundNetworkPolicy;
  /** Told of each accepted request, to relay it at once. */
  accepted(requestId: string): void;
  /** Where a failure that is ours (not the request's) is told; never a secret or a body. */
  onError(error: unknown, detail: { sourceId: string }): void;
}

const METHODS = ['GET', 'POST'];

/** JSON (any `+json`) or a form: what the event can be identified in. */
function isAcceptedContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (isFormContentType(contentType)) return true;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/**
 * A body as the text it is kept and relayed as. readPayload has already refused one that is not UTF-8; a NUL
 * (which JSON cannot hold raw, and PostgreSQL text cannot hold at all) can only be in a form, and is refused.
 */
function bodyText(body: Uint8Array): string {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.includes('\u0000')) throw new MalformedFormError('the form body holds a NUL character');
  return text;
}

/**
 * The payload must be what the publish API would take (input/well-formed.ts): its values become the event id the
 * request is deduped on (PostgreSQL refuses a NUL in text: a `"id":"a\\u0000"` answered 503 forever), the message
 * the relay publishes, and what the API and dashboard show (a body nested 5,000 deep was stored, and then failed
 * every message list: JSON.stringify overflows the stack at 5,000). A JSON body can escape NUL and lone surrogates, and JSON.parse makes
 * 1e400 Infinity; a form or a query can percent-encode NUL. Refused as malformed, under the source's policy.
 */
function refuseIllFormed(payload: unknown, fields: boolean): void {
  const problem = findInputProblem(payload);
  if (problem === null) return;
  // The path is JSON-escaped, so the detail (kept in the refusal log) never carries the NUL it reports.
  const where = problem.path
    .slice(0, 8)
    .map((step) => (typeof step === 'number' ? `[${step}]` : `.${JSON.stringify(step).slice(1, -1).slice(0, 64)}`))
    .join('');
  const detail = `the ${fields ? 'fields' : 'body'} at $${where}: ${problem.msg}`;
  throw fields ? new MalformedFormError(detail) : new MalformedJsonError(detail);
}

/** An event name the API can list and filter on: Shopify's `orders/create` becomes `orders.create`. */
export function eventTypeOf(type: string): string {
  return type.replace(/[^a-zA-Z0-9\-_.]/g, '.').slice(0, 256);
}

const json = (status: number, body: unknown): WebhookResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** What a source id or uid can look like (operations/schemas.ts's uid rule): anything else names no source. */
const SOURCE_NAME = /^[a-zA-Z0-9\-_.]{1,256}$/;

const NOT_FOUND = json(404, { code: 'not_found', detail: 'source not found' });
const UNAVAILABLE = json(503, {
  code: 'unavailable',
  detail: 'the request could not be accepted now; send it again later',
});

interface Judged {
  eventType: string;
  eventId: string | null;
  /** The answer instead of storing (Slack's url_verification handshake). */
  reply?: WebhookResponse;
}

export class Ingest {
  private readonly sources: SourceCache<Source, CompiledSource>;

  constructor(private readonly context: IngestContext) {
    this.sources = new SourceCache(
      (idOrUid) => context.store.findSource(idOrUid),
      context.now,
      (source) => compileSource(source, context.network),
    );
  }

  /** Never throws: every outcome is an answer, under the source's response policy. */
  async receive(sourceIdOrUid: string, request: InboundHttpRequest): Promise<WebhookResponse> {
    const found = await this.lookup(sourceIdOrUid);
    if (found.answer !== undefined) return found.answer;
    const { compiled } = found;
    const { source } = compiled;
    const partial: { eventType: string | null; eventId: string | null } = { eventType: null, eventId: null };
    try {
      const judged = await this.judge(compiled, request, partial);
      if (judged.reply !== undefined) return judged.reply;
      const { id, duplicate } = await this.context.store.acceptInbound(
        {
          sourceId: source.id,
          appId: source.appId,
          method: request.method,
          eventType: judged.eventType,
          eventId: judged.eventId,
          remoteAddress: request.remoteAddress ?? null,
          body: request.method === 'GET' ? request.query : bodyText(request.body),
          headers: forwardedHeaders(request.headers, {
            credentialHeader: compiled.credentialHeader,
            method: request.method,
          }),
          query: request.query,
          signatureMode: source.signatureMode,
        },
        this.context.now(),
      );
      if (duplicate) {
        await this.logRefusal(source, request, partial, 'duplicate', `already accepted as ${id}`);
        return applyResponsePolicy(compiled.respond, json(200, { status: 'duplicate', id }));
      }
      this.context.accepted(id);
      return applyResponsePolicy(compiled.respond, json(200, { status: 'accepted', id }));
    } catch (error) {
      return this.refuse(compiled, request, partial, error);
    }
  }

  /** A request refused before its body could be read (too large, cut short), under the source's policy. */
  async refuseUnread(sourceIdOrUid: string, request: InboundHttpRequest, error: unknown): Promise<WebhookResponse> {
    const found = await this.lookup(sourceIdOrUid);
    if (found.answer !== undefined) return found.answer;
    return this.refuse(found.compiled, request, { eventType: null, eventId: null }, error);
  }

  /** The source, ready to judge; or the answer when there is none to judge with. */
  private async lookup(
    sourceIdOrUid: string,
  ): Promise<{ compiled: CompiledSource; answer?: undefined } | { answer: WebhookResponse }> {
    // A name no source can have is not looked up (a NUL, say, which PostgreSQL would refuse outright).
    if (!SOURCE_NAME.test(sourceIdOrUid)) return { answer: NOT_FOUND };
    let compiled: CompiledSource | null;
    try {
      compiled = await this.sources.get(sourceIdOrUid);
    } catch (error) {
      // The store does not answer, or a stored setting no longer compiles: ours, and told; the provider retries.
      this.context.onError(error, { sourceId: sourceIdOrUid });
      return { answer: UNAVAILABLE };
    }
    if (compiled === null || compiled.source.disabled) return { answer: NOT_FOUND };
    return { compiled };
  }

  private async judge(
    compiled: CompiledSource,
    request: InboundHttpRequest,
    partial: { eventType: string | null; eventId: string | null },
  ): Promise<Judged> {
    const { method } = request;
    if (!METHODS.includes(method)) throw new MethodNotAllowedError(method, METHODS);
    if (compiled.isAllowedAddress !== null && !compiled.isAllowedAddress(request.remoteAddress)) {
      throw new AddressNotAllowedError(request.remoteAddress);
    }
    if (compiled.rateLimit !== null) {
      const { store, capacity, refillPerSecond } = compiled.rateLimit;
      const decision = await store.take(request.remoteAddress ?? 'unknown', { capacity, refillPerSecond });
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    }
    const isGet = method === 'GET';
    const contentTypeHeader = request.headers['content-type'];
    const contentType = Array.isArray(contentTypeHeader)
      ? contentTypeHeader[0]
      : (contentTypeHeader as string | undefined);
    if (!isGet && !isAcceptedContentType(contentType)) throw new UnsupportedMediaTypeError(contentType);
    if (request.body.byteLength > compiled.source.maxBodyBytes) {
      throw new PayloadTooLargeError(compiled.source.maxBodyBytes);
    }
    // A GET has no body: its query string is what a scheme verifies and what the payload is read from.
    const signed = isGet ? new TextEncoder().encode(request.query) : request.body;
    let verifiedId: string | undefined;
    if (compiled.scheme !== null) {
      const input = {
        body: signed,
        headers: request.headers,
        secret: compiled.secret,
        now: this.context.now,
        ...(compiled.toleranceSeconds === undefined ? {} : { toleranceSeconds: compiled.toleranceSeconds }),
      };
      const verified = verifyNow(compiled.scheme, input) ?? (await compiled.scheme.verify(input));
      verifiedId = verified.id;
    }
    const payload = readPayload(method, contentType, request.body, request.query);
    refuseIllFormed(payload, method === 'GET' || isFormContentType(contentType));
    const identity = compiled.identify({ headers: request.headers, payload, verifiedId });
    partial.eventId = identity.id ?? null;
    if (identity.reply !== undefined) return { eventType: '', eventId: null, reply: json(200, identity.reply) };
    if (typeof identity.type !== 'string' || identity.type === '') {
      throw new MissingEventTypeError('the event type could not be read');
    }
    partial.eventType = eventTypeOf(identity.type);
    if (compiled.check !== null) {
      const verdict = await compiled.check({ payload });
      if (!verdict.accepted) throw new EventRejectedError(verdict.reason, { id: identity.id, type: identity.type });
    }
    return { eventType: partial.eventType, eventId: partial.eventId };
  }

  private async refuse(
    compiled: CompiledSource,
    request: InboundHttpRequest,
    partial: { eventType: string | null; eventId: string | null },
    error: unknown,
  ): Promise<WebhookResponse> {
    const { source } = compiled;
    const described = describeError(error);
    const aboutTheRequest = isReceiverError(error) || isSignatureError(error);
    if (!aboutTheRequest || isStoreUnavailable(error)) {
      this.context.onError(error, { sourceId: source.id });
    } else if (!(error instanceof RateLimitedError)) {
      const why = error instanceof EventRejectedError ? error.reason : described.detail;
      await this.logRefusal(source, request, partial, 'rejected', `${described.code}: ${why}`);
    }
    // What could not be judged or kept now (the store, the provider's API for a fetch-back) is never acknowledged,
    // whatever the policy: answered success, the provider would not send it again, and it would be lost.
    if (!aboutTheRequest || described.status >= 500) {
      return UNAVAILABLE;
    }
    return applyResponsePolicy(compiled.respond, errorResponse(error));
  }

  private async logRefusal(
    source: Source,
    request: InboundHttpRequest,
    partial: { eventType: string | null; eventId: string | null },
    outcome: 'duplicate' | 'rejected',
    reason: string,
  ): Promise<void> {
    try {
      await this.context.store.recordInboundRefusal(
        {
          sourceId: source.id,
          appId: source.appId,
          outcome,
          reason: reason.slice(0, 1000),
          method: request.method.slice(0, 16),
          eventType: partial.eventType,
          eventId: partial.eventId?.slice(0, 256) ?? null,
          remoteAddress: request.remoteAddress ?? null,
        },
        this.context.now(),
      );
    } catch (error) {
      // The log is for the operator's eyes; failing to write it must not change the provider's answer.
      this.context.onError(error, { sourceId: source.id });
    }
  }
}
