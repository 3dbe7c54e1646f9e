// What the payload of a request is: the parsed JSON body, the fields of an `application/x-www-form-urlencoded`
// body, or, for a GET callback, the query parameters. Pure and framework-free: bytes in, a value out.
import { MalformedFormError, MalformedJsonError } from './errors.js';

/** Form or query fields: one value per name, or a list when the name repeats (`?id=1&id=2`). */
export type CallbackFields = Record<string, string | string[]>;

// fatal: invalid UTF-8 is malformed input, not something to paper over with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function decode(body: Uint8Array, error: () => Error): string {
  try {
    return utf8.decode(body);
  } catch {
    throw error();
  }
}

export function parseJson(body: Uint8Array): unknown {
  // The BOM, if any, is dropped by the decoder for parsing only: a signature was checked on the bytes as they came.
  const text = decode(body, () => new MalformedJsonError('the body is not valid UTF-8'));
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError('the body is not valid JSON');
  }
}

/**
 * `a=1&b=x%20y&a=2` to `{ a: ['1', '2'], b: 'x y' }`. Every name becomes an own data property, so a field named
 * `__proto__` is just a field and never the object's prototype.
 */
export function parseFields(text: string): CallbackFields {
  const fields: CallbackFields = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = Object.hasOwn(fields, name) ? fields[name] : undefined;
    const next = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    Object.defineProperty(fields, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return fields;
}

/** Whether a Content-Type is a form (`application/x-www-form-urlencoded`, any parameters). */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const media = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return media === 'application/x-www-form-urlencoded';
}

/**
 * The payload of a request, from what the pipeline already has: a GET's query (its fields), a form body (its
 * fields), or anything else the receiver accepts, read as JSON.
 */
export function readPayload(method: string, contentType: string | undefined, body: Uint8Array, query: string): unknown {
  if (method === 'GET') return parseFields(query);
  if (isFormContentType(contentType))
    return parseFields(decode(body, () => new MalformedFormError('the form body is not valid UTF-8')));
  return parseJson(body);
}

/** The bytes a GET stands on for verification: its raw query string, as it came (a GET has no body to sign). */
export function queryBytes(query: string): Uint8Array {
  return encoder.encode(query);
}

/** The query string of a request target or URL, without `?` or any fragment: `/paid?id=1#x` → `id=1`. */
export function queryOf(url: string | undefined): string {
  if (url === undefined) return '';
  const question = url.indexOf('?');
  if (question < 0) return '';
  const hash = url.indexOf('#', question);
  return hash < 0 ? url.slice(question + 1) : url.slice(question + 1, hash);
}
