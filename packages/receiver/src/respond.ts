// Turning outcomes into answers, in one place: every refusal is `{ code, detail }` JSON with its status.
import { isSignatureError } from '@hookline/signatures';
import { InvalidPayloadError, isReceiverError } from './errors.js';
import type { WebhookResponse } from './types.js';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export type AcceptedStatus = 'handled' | 'duplicate' | 'unhandled' | 'accepted';

const ACCEPTED_BODIES: Record<AcceptedStatus, string> = {
  handled: '{"status":"handled"}',
  duplicate: '{"status":"duplicate"}',
  unhandled: '{"status":"unhandled"}',
  accepted: '{"status":"accepted"}',
};

/** 2xx: 200 when the work is done (or nothing is to be done), 202 when it is queued to run after the answer. */
export function acceptedResponse(status: AcceptedStatus): WebhookResponse {
  return { status: status === 'accepted' ? 202 : 200, headers: { ...JSON_HEADERS }, body: ACCEPTED_BODIES[status] };
}

/** What an honest answer says about a thrown value: its status, code, detail and any headers it needs. */
export interface ErrorDescription {
  status: number;
  code: string;
  detail: string;
  headers: Readonly<Record<string, string>>;
}

/**
 * Signature failures are 401 with the signature's own code, except an unusable configured secret, which is the
 * server's fault (500). Anything unexpected is a 500 that says nothing about it.
 */
export function describeError(error: unknown): ErrorDescription {
  if (isReceiverError(error)) {
    return { status: error.status, code: error.code, detail: error.detail, headers: error.headers };
  }
  if (isSignatureError(error)) {
    const status = error.code === 'HOOKLINE_SIGNATURE_INVALID_SECRET' ? 500 : 401;
    const detail = status === 500 ? 'the configured secret cannot be used' : error.detail;
    return { status, code: error.code, detail, headers: {} };
  }
  return { status: 500, code: 'HOOKLINE_RECEIVER_INTERNAL', detail: 'the request could not be processed', headers: {} };
}

/** Any thrown value to an honest answer: `{ code, detail }` JSON with its status (and `issues` for a schema). */
export function errorResponse(error: unknown): WebhookResponse {
  const { status, code, detail, headers } = describeError(error);
  const body: Record<string, unknown> = { code, detail };
  if (error instanceof InvalidPayloadError) body.issues = error.issues;
  return jsonResponse(status, body, headers);
}
