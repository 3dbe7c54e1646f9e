// How a request is answered, once the pipeline knows what happened: honestly (each refusal with its status and
// code), or, as payment gateways expect, always acknowledged with a fixed body (`success`) whatever happened, so
// the answer is never an oracle ("that id is real") and the gateway stops resending. Pure: answer in, answer out.
import { InvalidConfigurationError } from './errors.js';
import type { WebhookResponse } from './types.js';

export interface AcknowledgeOptions {
  /** The exact body the sender expects, e.g. `success` or `{"code":"SUCCESS"}`. */
  body: string;
  /** A 2xx status. Default 200. */
  status?: number;
  /** Default `text/plain; charset=utf-8`. */
  contentType?: string;
  /**
   * A throttled request: `retry` (default) answers 429 with Retry-After, so the sender sends it again later, as a
   * payment gateway does with any answer other than its `success` (a burst of genuine callbacks is delayed, not
   * lost); `acknowledge` answers it like everything else (it is then dropped, and told to `onRefused`).
   */
  throttled?: 'retry' | 'acknowledge';
}

/** `honest` (default): the statuses and codes of the README's table. `{ acknowledge }`: always the same 2xx. */
export type ResponsePolicy = 'honest' | { acknowledge: string | AcknowledgeOptions };

export interface ResolvedAcknowledge {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: string;
  acknowledgeThrottled: boolean;
}

/** Validates a policy once; undefined means honest. */
export function resolveResponsePolicy(policy: ResponsePolicy | undefined): ResolvedAcknowledge | undefined {
  if (policy === undefined || policy === 'honest') return undefined;
  const raw = typeof policy === 'object' && policy !== null ? policy.acknowledge : undefined;
  const options: AcknowledgeOptions | undefined = typeof raw === 'string' ? { body: raw } : raw;
  if (options === undefined || typeof options.body !== 'string') {
    throw new InvalidConfigurationError("respond must be 'honest' or { acknowledge: body }");
  }
  const status = options.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    throw new InvalidConfigurationError('respond.acknowledge.status must be a 2xx status');
  }
  const contentType = options.contentType ?? 'text/plain; charset=utf-8';
  if (/[\r\n]/.test(contentType)) throw new InvalidConfigurationError('respond.acknowledge.contentType is not usable');
  const throttled = options.throttled ?? 'retry';
  if (throttled !== 'retry' && throttled !== 'acknowledge') {
    throw new InvalidConfigurationError("respond.acknowledge.throttled must be 'retry' or 'acknowledge'");
  }
  return {
    status,
    headers: { 'content-type': contentType, 'cache-control': 'no-store' },
    body: options.body,
    acknowledgeThrottled: throttled === 'acknowledge',
  };
}

/** The answer the sender gets, under the policy. Work still running (`background`) is kept. */
export function applyResponsePolicy(policy: ResolvedAcknowledge | undefined, answer: WebhookResponse): WebhookResponse {
  if (policy === undefined) return answer;
  if (answer.status === 429 && !policy.acknowledgeThrottled) return answer;
  const acknowledged: WebhookResponse = { status: policy.status, headers: { ...policy.headers }, body: policy.body };
  if (answer.background !== undefined) acknowledged.background = answer.background;
  return acknowledged;
}
