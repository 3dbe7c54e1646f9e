// A source's settings made ready to judge requests, once per version of the source: the scheme that verifies it
// (a scheme of @hookline/signatures, or basic auth / a header token as schemes of the same shape), the receiver's
// allowlist matcher, rate limit, fetch-back check, identify rule and response policy. The receiver's own pieces
// are used as they are, so a source and a `Webhooks` receiver judge a request alike.
import { hash, timingSafeEqual } from 'node:crypto';
import {
  createAddressMatcher,
  createHmacSha256,
  DEFAULT_IDENTIFY,
  type FetchBackCheck,
  fetchBackCheck,
  headerValue,
  type IdentifyEvent,
  identifyByBodyType,
  identifyFields,
  MemoryRateLimitStore,
  MissingHeaderError,
  type OutboundNetworkPolicy,
  type ResolvedAcknowledge,
  resolveResponsePolicy,
  type Scheme,
  type Secrets,
  SignatureMismatchError,
  schemes,
} from '@hookline/receiver';
import type { Source, SourceIdentify, SourceVerification } from '../store/sources.js';

export interface CompiledSource {
  source: Source;
  scheme: Scheme | null;
  secret: Secrets;
  toleranceSeconds: number | undefined;
  check: FetchBackCheck | null;
  identify: IdentifyEvent;
  isAllowedAddress: ((address: string | undefined) => boolean) | null;
  rateLimit: { store: MemoryRateLimitStore; capacity: number; refillPerSecond: number } | null;
  /** undefined: honest answers. */
  respond: ResolvedAcknowledge | undefined;
  /** A provider header never stored or forwarded: it carries the source's credential. */
  credentialHeader: string | null;
}

const sha256 = (text: string) => hash('sha256', text, 'buffer');

/** Equal or not, in time that does not depend on where they differ (hashes first: lengths may differ). */
function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/** Credentials checked like a signature: a missing header and a wrong value fail with the signature errors. */
function credentialScheme(name: string, header: string, matches: (value: string) => boolean): Scheme {
  return {
    name,
    sign: () => Promise.reject(new Error(`${name} signs nothing`)),
    verify: async (input) => {
      const value = headerValue(input.headers, header);
      if (value === undefined || value === '') throw new MissingHeaderError(header);
      if (!matches(value)) throw new SignatureMismatchError('the credentials do not match');
      return { scheme: name, id: undefined, timestamp: undefined };
    },
  };
}

function basicAuthScheme(username: string, password: string): Scheme {
  const expected = `${username}:${password}`;
  return credentialScheme('basic-auth', 'authorization', (value) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
    const presented = match === null ? '' : Buffer.from(match[1] as string, 'base64').toString('utf8');
    return sameSecret(presented, expected);
  });
}

function schemeOf(verification: SourceVerification): Scheme | null {
  switch (verification.type) {
    case 'signature':
      if (verification.scheme === 'hmac-sha256') {
        return createHmacSha256({
          ...(verification.header === undefined ? {} : { header: verification.header }),
          ...(verification.prefix === undefined ? {} : { prefix: verification.prefix }),
          ...(verification.encoding === undefined ? {} : { encoding: verification.encoding }),
        });
      }
      return schemes[verification.scheme];
    case 'basic-auth':
      return basicAuthScheme(verification.username, verification.password);
    case 'header-token': {
      const token = verification.token;
      return credentialScheme('header-token', verification.header.toLowerCase(), (value) => sameSecret(value, token));
    }
    case 'fetch-back':
      return null;
  }
}

/**
 * The source's rule where it has one; for what it leaves out, the scheme's convention (GitHub's X-GitHub-Event,
 * Stripe's body type …), as a receiver with that scheme would read it.
 */
function identifyOf(verification: SourceVerification, rule: SourceIdentify | null): IdentifyEvent {
  const conventional =
    verification.type === 'signature'
      ? (DEFAULT_IDENTIFY[verification.scheme] ?? identifyByBodyType)
      : identifyByBodyType;
  if (rule === null) return conventional;
  const fields =
    rule.type !== undefined || rule.typeField !== undefined
      ? identifyFields({
          ...(rule.type === undefined ? {} : { type: rule.type }),
          ...(rule.typeField === undefined ? {} : { typeField: rule.typeField }),
          ...(rule.typePrefix === undefined ? {} : { typePrefix: rule.typePrefix }),
          ...(rule.idField === undefined ? {} : { idField: rule.idField }),
        })
      : null;
  return (input) => {
    const base = conventional(input);
    if (fields === null) {
      const id = rule.idField === undefined ? base.id : identifyFields({ type: 'x', idField: rule.idField })(input).id;
      return { ...base, id };
    }
    const own = fields(input);
    return { type: own.type, id: rule.idField === undefined ? base.id : own.id };
  };
}

export function compileSource(source: Source, network: OutboundNetworkPolicy): CompiledSource {
  const verification = source.verification;
  const signature = verification.type === 'signature' ? verification : null;
  return {
    source,
    scheme: schemeOf(verification),
    secret: signature === null ? '' : signature.secrets,
    toleranceSeconds: signature?.toleranceSeconds,
    check:
      verification.type === 'fetch-back'
        ? fetchBackCheck({
            url: verification.url,
            headers: verification.headers ?? {},
            ...(verification.expect === undefined ? {} : { expect: verification.expect }),
            network,
          })
        : null,
    identify: identifyOf(verification, source.identify),
    isAllowedAddress: source.allowlist === null ? null : createAddressMatcher(source.allowlist),
    rateLimit:
      source.rateLimit === null
        ? null
        : {
            store: new MemoryRateLimitStore(),
            capacity: Math.max(1, Math.ceil(source.rateLimit)),
            refillPerSecond: source.rateLimit,
          },
    respond:
      source.response.policy === 'honest'
        ? undefined
        : resolveResponsePolicy({
            acknowledge: {
              body: source.response.body,
              ...(source.response.status === undefined ? {} : { status: source.response.status }),
              ...(source.response.contentType === undefined ? {} : { contentType: source.response.contentType }),
            },
          }),
    credentialHeader:
      verification.type === 'basic-auth'
        ? 'authorization'
        : verification.type === 'header-token'
          ? verification.header.toLowerCase()
          : null,
  };
}
