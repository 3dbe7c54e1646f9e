// Which header values are secrets, in one rule for every place headers are shown: an endpoint's custom headers read
// back through the API (their values left out, as Svix does) and the request headers kept with each attempt (their
// values replaced before they are recorded, and again when shown, for attempts recorded before this rule).
import { isReservedHeader } from './delivery-headers.js';

const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SENSITIVE_PARTS = ['token', 'secret', 'key', 'password', 'passwd', 'auth', 'session', 'credential', 'signature'];

/** What a sensitive value is shown as. */
export const REDACTED = '[redacted]';

export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_NAMES.has(lower) || SENSITIVE_PARTS.some((part) => lower.includes(part));
}

/**
 * Headers as sent, with the values of sensitive custom headers replaced. Hookline's own headers (reserved names:
 * webhook-id, -timestamp, -signature, content-type, user-agent) stay: a signature is sent to the receiver anyway
 * and is what an operator compares when a receiver says it does not verify.
 */
export function redactSentHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = !isReservedHeader(name) && isSensitiveHeader(name) ? REDACTED : value;
  }
  return shown;
}
