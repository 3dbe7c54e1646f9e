// One signed POST over undici's `request` on keep-alive pools per origin. Redirects are not followed (a 3xx is a
// failure: following one would let an endpoint bounce us to an address the SSRF guard refused). The response body
// is read up to 8 KiB for the attempt log and the rest discarded.
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { sendTarget } from './send-target.js';

export const RESPONSE_BODY_LIMIT_BYTES = 8192;

export interface SendInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
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

/** The first 8 KiB of the answer's body; listeners, not an async iterator (two promises a chunk on the hot path). */
function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      // NUL is no use in a log and PostgreSQL text cannot hold it: an answer carrying one must still be recordable.
      const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT_BYTES).toString('utf8');
      resolve(text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);
    };
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_BODY_LIMIT_BYTES) {
        finish();
        body.destroy();
      }
    });
    body.on('end', finish);
    body.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

export async function sendWebhook(dispatcher: Dispatcher, input: SendInput): Promise<SendResult> {
  const started = performance.now();
  // One controller and one timer per request: AbortSignal.timeout + AbortSignal.any cost measurably more per send
  // on Node 20, and this is the hot path.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, input.timeoutMs);
  const onExternalAbort = () => controller.abort();
  input.signal?.addEventListener('abort', onExternalAbort, { once: true });
  try {
    const options = {
      method: 'POST' as const,
      headers: input.headers,
      body: input.body,
      signal: controller.signal,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
    };
    // What undici's request(url) does, with the URL parsed once per URL rather than once per send; a URL it would
    // refuse goes through it, for its own error.
    const target = sendTarget(input.url);
    const response =
      target === null
        ? await request(input.url, { ...options, dispatcher })
        : await dispatcher.request({ ...options, origin: target.origin, path: target.path });
    let responseBody = '';
    try {
      responseBody = await readLimited(response.body);
    } catch {
      // The status already tells the outcome; a body cut off by a timeout or reset only shortens the log.
    }
    const retryAfter = response.headers['retry-after'];
    return {
      statusCode: response.statusCode,
      responseBody,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      durationMs: performance.now() - started,
      error: null,
    };
  } catch (error) {
    return {
      statusCode: null,
      responseBody: '',
      retryAfter: undefined,
      durationMs: performance.now() - started,
      error: timedOut ? `TIMEOUT: no complete answer within ${input.timeoutMs} ms` : describeError(error),
    };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onExternalAbort);
  }
}
