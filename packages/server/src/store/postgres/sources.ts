// Sources and their inbound requests in PostgreSQL. acceptInbound is one INSERT … ON CONFLICT on the partial
// unique index of (source, event id): two processes given the same provider event at once store it once.
import { newId } from '../../ids.js';
import { DuplicateUidError } from '../errors.js';
import type { ListOptions, Page } from '../paging.js';
import type { SecretBox } from '../secret-box.js';
import {
  INBOUND_SUMMARY_COLUMNS,
  type InboundRow,
  newInboundRow,
  newSourceRow,
  patchedSourceRow,
  type SourceRow,
  toInboundRequest,
  toInboundSummary,
  toSource,
} from '../source-rows.js';
import {
  INBOUND_REFUSALS_KEPT,
  type InboundForwarding,
  type InboundRefusal,
  type InboundRequest,
  type InboundRequestSummary,
  type NewInboundRequest,
  type NewSource,
  type Source,
  type SourcePatch,
  type SourcesStore,
} from '../sources.js';
import { type PostgresParts, uniqueViolation } from './postgres-parts.js';

const SOURCE_COLUMNS = [
  'id',
  'app_id',
  'uid',
  'name',
  'verification',
  'identify',
  'allowlist',
  'rate_limit',
  'response',
  'signature_mode',
  'max_body_bytes',
  'disabled',
  'created_at',
  'updated_at',
] as const;

const INBOUND_COLUMNS = [
  'id',
  'source_id',
  'app_id',
  'outcome',
  'reason',
  'method',
  'event_type',
  'event_id',
  'remote_address',
  'body',
  'headers',
  'query',
  'signature_mode',
  'message_id',
  'created_at',
] as const;

const placeholders = (count: number) => Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ');
const INSERT_SOURCE = `INSERT INTO sources (${SOURCE_COLUMNS.join(', ')}) VALUES (${placeholders(SOURCE_COLUMNS.length)})`;
const INSERT_INBOUND = `INSERT INTO inbound_requests (${INBOUND_COLUMNS.join(', ')}) VALUES (${placeholders(INBOUND_COLUMNS.length)})`;

const sourceValues = (row: SourceRow) => SOURCE_COLUMNS.map((column) => row[column]);
const inboundValues = (row: InboundRow) => INBOUND_COLUMNS.map((column) => row[column]);

function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const done = rows.length <= limit;
  const data = done ? rows : rows.slice(0, limit);
  return { data, iterator: data.length > 0 ? (data[data.length - 1] as T).id : null, done };
}

export class PostgresSources implements SourcesStore {
  constructor(
    private readonly parts: PostgresParts,
    private readonly box: SecretBox,
  ) {}

  async createSource(appId: string, input: NewSource, now: number): Promise<Source> {
    const row = newSourceRow(newId('src', now), appId, input, now, this.box);
    try {
      await this.parts.query(INSERT_SOURCE, sourceValues(row));
    } catch (error) {
      if (row.uid !== null && uniqueViolation(error, 'sources_uid_key')) throw new DuplicateUidError(row.uid);
      throw error;
    }
    return toSource(row, this.box);
  }

  async getSource(appId: string, idOrUid: string): Promise<Source | null> {
    const { rows } = await this.parts.query<SourceRow>(
      'SELECT * FROM sources WHERE app_id = $1 AND (id = $2 OR uid = $2) LIMIT 1',
      [appId, idOrUid],
    );
    return rows[0] === undefined ? null : toSource(rows[0], this.box);
  }

  async findSource(idOrUid: string): Promise<Source | null> {
    const { rows } = await this.parts.query<SourceRow>('SELECT * FROM sources WHERE id = $1 OR uid = $1 LIMIT 1', [
      idOrUid,
    ]);
    return rows[0] === undefined ? null : toSource(rows[0], this.box);
  }

  async listSources(appId: string | null, options: ListOptions): Promise<Page<Source>> {
    const { rows } = await this.parts.query<SourceRow>(
      `SELECT * FROM sources WHERE ($1::text IS NULL OR app_id = $1)
         AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [appId, options.iterator ?? null, options.limit + 1],
    );
    const result = page(rows, options.limit);
    return { ...result, data: result.data.map((row) => toSource(row, this.box)) };
  }

  async updateSource(appId: string, id: string, patch: SourcePatch, now: number): Promise<Source | null> {
    return this.parts.transaction(async (client) => {
      const { rows } = await client.query<SourceRow>('SELECT * FROM sources WHERE app_id = $1 AND id = $2 FOR UPDATE', [
        appId,
        id,
      ]);
      if (rows[0] === undefined) return null;
      const row = patchedSourceRow(rows[0], patch, now, this.box);
      try {
        await client.query(
          `UPDATE sources SET uid = $2, name = $3, verification = $4, identify = $5, allowlist = $6, rate_limit = $7,
             response = $8, signature_mode = $9, max_body_bytes = $10, disabled = $11, updated_at = $12 WHERE id = $1`,
          [
            row.id,
            row.uid,
            row.name,
            row.verification,
            row.identify,
            row.allowlist,
            row.rate_limit,
            row.response,
            row.signature_mode,
            row.max_body_bytes,
            row.disabled,
            row.updated_at,
          ],
        );
      } catch (error) {
        if (row.uid !== null && uniqueViolation(error, 'sources_uid_key')) throw new DuplicateUidError(row.uid);
        throw error;
      }
      return toSource(row, this.box);
    });
  }

  async deleteSource(appId: string, id: string): Promise<boolean> {
    const result = await this.parts.query('DELETE FROM sources WHERE app_id = $1 AND id = $2', [appId, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async acceptInbound(input: NewInboundRequest, now: number): Promise<{ id: string; duplicate: boolean }> {
    const row = newInboundRow(newId('inb', now), input, now);
    const inserted = await this.parts.query(
      `${INSERT_INBOUND} ON CONFLICT (source_id, event_id) WHERE outcome = 'accepted' AND event_id IS NOT NULL DO NOTHING`,
      inboundValues(row),
    );
    if ((inserted.rowCount ?? 0) > 0) return { id: row.id, duplicate: false };
    const { rows } = await this.parts.query<{ id: string }>(
      "SELECT id FROM inbound_requests WHERE source_id = $1 AND event_id = $2 AND outcome = 'accepted'",
      [input.sourceId, input.eventId],
    );
    return { id: rows[0]?.id ?? row.id, duplicate: true };
  }

  async recordInboundRefusal(input: InboundRefusal, now: number, keep = INBOUND_REFUSALS_KEPT): Promise<void> {
    const row: InboundRow = {
      id: newId('inb', now),
      source_id: input.sourceId,
      app_id: input.appId,
      outcome: input.outcome,
      reason: input.reason,
      method: input.method,
      event_type: input.eventType,
      event_id: input.eventId,
      remote_address: input.remoteAddress,
      body: null,
      headers: null,
      query: null,
      signature_mode: null,
      message_id: null,
      created_at: now,
    };
    await this.parts.query(INSERT_INBOUND, inboundValues(row));
    // The oldest refusals past the bound go (several processes may each have added one since).
    await this.parts.query(
      `DELETE FROM inbound_requests WHERE id IN (
         SELECT id FROM inbound_requests WHERE source_id = $1 AND outcome <> 'accepted'
         ORDER BY id DESC OFFSET $2)`,
      [input.sourceId, keep],
    );
  }

  async listUnrelayedInbound(limit: number): Promise<InboundRequest[]> {
    const { rows } = await this.parts.query<InboundRow>(
      "SELECT * FROM inbound_requests WHERE outcome = 'accepted' AND message_id IS NULL ORDER BY id LIMIT $1",
      [limit],
    );
    return rows.map(toInboundRequest);
  }

  async markInboundRelayed(requestId: string, messageId: string): Promise<void> {
    await this.parts.query('UPDATE inbound_requests SET message_id = $2 WHERE id = $1', [requestId, messageId]);
  }

  async listInboundRequests(
    appId: string,
    sourceId: string,
    options: ListOptions,
  ): Promise<Page<InboundRequestSummary>> {
    const { rows } = await this.parts.query<InboundRow>(
      `SELECT ${INBOUND_SUMMARY_COLUMNS} FROM inbound_requests WHERE app_id = $1 AND source_id = $2
         AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
      [appId, sourceId, options.iterator ?? null, options.limit + 1],
    );
    const result = page(rows, options.limit);
    return { ...result, data: result.data.map(toInboundSummary) };
  }

  async inboundForwarding(appId: string, requestId: string): Promise<InboundForwarding | null> {
    const { rows } = await this.parts.query<Pick<InboundRow, 'headers' | 'signature_mode'>>(
      "SELECT headers, signature_mode FROM inbound_requests WHERE id = $1 AND app_id = $2 AND outcome = 'accepted'",
      [requestId, appId],
    );
    const row = rows[0];
    if (row === undefined || row.headers === null || row.signature_mode === null) return null;
    return { headers: JSON.parse(row.headers), signatureMode: row.signature_mode };
  }
}
