// Which of a provider's headers are kept with an accepted request and sent on with its relay. The provider's own
// headers go on (its signature, event name and delivery id, so the app can still verify and route it); what
// belongs to the hop (framing, connection, proxies) or is a credential to this server (basic auth, the source's
// token header, cookies) never does, and is not stored either. Pure.

const HOP_AND_CREDENTIAL = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-authorization',
  'proxy-connection',
  'authorization',
  'cookie',
  'forwarded',
  'via',
]);

/** Most headers kept per request, and the longest value: what a provider sends fits well within both. */
const MAX_HEADERS = 64;
const MAX_VALUE_LENGTH = 8192;

/**
 * The headers to keep, lowercase names, one value each (repeated ones joined as HTTP allows). A GET's relay has
 * its query string as a form body, so its content type says so.
 */
export function forwardedHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  options: { credentialHeader: string | null; method: string },
): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (rawValue === undefined || HOP_AND_CREDENTIAL.has(name) || name === options.credentialHeader) continue;
    if (name.startsWith('x-forwarded-') || name.startsWith('proxy-')) continue;
    const value = typeof rawValue === 'string' ? rawValue : rawValue.join(', ');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what PostgreSQL text cannot hold.
    if (value.length > MAX_VALUE_LENGTH || /[\r\n\u0000]/.test(value)) continue;
    kept[name] = value;
    if (++count >= MAX_HEADERS) break;
  }
  if (options.method === 'GET') kept['content-type'] = 'application/x-www-form-urlencoded';
  return kept;
}
