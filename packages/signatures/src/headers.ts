import { MalformedHeaderError } from './errors.js';
import type { HeadersInput } from './types.js';

/**
 * The longest header value read. Real signature headers are well under 1 KiB; the bound keeps a hostile header
 * from costing more than a few parses and compares.
 */
export const MAX_HEADER_LENGTH = 8192;

function hasGet(headers: HeadersInput): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/**
 * Reads a header by its lowercase name, whatever the casing of the keys. Repeated values (node's
 * `headersDistinct`, arrays) are joined with `joiner`. Returns undefined when absent or empty.
 */
export function readHeader(headers: HeadersInput, lowercaseName: string, joiner = ', '): string | undefined {
  let value: string | readonly string[] | null | undefined;
  if (hasGet(headers)) {
    value = headers.get(lowercaseName);
  } else {
    value = headers[lowercaseName];
    if (value === undefined) {
      for (const key of Object.keys(headers)) {
        if (key.length === lowercaseName.length && key.toLowerCase() === lowercaseName) {
          value = headers[key];
          break;
        }
      }
    }
  }
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.join(joiner);
  if (text.length > MAX_HEADER_LENGTH) {
    throw new MalformedHeaderError(lowercaseName, `longer than ${MAX_HEADER_LENGTH} characters`);
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}
