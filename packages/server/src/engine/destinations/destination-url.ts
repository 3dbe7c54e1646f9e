// Which kind of destination a URL names, whether it may be stored (the SSRF guard's check and the kind's own), and
// the form of it that may be shown or logged (no password). Pure.
import {
  checkEndpointUrl,
  checkUrlHost,
  type EndpointUrlVerdict,
  MAX_ENDPOINT_URL_LENGTH,
  type NetworkPolicy,
} from '../ssrf-guard.js';
import type { DestinationKind } from './destination.js';
import { http } from './http.js';
import { nats } from './nats.js';
import { rabbitmq } from './rabbitmq.js';
import { redisStreams } from './redis-streams.js';

export const DESTINATION_KINDS: readonly DestinationKind[] = [http, rabbitmq, nats, redisStreams];

const BY_SCHEME = new Map(DESTINATION_KINDS.flatMap((kind) => kind.schemes.map((scheme) => [scheme, kind] as const)));

export function destinationKindOf(url: URL): DestinationKind | undefined {
  return BY_SCHEME.get(url.protocol);
}

/** Whether a broker URL carries TLS: what requireHttps asks of a destination that is not HTTP. */
function usesTls(url: URL): boolean {
  return url.protocol === 'amqps:' || url.protocol === 'rediss:' || url.searchParams.get('tls') === 'true';
}

/** The create-time check of an endpoint's address: an http(s) URL as before, or a broker destination. */
export function checkDestinationUrl(raw: string, policy: NetworkPolicy): EndpointUrlVerdict {
  if (/^https?:/i.test(raw)) return checkEndpointUrl(raw, policy);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return checkEndpointUrl(raw, policy);
  }
  const kind = destinationKindOf(url);
  if (kind === undefined) {
    return {
      ok: false,
      code: 'unsupported_scheme',
      detail: `scheme ${url.protocol} is not supported; use http, https, amqp, amqps, nats, redis or rediss`,
    };
  }
  if (url.href.length > MAX_ENDPOINT_URL_LENGTH) {
    return { ok: false, code: 'invalid_url', detail: `the URL is longer than ${MAX_ENDPOINT_URL_LENGTH} characters` };
  }
  const problem = kind.problemWith(url);
  if (problem !== null) return { ok: false, code: 'invalid_url', detail: problem };
  if (policy.requireHttps === true && !usesTls(url)) {
    return {
      ok: false,
      code: 'https_required',
      detail: 'this server only delivers over TLS (setting requireHttps): use amqps:, rediss: or nats: with tls=true',
    };
  }
  // Broker credentials belong in the URL (that is how these clients take them); they are redacted wherever it is shown.
  return checkUrlHost(url, policy);
}

export { displayUrl, REDACTED, withStoredCredentials } from './url-credentials.js';
