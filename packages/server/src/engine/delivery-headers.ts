// The headers of one delivery: an endpoint's custom headers, then ours. Ours always win: a custom header can never
// replace a signature, the event type, the content type or the framing, whatever its casing.
import { SCHEME_HEADERS } from './delivery-signing.js';

/** Names a custom header may not take (compared lowercased); the API refuses them, and the engine drops them. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'host',
  'user-agent',
  'expect',
  'te',
  'upgrade',
  'trailer',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-'];
/** The other schemes' signature and event headers (delivery-signing.ts): refused on every endpoint, since its scheme
 * can change after the custom header is set. */
const SCHEME_HEADER_NAMES: ReadonlySet<string> = new Set(SCHEME_HEADERS);

/** A header name is an RFC 9110 token; the API's schema and the engine's check of stored headers both use these. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/;
/** A header value on one line: a CR, LF or NUL would let a value forge another header (or is refused by undici). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character refused here.
export const HEADER_VALUE = /^[^\r\n\u0000]*$/;

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    RESERVED.has(lower) ||
    SCHEME_HEADER_NAMES.has(lower) ||
    RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))
  );
}

/**
 * `webhook-event-type: invoice.paid` (`svix-event-type` on endpoints that take Svix's header names): the payload
 * is sent as published, with no type in it, so this is how a receiver routes it (@hookline/receiver does, with
 * no configuration). Standard Webhooks puts every metadata header under `webhook-`; verifiers ignore it.
 */
export function eventTypeHeader(headerPrefix: 'webhook' | 'svix'): string {
  return `${headerPrefix}-event-type`;
}

export function deliveryHeaders(
  custom: Readonly<Record<string, string>>,
  signed: Readonly<Record<string, string>>,
  userAgent: string,
  eventType: string,
  headerPrefix: 'webhook' | 'svix',
  contentType = 'application/json',
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(custom)) {
    // `signed` has lowercase names: a custom header spelled in another case would otherwise go out beside it.
    if (!isReservedHeader(name) && !(name.toLowerCase() in signed)) headers[name] = value;
  }
  return {
    ...headers,
    ...signed,
    [eventTypeHeader(headerPrefix)]: eventType,
    'content-type': contentType,
    'user-agent': userAgent,
  };
}
