// Row ↔ record mapping of sources and inbound requests, for both stores (the columns are the same: JSON as text,
// 0/1 flags, epoch milliseconds), as rows.ts does for the rest.
import { type SecretBox, sealContext } from './secret-box.js';
import type {
  InboundRequest,
  InboundRequestSummary,
  NewInboundRequest,
  NewSource,
  Source,
  SourcePatch,
  SourceSignatureMode,
  SourceVerification,
} from './sources.js';

/** The ingest URL's body limit unless the source says otherwise: the receiver's default. */
export const DEFAULT_SOURCE_MAX_BODY_BYTES = 1024 * 1024;

export interface SourceRow {
  id: string;
  app_id: string;
  uid: string | null;
  name: string;
  verification: string;
  identify: string | null;
  allowlist: string | null;
  rate_limit: number | null;
  response: string;
  signature_mode: SourceSignatureMode;
  max_body_bytes: number;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface InboundRow {
  id: string;
  source_id: string;
  app_id: string;
  outcome: InboundRequestSummary['outcome'];
  reason: string | null;
  method: string;
  event_type: string | null;
  event_id: string | null;
  remote_address: string | null;
  body: string | null;
  headers: string | null;
  query: string | null;
  signature_mode: SourceSignatureMode | null;
  message_id: string | null;
  created_at: number;
}

/** The columns a list shows: never the body or the headers. */
export const INBOUND_SUMMARY_COLUMNS =
  'id, source_id, app_id, outcome, reason, method, event_type, event_id, remote_address, message_id, created_at';

const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** `box` seals the verification (its HMAC secret, password or token) at rest, bound to the source's id. */
export function newSourceRow(id: string, appId: string, input: NewSource, now: number, box: SecretBox): SourceRow {
  return sourceRowOf(id, appId, input, sealedVerification(box, id, input.verification), now);
}

function sealedVerification(box: SecretBox, sourceId: string, verification: SourceVerification): string {
  return box.seal(JSON.stringify(verification), sealContext('sources.verification', sourceId));
}

function sourceRowOf(
  id: string,
  appId: string,
  input: Omit<NewSource, 'verification'>,
  verification: string,
  now: number,
): SourceRow {
  return {
    id,
    app_id: appId,
    uid: input.uid ?? null,
    name: input.name,
    verification,
    identify: jsonOrNull(input.identify),
    allowlist: jsonOrNull(input.allowlist),
    rate_limit: input.rateLimit ?? null,
    response: JSON.stringify(input.response ?? { policy: 'honest' }),
    signature_mode: input.signatureMode ?? 'original',
    max_body_bytes: input.maxBodyBytes ?? DEFAULT_SOURCE_MAX_BODY_BYTES,
    disabled: input.disabled === true ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
}

/**
 * The row after a patch: each field the patch has replaces the stored one. The stored verification is kept as it
 * is (sealed) unless the patch replaces it: renaming a source needs no key, and a new verification mends a source
 * sealed under a key the server is no longer given.
 */
export function patchedSourceRow(row: SourceRow, patch: SourcePatch, now: number, box: SecretBox): SourceRow {
  const current = toSource(row, box);
  const { verification, ...given } = Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as SourcePatch;
  const kept: Omit<NewSource, 'verification'> = {
    uid: current.uid,
    name: current.name,
    identify: current.identify,
    allowlist: current.allowlist,
    rateLimit: current.rateLimit,
    response: current.response,
    signatureMode: current.signatureMode,
    maxBodyBytes: current.maxBodyBytes,
    disabled: current.disabled,
  };
  const sealed = verification === undefined ? row.verification : sealedVerification(box, row.id, verification);
  return { ...sourceRowOf(row.id, row.app_id, { ...kept, ...given }, sealed, row.created_at), updated_at: now };
}

/**
 * A source as the API and the ingest see it. Its verification is decrypted when it is read, not when the row is:
 * a list shows a source sealed under a key this server is not given (sourceOut says so), and what needs the
 * verification (the ingest, reading it back) gets StoredSecretUnreadableError, never a wrong or empty one.
 */
export function toSource(row: SourceRow, box: SecretBox): Source {
  const source: Omit<Source, 'verification'> = {
    id: row.id,
    appId: row.app_id,
    uid: row.uid,
    name: row.name,
    identify: row.identify === null ? null : JSON.parse(row.identify),
    allowlist: row.allowlist === null ? null : JSON.parse(row.allowlist),
    rateLimit: row.rate_limit,
    response: JSON.parse(row.response),
    signatureMode: row.signature_mode,
    maxBodyBytes: row.max_body_bytes,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  let verification: SourceVerification | undefined;
  return Object.defineProperty(source, 'verification', {
    enumerable: true,
    configurable: true,
    get: () => {
      verification ??= JSON.parse(box.open(row.verification, sealContext('sources.verification', row.id)));
      return verification;
    },
  }) as Source;
}

export function newInboundRow(id: string, input: NewInboundRequest, now: number): InboundRow {
  return {
    id,
    source_id: input.sourceId,
    app_id: input.appId,
    outcome: 'accepted',
    reason: null,
    method: input.method,
    event_type: input.eventType,
    event_id: input.eventId,
    remote_address: input.remoteAddress,
    body: input.body,
    headers: JSON.stringify(input.headers),
    query: input.query,
    signature_mode: input.signatureMode,
    message_id: null,
    created_at: now,
  };
}

export function toInboundSummary(
  row: Omit<InboundRow, 'body' | 'headers' | 'query' | 'signature_mode'>,
): InboundRequestSummary {
  return {
    id: row.id,
    sourceId: row.source_id,
    appId: row.app_id,
    outcome: row.outcome,
    reason: row.reason,
    method: row.method,
    eventType: row.event_type,
    eventId: row.event_id,
    remoteAddress: row.remote_address,
    messageId: row.message_id,
    createdAt: row.created_at,
  };
}

export function toInboundRequest(row: InboundRow): InboundRequest {
  return {
    ...toInboundSummary(row),
    eventType: row.event_type ?? '',
    body: row.body ?? '',
    headers: row.headers === null ? {} : JSON.parse(row.headers),
    query: row.query ?? '',
  };
}
