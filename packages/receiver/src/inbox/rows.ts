// Inbox rows as both SQL stores return them, to records. PostgreSQL returns BIGINT as strings: Number() them.
import type { InboxRecord, InboxStatus, InboxSummary } from './inbox-store.js';

export interface InboxRow {
  id: string;
  type: string;
  also_routes_as: string;
  payload: string;
  headers: string;
  scheme: string;
  received_at: number | string;
  status: string;
  attempts: number | string;
  next_attempt_at: number | string;
  last_error: string | null;
}

export function toRecord(row: InboxRow): InboxRecord {
  return {
    id: row.id,
    type: row.type,
    alsoRoutesAs: JSON.parse(row.also_routes_as) as string[],
    payload: JSON.parse(row.payload) as unknown,
    headers: JSON.parse(row.headers) as Record<string, string>,
    scheme: row.scheme,
    receivedAt: Number(row.received_at),
    attempts: Number(row.attempts),
  };
}

export function toSummary(row: InboxRow): InboxSummary {
  return {
    id: row.id,
    type: row.type,
    status: row.status as InboxStatus,
    attempts: Number(row.attempts),
    receivedAt: Number(row.received_at),
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : undefined,
    lastError: row.last_error ?? undefined,
  };
}
