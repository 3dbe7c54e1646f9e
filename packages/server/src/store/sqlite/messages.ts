// Messages in SQLite: publish is one write (the message and one delivery per matching enabled endpoint), grouped
// with others into a shared transaction, so it commits whole or not at all and is answered once on disk.
import type BetterSqlite3 from 'better-sqlite3';
import { newId } from '../../ids.js';
import { compiledPayloadFilter } from '../../payload-filter/compile.js';
import { DuplicateEventIdError } from '../errors.js';
import { type FanOutEndpoint, PublishedPayload, receivesMessage } from '../fan-out.js';
import type { AnswerWithWrite } from '../idempotency.js';
import { newMessageRow } from '../input-rows.js';
import type { MessagesStore, NewMessage, PublishedOrDuplicate, PublishResult } from '../messages.js';
import { type EndpointRow, type MessageRow, toMessage } from '../rows.js';
import type { Message } from '../types.js';
import { storeAnswerWithWrite, throwIfKeyTaken } from './idempotency.js';
import { joinLine } from './ordering.js';
import { type SqliteParts, uniqueViolation } from './sqlite-parts.js';
import { HOT_WRITE } from './write-queue.js';

export class SqliteMessages implements MessagesStore {
  constructor(private readonly parts: SqliteParts) {}

  publish(
    appId: string,
    input: NewMessage,
    now: number,
    idempotent?: AnswerWithWrite<Message>,
  ): Promise<PublishResult> {
    if (idempotent === undefined) return this.parts.write(() => this.publishNow(appId, input, now), HOT_WRITE);
    return this.parts.write(() => {
      let published: PublishResult;
      try {
        published = this.publishNow(appId, input, now);
      } catch (error) {
        // A request with the key and the same eventId that committed first: its answer, not a conflict.
        if (error instanceof DuplicateEventIdError) throwIfKeyTaken(this.parts.sql, idempotent.record);
        throw error;
      }
      storeAnswerWithWrite(this.parts.sql, idempotent.record, idempotent.answer(published.message));
      return published;
    }, HOT_WRITE);
  }

  publishMany(
    appId: string,
    inputs: readonly NewMessage[],
    now: number,
    idempotent?: AnswerWithWrite<PublishedOrDuplicate[]>,
  ): Promise<PublishedOrDuplicate[]> {
    // One write, so one transaction: a refused INSERT undoes only itself, and the rest of the batch goes on.
    return this.parts.write(
      () => {
        const results = inputs.map((input) => {
          try {
            return this.publishNow(appId, input, now);
          } catch (error) {
            if (error instanceof DuplicateEventIdError) return error;
            throw error;
          }
        });
        if (idempotent !== undefined) {
          storeAnswerWithWrite(this.parts.sql, idempotent.record, idempotent.answer(results));
        }
        return results;
      },
      // At most MAX_BATCH_MESSAGES messages: bounded by the API.
      HOT_WRITE,
    );
  }

  /** Called inside a write transaction. */
  private publishNow(appId: string, input: NewMessage, now: number): PublishResult {
    return insertMessage(this.parts.sql, this.enabledEndpointsOf(appId), appId, input, now);
  }

  /**
   * The transactional outbox on SQLite: publishes on the application's own better-sqlite3 connection to the same
   * file, inside the transaction it has begun, so the message and its deliveries exist exactly when it commits.
   * Synchronous, as the application's transaction is. The endpoints are read on that connection (what its
   * transaction sees), not from this store's cache.
   */
  publishInTransaction(db: BetterSqlite3.Database, appId: string, input: NewMessage, now: number): PublishResult {
    if (!db.inTransaction) {
      throw new Error('publishInTransaction needs the connection inside a transaction (db.transaction(...) or BEGIN)');
    }
    const sql = (text: string) => db.prepare(text);
    return insertMessage(sql, enabledEndpointsOn(sql, appId), appId, input, now);
  }

  /** Called inside a write transaction, so what it caches is what the transaction sees. */
  private enabledEndpointsOf(appId: string): EnabledEndpoint[] {
    const cache = this.parts.caches.enabledEndpoints;
    let endpoints = cache.get(appId);
    if (endpoints === undefined) {
      endpoints = enabledEndpointsOn(this.parts.sql, appId);
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

type Prepare = (text: string) => BetterSqlite3.Statement;

// Bound by position, not by name: better-sqlite3 binds a named parameter by making its name a V8 string from UTF-8
// and looking it up on the object, for each parameter at each run.
const INSERT_MESSAGE = `INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, created_at, deliver_at,
    tags, ordering_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** An enabled endpoint as publish fans out to it; `ordered`: its deliveries join their key's line. */
export type EnabledEndpoint = FanOutEndpoint & { ordered: boolean };

function enabledEndpointsOn(sql: Prepare, appId: string): EnabledEndpoint[] {
  const rows = sql(
    'SELECT id, event_types, channels, payload_filter, ordering FROM endpoints WHERE app_id = ? AND disabled = 0',
  ).all(appId) as Array<Pick<EndpointRow, 'id' | 'event_types' | 'channels' | 'payload_filter' | 'ordering'>>;
  return rows.map((row) => ({
    id: row.id,
    ordered: row.ordering === 'fifo',
    filter: {
      eventTypes: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
      channels: row.channels === null ? null : (JSON.parse(row.channels) as string[]),
    },
    payloadTest: row.payload_filter === null ? null : compiledPayloadFilter(row.payload_filter),
  }));
}

/** A delivery of an ordered endpoint: at the end of its key's line, the head (pending) or parked behind it. */
function insertInLine(sql: Prepare, id: string, message: Message, endpointId: string, due: number, now: number): void {
  const orderingKey = message.orderingKey ?? '';
  const place = joinLine(sql, { endpointId, orderingKey }, id);
  sql(
    `INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at,
       updated_at, ordering_key, ordering_seq)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
  ).run(id, message.id, endpointId, message.appId, place.status, due, now, now, orderingKey, place.seq);
}

/** The publish writes (the message, one delivery per matching endpoint), on whichever connection runs them. */
function insertMessage(
  sql: Prepare,
  endpoints: readonly EnabledEndpoint[],
  appId: string,
  input: NewMessage,
  now: number,
): PublishResult {
  const row = newMessageRow(appId, input, now);
  try {
    sql(INSERT_MESSAGE).run(
      row.id,
      row.app_id,
      row.event_type,
      row.event_id,
      row.payload,
      row.channels,
      row.created_at,
      row.deliver_at,
      row.tags,
      row.ordering_key,
    );
  } catch (error) {
    if (row.event_id !== null && uniqueViolation(error, 'messages.app_id, messages.event_id')) {
      throw new DuplicateEventIdError(row.event_id);
    }
    throw error;
  }
  const message = toMessage(row);
  const insert = sql(
    `INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
  );
  let deliveries = 0;
  const due = Math.max(now, row.deliver_at ?? now);
  const published = { ...message, payload: new PublishedPayload(row.payload) };
  for (const endpoint of endpoints) {
    if (!receivesMessage(endpoint, published, input.onlyEndpointId ?? null)) continue;
    const id = newId('dlv', now);
    if (endpoint.ordered) insertInLine(sql, id, message, endpoint.id, due, now);
    else insert.run(id, message.id, endpoint.id, appId, due, now, now);
    deliveries++;
  }
  return { message, deliveries };
}
