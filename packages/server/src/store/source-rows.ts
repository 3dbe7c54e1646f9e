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
  return {
    id,
    app_id: appId,
    uid: input.uid ?? null,
    name: input.name,
    verification: box.seal(JSON.stringify(input.verification), sealContext('sources.verification', id)),
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

/** The row after a patch: each field the patch has replaces the stored one. */
export function patchedSourceRow(row: SourceRow, patch: SourcePatch, now: number, box: SecretBox): SourceRow {
  const current = toSource(row, box);
  const merged: NewSource = {
    ...current,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
  };
  return { ...newSourceRow(row.id, row.app_id, merged, row.created_at, box), updated_at: now };
}

/** Throws StoredSecretUnreadableError when the verification is under a key the server is not given. */
export function toSource(row: SourceRow, box: SecretBox): Source {
  return {
    id: row.id,
    appId: row.app_id,
    uid: row.uid,
    name: row.name,
    verification: JSON.parse(box.open(row.verification, sealContext('sources.verification', row.id))),
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
