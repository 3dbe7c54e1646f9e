// Sources and their inbound requests in SQLite. acceptInbound is one queued write: durable (fsynced) when it
// resolves, grouped with its neighbours so a burst of provider requests shares the commits.
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
import type { SqliteParts } from './sqlite-parts.js';

const INSERT_SOURCE = `INSERT INTO sources (id, app_id, uid, name, verification, identify, allowlist, rate_limit, response,
  signature_mode, max_body_bytes, disabled, created_at, updated_at)
  VALUES (@id, @app_id, @uid, @name, @verification, @identify, @allowlist, @rate_limit, @response, @signature_mode,
  @max_body_bytes, @disabled, @created_at, @updated_at)`;

const INSERT_INBOUND = `INSERT INTO inbound_requests (id, source_id, app_id, outcome, reason, method, event_type, event_id,
  remote_address, body, headers, query, signature_mode, message_id, created_at)
  VALUES (@id, @source_id, @app_id, @outcome, @reason, @method, @event_type, @event_id, @remote_address, @body,
  @headers, @query, @signature_mode, @message_id, @created_at)`;

function isUidTaken(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true &&
    error.message.includes('sources.uid')
  );
}

function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const done = rows.length <= limit;
  const data = done ? rows : rows.slice(0, limit);
  return { data, iterator: data.length > 0 ? (data[data.length - 1] as T).id : null, done };
}

export class SqliteSources implements SourcesStore {
  constructor(
    private readonly parts: SqliteParts,
    private readonly box: SecretBox,
  ) {}

  createSource(appId: string, input: NewSource, now: number): Promise<Source> {
    return this.parts.write(() => {
      const row = newSourceRow(newId('src', now), appId, input, now, this.box);
      try {
        this.parts.sql(INSERT_SOURCE).run(row);
      } catch (error) {
        if (row.uid !== null && isUidTaken(error)) throw new DuplicateUidError(row.uid);
        throw error;
      }
      return toSource(row, this.box);
    });
  }

  async getSource(appId: string, idOrUid: string): Promise<Source | null> {
    const row = this.parts
      .sql('SELECT * FROM sources WHERE app_id = ? AND (id = ? OR uid = ?) LIMIT 1')
      .get(appId, idOrUid, idOrUid) as SourceRow | undefined;
    return row === undefined ? null : toSource(row, this.box);
  }

  async findSource(idOrUid: string): Promise<Source | null> {
    const row = this.parts.sql('SELECT * FROM sources WHERE id = ? OR uid = ? LIMIT 1').get(idOrUid, idOrUid) as
      | SourceRow
      | undefined;
    return row === undefined ? null : toSource(row, this.box);
  }

  async listSources(appId: string | null, options: ListOptions): Promise<Page<Source>> {
    const rows = this.parts
      .sql(
        `SELECT * FROM sources WHERE (@appId IS NULL OR app_id = @appId)
           AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit`,
      )
      .all({ appId, iterator: options.iterator ?? null, limit: options.limit + 1 }) as SourceRow[];
    const result = page(rows, options.limit);
    return { ...result, data: result.data.map((row) => toSource(row, this.box)) };
  }

  updateSource(appId: string, id: string, patch: SourcePatch, now: number): Promise<Source | null> {
    return this.parts.write(() => {
      const current = this.parts.sql('SELECT * FROM sources WHERE app_id = ? AND id = ?').get(appId, id) as
        | SourceRow
        | undefined;
      if (current === undefined) return null;
      const row = patchedSourceRow(current, patch, now, this.box);
      try {
        this.parts
          .sql(
            `UPDATE sources SET uid = @uid, name = @name, verification = @verification, identify = @identify,
               allowlist = @allowlist, rate_limit = @rate_limit, response = @response, signature_mode = @signature_mode,
               max_body_bytes = @max_body_bytes, disabled = @disabled, updated_at = @updated_at WHERE id = @id`,
          )
          .run(row);
      } catch (error) {
        if (row.uid !== null && isUidTaken(error)) throw new DuplicateUidError(row.uid);
        throw error;
      }
      return toSource(row, this.box);
    });
  }

  deleteSource(appId: string, id: string): Promise<boolean> {
    return this.parts.write(
      () => this.parts.sql('DELETE FROM sources WHERE app_id = ? AND id = ?').run(appId, id).changes > 0,
    );
  }

  acceptInbound(input: NewInboundRequest, now: number): Promise<{ id: string; duplicate: boolean }> {
    return this.parts.write(() => {
      if (input.eventId !== null) {
        const earlier = this.parts
          .sql("SELECT id FROM inbound_requests WHERE source_id = ? AND event_id = ? AND outcome = 'accepted'")
          .get(input.sourceId, input.eventId) as { id: string } | undefined;
        if (earlier !== undefined) return { id: earlier.id, duplicate: true };
      }
      const row = newInboundRow(newId('inb', now), input, now);
      this.parts.sql(INSERT_INBOUND).run(row);
      return { id: row.id, duplicate: false };
    });
  }

  recordInboundRefusal(input: InboundRefusal, now: number, keep = INBOUND_REFUSALS_KEPT): Promise<void> {
    return this.parts.write(() => {
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
      this.parts.sql(INSERT_INBOUND).run(row);
      // The oldest refusal past the bound goes; one row in, at most one out, so the table stays at the bound.
      this.parts
        .sql(
          `DELETE FROM inbound_requests WHERE id IN (
             SELECT id FROM inbound_requests WHERE source_id = ? AND outcome <> 'accepted'
             ORDER BY id DESC LIMIT -1 OFFSET ?)`,
        )
        .run(input.sourceId, keep);
    });
  }

  async listUnrelayedInbound(limit: number): Promise<InboundRequest[]> {
    const rows = this.parts
      .sql("SELECT * FROM inbound_requests WHERE outcome = 'accepted' AND message_id IS NULL ORDER BY id LIMIT ?")
      .all(limit) as InboundRow[];
    return rows.map(toInboundRequest);
  }

  markInboundRelayed(requestId: string, messageId: string): Promise<void> {
    return this.parts.write(() => {
      this.parts.sql('UPDATE inbound_requests SET message_id = ? WHERE id = ?').run(messageId, requestId);
    });
  }

  async listInboundRequests(
    appId: string,
    sourceId: string,
    options: ListOptions,
  ): Promise<Page<InboundRequestSummary>> {
    const rows = this.parts
      .sql(
        `SELECT ${INBOUND_SUMMARY_COLUMNS} FROM inbound_requests WHERE app_id = @appId AND source_id = @sourceId
           AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit`,
      )
      .all({ appId, sourceId, iterator: options.iterator ?? null, limit: options.limit + 1 }) as InboundRow[];
    const result = page(rows, options.limit);
    return { ...result, data: result.data.map(toInboundSummary) };
  }

  async inboundForwarding(appId: string, requestId: string): Promise<InboundForwarding | null> {
    const row = this.parts
      .sql("SELECT headers, signature_mode FROM inbound_requests WHERE id = ? AND app_id = ? AND outcome = 'accepted'")
      .get(requestId, appId) as Pick<InboundRow, 'headers' | 'signature_mode'> | undefined;
    if (row === undefined || row.headers === null || row.signature_mode === null) return null;
    return { headers: JSON.parse(row.headers), signatureMode: row.signature_mode };
  }
}
