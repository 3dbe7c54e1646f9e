// One signed POST, dispatched straight to undici's keep-alive pools per origin. Redirects are not followed (a 3xx is
// a failure: following one would let an endpoint bounce us to an address the SSRF guard refused). The response body
// is read up to 8 KiB for the attempt log; an answer longer than that is cut off there.
import type { Dispatcher } from 'undici';
import type { SendDispatcher } from './lazy-dispatcher.js';
import { sendTarget } from './send-target.js';

export const RESPONSE_BODY_LIMIT_BYTES = 8192;

/**
 * Aborts a send in flight from outside (the engine's stop()). A plain object rather than an AbortSignal: a signal
 * per send, with its listener added and removed, was a measurable part of the send path.
 */
export class SendCancellation {
  private cancelled = false;
  private onCancel: (() => void) | null = null;

  get aborted(): boolean {
    return this.cancelled;
  }

  abort(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.onCancel?.();
  }

  /** The sender's hook while its request is in flight; null once it is over. */
  whileSending(onCancel: (() => void) | null): void {
    this.onCancel = onCancel;
  }
}

export interface SendInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  cancellation?: SendCancellation;
}

export interface SendResult {
  statusCode: number | null;
  responseBody: string;
  retryAfter: string | undefined;
  durationMs: number;
  /** `CODE: message` for a failure before an HTTP status (timeout, refused, DNS, SSRF guard). */
  error: string | null;
  /** A broker destination acknowledged the message (it has no HTTP status): delivered. */
  acknowledged?: boolean;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    const causeCode = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
    const name = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : error.name;
    return `${name}: ${error.message}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

class SendTimeoutError extends Error {
  readonly code = 'HOOKLINE_SEND_TIMEOUT';
}
class SendCancelledError extends Error {
  readonly code = 'HOOKLINE_SEND_CANCELLED';
}
/** Not a failure: the answer reached the log's limit and the rest is not wanted. */
class EnoughReadError extends Error {
  readonly code = 'HOOKLINE_RESPONSE_LIMIT';
}

const RETRY_AFTER = 'retry-after';

/** Text for the attempt log: NUL is no use in a log and PostgreSQL text cannot hold it. */
function logText(chunks: readonly Buffer[]): string {
  const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT_BYTES).toString('utf8');
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/**
 * One request's life as undici's dispatcher reports it. The handler interface undici's own request() is built on
 * (onConnect, onHeaders, onData, onComplete, onError): its newer one is adapted to this per request, and request()
 * adds a body stream, an async resource and an abort signal per send, none of which a POST whose answer is only
 * logged needs.
 */
class SendHandler implements Dispatcher.DispatchHandler {
  private abortRequest: ((error: Error) => void) | null = null;
  /** Why this side stopped the request, if it did (timeout, cancellation, enough of the body). */
  private stopped: Error | null = null;
  private statusCode: number | null = null;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly started: number,
    private readonly timeoutMs: number,
    private readonly finish: (result: SendResult) => void,
  ) {}

  stop(reason: Error): void {
    if (this.settled || this.stopped !== null) return;
    this.stopped = reason;
    this.abortRequest?.(reason);
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.stopped !== null) abort(this.stopped);
    else this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    // 1xx answers come before the real one.
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    if (rawHeaders !== null) {
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i] as Buffer | string;
        if (name.length === RETRY_AFTER.length && name.toString().toLowerCase() === RETRY_AFTER) {
          this.retryAfter = (rawHeaders[i + 1] as Buffer | string).toString();
          break;
        }
      }
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.size < RESPONSE_BODY_LIMIT_BYTES) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      if (this.size >= RESPONSE_BODY_LIMIT_BYTES) {
        // What the log keeps is here: answer now, and end the request rather than read an endless body.
        this.settleWithStatus();
        this.stop(new EnoughReadError('the answer passed the attempt log limit'));
      }
    }
    return true;
  }

  onComplete(): void {
    this.settleWithStatus();
  }

  onError(error: Error): void {
    // A status already tells the outcome; a body cut off by a timeout or a reset only shortens the log.
    if (this.statusCode !== null) {
      this.settleWithStatus('');
      return;
    }
    const reason = this.stopped ?? error;
    this.settle({
      statusCode: null,
      responseBody: '',
      retryAfter: undefined,
      durationMs: performance.now() - this.started,
      error:
        reason instanceof SendTimeoutError
          ? `TIMEOUT: no complete answer within ${this.timeoutMs} ms`
          : describeError(reason),
    });
  }

  private settleWithStatus(body?: string): void {
    this.settle({
      statusCode: this.statusCode,
      responseBody: body ?? logText(this.chunks),
      retryAfter: this.retryAfter,
      durationMs: performance.now() - this.started,
      error: null,
    });
  }

  private settle(result: SendResult): void {
    if (this.settled) return;
    this.settled = true;
    this.finish(result);
  }
}

export function sendWebhook(dispatcher: SendDispatcher, input: SendInput): Promise<SendResult> {
  const started = performance.now();
  const target = sendTarget(input.url);
  if (target === null) {
    return Promise.resolve(failure('INVALID_URL: the endpoint URL is not an http(s) URL that can be parsed', started));
  }
  const { cancellation, timeoutMs } = input;
  if (cancellation?.aborted === true) {
    return Promise.resolve(failure(describeError(new SendCancelledError('the send was cancelled')), started));
  }
  return new Promise<SendResult>((resolve) => {
    // One timer per request bounds the whole of it (connect, headers, body); undici's own timeouts bound each part.
    const timer = setTimeout(() => handler.stop(new SendTimeoutError('timed out')), timeoutMs);
    const handler = new SendHandler(started, timeoutMs, (result) => {
      clearTimeout(timer);
      cancellation?.whileSending(null);
      resolve(result);
    });
    cancellation?.whileSending(() => handler.stop(new SendCancelledError('the send was cancelled')));
    try {
      dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers: input.headers,
          body: input.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        handler,
      );
    } catch (error) {
      // dispatch() throws for options it refuses (a header value undici will not send): a failure like any other.
      handler.onError(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function failure(error: string | null, started: number): SendResult {
  return { statusCode: null, responseBody: '', retryAfter: undefined, durationMs: performance.now() - started, error };
}
