// Messages in SQLite: publish is one write (the message and one delivery per matching enabled endpoint), grouped
// with others into a shared transaction, so it commits whole or not at all and is answered once on disk.
import { newId } from '../../ids.js';
import { DuplicateEventIdError } from '../errors.js';
import { type EndpointFilter, receivesMessage } from '../fan-out.js';
import { newMessageRow } from '../input-rows.js';
import type { MessagesStore, NewMessage, PublishResult } from '../messages.js';
import { type EndpointRow, type MessageRow, toMessage } from '../rows.js';
import type { Message } from '../types.js';
import { type SqliteParts, uniqueViolation } from './sqlite-parts.js';

export class SqliteMessages implements MessagesStore {
  constructor(private readonly parts: SqliteParts) {}

  publish(appId: string, input: NewMessage, now: number): Promise<PublishResult> {
    return this.parts.write(() => this.publishNow(appId, input, now));
  }

  publishMany(
    appId: string,
    inputs: readonly NewMessage[],
    now: number,
  ): Promise<Array<PublishResult | DuplicateEventIdError>> {
    // One write, so one transaction: a refused INSERT undoes only itself, and the rest of the batch goes on.
    return this.parts.write(() =>
      inputs.map((input) => {
        try {
          return this.publishNow(appId, input, now);
        } catch (error) {
          if (error instanceof DuplicateEventIdError) return error;
          throw error;
        }
      }),
    );
  }

  /** Called inside a write transaction. */
  private publishNow(appId: string, input: NewMessage, now: number): PublishResult {
    const row = newMessageRow(appId, input, now);
    try {
      this.parts
        .sql(
          'INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, created_at, deliver_at, tags) VALUES (@id, @app_id, @event_type, @event_id, @payload, @channels, @created_at, @deliver_at, @tags)',
        )
        .run(row);
    } catch (error) {
      if (row.event_id !== null && uniqueViolation(error, 'messages.app_id, messages.event_id')) {
        throw new DuplicateEventIdError(row.event_id);
      }
      throw error;
    }
    const message = toMessage(row);
    const insert = this.parts.sql(
      `INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    let deliveries = 0;
    const due = Math.max(now, row.deliver_at ?? now);
    for (const endpoint of this.enabledEndpointsOf(appId)) {
      if (!receivesMessage(endpoint, message, input.onlyEndpointId ?? null)) continue;
      insert.run(newId('dlv', now), message.id, endpoint.id, appId, due, now, now);
      deliveries++;
    }
    return { message, deliveries };
  }

  /** Called inside a write transaction, so what it caches is what the transaction sees. */
  private enabledEndpointsOf(appId: string): Array<{ id: string; filter: EndpointFilter }> {
    const cache = this.parts.caches.enabledEndpoints;
    let endpoints = cache.get(appId);
    if (endpoints === undefined) {
      const rows = this.parts
        .sql('SELECT id, event_types, channels FROM endpoints WHERE app_id = ? AND disabled = 0')
        .all(appId) as Array<Pick<EndpointRow, 'id' | 'event_types' | 'channels'>>;
      endpoints = rows.map((row) => ({
        id: row.id,
        filter: {
          eventTypes: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
          channels: row.channels === null ? null : (JSON.parse(row.channels) as string[]),
        },
      }));
      cache.set(appId, endpoints);
    }
    return endpoints;
  }

  async getMessage(appId: string, idOrEventId: string): Promise<Message | null> {
    const row = this.parts
      .sql('SELECT * FROM messages WHERE app_id = ? AND (id = ? OR event_id = ?) LIMIT 1')
      .get(appId, idOrEventId, idOrEventId) as MessageRow | undefined;
    return row === undefined ? null : toMessage(row);
  }
}
