// Endpoint custom headers as the API sees them: what names and values are allowed, which ones are sensitive (their
// values are never read back, as Svix does: the rule is in engine/sensitive-headers.ts), and how a patch merges (names compare case-insensitively).
import { HEADER_NAME, HEADER_VALUE, isReservedHeader } from '../engine/delivery-headers.js';
import { isSensitiveHeader } from '../engine/sensitive-headers.js';
import { HttpError } from './http-error.js';

export const MAX_CUSTOM_HEADERS = 64;

export const headersIn = {
  type: 'object',
  maxProperties: MAX_CUSTOM_HEADERS,
  propertyNames: { pattern: HEADER_NAME.source },
  additionalProperties: { type: 'string', maxLength: 4096, pattern: HEADER_VALUE.source },
} as const;

/** Refuses names the engine would never send (signature headers, framing) instead of dropping them silently. */
export function checkCustomHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  for (const name of Object.keys(headers)) {
    if (isReservedHeader(name)) {
      throw new HttpError(422, 'reserved_header', `${name} is set by Hookline and cannot be a custom header`);
    }
  }
  return { ...headers };
}

/** Svix's EndpointHeadersOut: the values of sensitive headers are left out, their names listed. */
export function headersOut(headers: Readonly<Record<string, string>>) {
  const shown: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (isSensitiveHeader(name)) sensitive.push(name);
    else shown[name] = value;
  }
  return { headers: shown, sensitive };
}

export function mergeHeaders(
  current: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>>,
  remove: readonly string[],
): Record<string, string> {
  const dropped = new Set([...Object.keys(set), ...remove].map((name) => name.toLowerCase()));
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) {
    if (!dropped.has(name.toLowerCase())) merged[name] = value;
  }
  const result = { ...merged, ...set };
  if (Object.keys(result).length > MAX_CUSTOM_HEADERS) {
    throw new HttpError(422, 'validation', `an endpoint has at most ${MAX_CUSTOM_HEADERS} custom headers`);
  }
  return result;
}
