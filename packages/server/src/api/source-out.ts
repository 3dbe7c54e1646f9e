// How a source and its inbound requests are shown. A source's secrets never leave the server: a signature
// verification shows how many secrets it has, basic auth its username, a header token its header, a fetch-back its
// URL template and the names (not values) of its headers, which usually carry the provider API's key.

import { StoredSecretUnreadableError } from '../store/secret-box.js';
import type { InboundRequestSummary, Source, SourceVerification } from '../store/sources.js';
import { dateTime } from './schemas.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The path of a source's ingest URL on this server. */
export const ingestPath = (source: Source) => `/in/${source.uid ?? source.id}`;

function verificationOut(verification: SourceVerification): Record<string, unknown> {
  switch (verification.type) {
    case 'signature':
      return {
        type: 'signature',
        scheme: verification.scheme,
        secretCount: verification.secrets.length,
        toleranceSeconds: verification.toleranceSeconds ?? null,
        header: verification.header ?? null,
        prefix: verification.prefix ?? null,
        encoding: verification.encoding ?? null,
      };
    case 'basic-auth':
      return { type: 'basic-auth', username: verification.username };
    case 'header-token':
      return { type: 'header-token', header: verification.header };
    case 'fetch-back':
      return {
        type: 'fetch-back',
        url: verification.url,
        headerNames: Object.keys(verification.headers ?? {}),
        expect: verification.expect ?? null,
      };
  }
}

/**
 * A verification sealed under a key this server is not given is shown as `{type: 'unreadable', keyId}`: one such
 * source must not fail the list it is in (the ingest answers 503 until the key is given or a new one is set).
 */
function readableVerificationOut(source: Source): Record<string, unknown> {
  try {
    return verificationOut(source.verification);
  } catch (error) {
    if (!(error instanceof StoredSecretUnreadableError)) throw error;
    return { type: 'unreadable', keyId: error.keyId };
  }
}

export function sourceOut(source: Source) {
  return {
    id: source.id,
    appId: source.appId,
    uid: source.uid,
    name: source.name,
    ingestPath: ingestPath(source),
    verification: readableVerificationOut(source),
    identify: source.identify,
    allowlist: source.allowlist,
    rateLimit: source.rateLimit,
    response: source.response,
    signatureMode: source.signatureMode,
    maxBodyBytes: source.maxBodyBytes,
    disabled: source.disabled,
    createdAt: iso(source.createdAt),
    updatedAt: iso(source.updatedAt),
  };
}

export function inboundRequestOut(request: InboundRequestSummary) {
  return { ...request, createdAt: iso(request.createdAt) };
}

export const sourceOutSchema = {
  type: 'object',
  required: ['id', 'appId', 'name', 'ingestPath', 'verification', 'response', 'signatureMode', 'createdAt'],
  properties: {
    id: { type: 'string' },
    appId: { type: 'string' },
    uid: { type: ['string', 'null'] },
    name: { type: 'string' },
    ingestPath: { type: 'string' },
    verification: {
      type: 'object',
      additionalProperties: true,
      properties: { type: { type: 'string' } },
    },
    identify: { type: ['object', 'null'], additionalProperties: true },
    allowlist: { type: ['array', 'null'], items: { type: 'string' } },
    rateLimit: { type: ['number', 'null'] },
    response: { type: 'object', additionalProperties: true },
    signatureMode: { type: 'string', enum: ['original', 'hookline'] },
    maxBodyBytes: { type: 'integer' },
    disabled: { type: 'boolean' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;

export const inboundRequestOutSchema = {
  type: 'object',
  required: ['id', 'sourceId', 'outcome', 'method', 'createdAt'],
  properties: {
    id: { type: 'string' },
    sourceId: { type: 'string' },
    appId: { type: 'string' },
    outcome: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
    reason: { type: ['string', 'null'] },
    method: { type: 'string' },
    eventType: { type: ['string', 'null'] },
    eventId: { type: ['string', 'null'] },
    remoteAddress: { type: ['string', 'null'] },
    messageId: { type: ['string', 'null'] },
    createdAt: dateTime,
  },
} as const;
