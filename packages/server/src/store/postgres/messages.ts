// Messages in PostgreSQL: publish is ONE statement (the message, one delivery per matching enabled endpoint, and
// the NOTIFY that wakes workers in every process), so it commits whole or not at all; publishMany runs it once per
// message inside one transaction.
import { compiledPayloadFilter, type PayloadTest } from '../../payload-filter/compile.js';
import { DuplicateEventIdError } from '../errors.js';
import { PublishedPayload, passesPayloadFilter } from '../fan-out.js';
import { type AnswerWithWrite, answeredRecordValues } from '../idempotency.js';
import { newMessageRow } from '../input-rows.js';
import type { MessagesStore, NewMessage, PublishedOrDuplicate, PublishResult } from '../messages.js';
import { type MessageRow, toMessage } from '../rows.js';
import type { Message } from '../types.js';
import {
  KEY_TAKEN_MESSAGE,
  keyTakenAsError,
  storeAnswerWithWrite,
  takeOverRecordsThatNoLongerCount,
  throwIfKeyTaken,
} from './idempotency.js';
import type { PostgresParts } from './postgres-parts.js';
import type { Queryable } from './watched-pool.js';
import { WORK_CHANNEL } from './work-listener.js';

/**
 * $1 message id, $2 app id, $3 event type, $4 event id, $5 payload, $6 channels (JSON text or null), $7 now,
 * $8 deliver at, $9 tags, $10 the only endpoint (a test event) or null, $11 the filtered endpoints the process
 * evaluated (`id:md5(payload_filter)`), $12 those of them whose payload filter the payload passed, $13 the ordering
 * key.
 * Which endpoints is fan-out.ts's rule (receivesMessage): the one named, or else every endpoint whose event types
 * and channels match in SQL (empty or null matching everything) and, if it has a payload filter, is in $12.
 * The payload filter is evaluated only in the process (fan-out.ts), never in SQL: `unseen` counts enabled filtered
 * endpoints whose current filter the process did not evaluate (new, changed by any process, re-enabled), and while
 * there is one the statement inserts nothing, so the caller reloads them and runs it again. Decided in one snapshot:
 * no message is ever fanned out with a filter other than the one its endpoint has at that moment.
 * The NOTIFY is sent by PostgreSQL at commit, so a worker never wakes before the rows are visible.
 * An eventId the application already has inserts nothing (`inserted` 0) rather than failing: inside publishMany's
 * transaction a failed statement would abort the whole batch.
 * A delivery to an ordered endpoint joins its key's line (ordering.ts): the upsert of the line's row takes its lock
 * and reads its latest version whatever this statement's snapshot, so the delivery is the head when the line is
 * idle and parked behind the head otherwise, numbered in commit order.
 */
const PUBLISH = `
WITH filtered AS (
  SELECT id || ':' || md5(payload_filter) AS seen FROM endpoints
   WHERE $10::text IS NULL AND app_id = $2 AND disabled = 0 AND payload_filter IS NOT NULL
), unseen AS (
  SELECT 1 FROM filtered WHERE NOT (seen = ANY($11::text[])) LIMIT 1
), message AS (
  INSERT INTO messages (id, app_id, event_type, event_id, payload, channels, created_at, deliver_at, tags, ordering_key)
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $13 WHERE NOT EXISTS (SELECT 1 FROM unseen)
  ON CONFLICT (app_id, event_id) WHERE event_id IS NOT NULL DO NOTHING
  RETURNING id
), target AS (
  SELECT hookline_new_id('dlv', $7) AS id, message.id AS message_id, e.id AS endpoint_id, e.ordering = 'fifo' AS ordered
    FROM message CROSS JOIN (
      SELECT id, ordering FROM endpoints
       WHERE app_id = $2 AND disabled = 0
         AND (id = $10::text OR ($10::text IS NULL
           AND (event_types IS NULL OR event_types = '[]' OR event_types::jsonb ? $3::text)
           AND (channels IS NULL OR channels = '[]'
                OR ($6::text IS NOT NULL AND channels::jsonb ?| ARRAY(SELECT jsonb_array_elements_text($6::jsonb))))
           AND (payload_filter IS NULL OR id = ANY($12::text[]))))
       ORDER BY id) e
), line AS (
  INSERT INTO ordering_lines AS l (endpoint_id, ordering_key, head_id, last_seq)
  SELECT endpoint_id, COALESCE($13::text, ''), id, 1 FROM target WHERE ordered
  ON CONFLICT (endpoint_id, ordering_key) DO UPDATE
    SET head_id = COALESCE(l.head_id, EXCLUDED.head_id), last_seq = l.last_seq + 1
  RETURNING endpoint_id, head_id, last_seq
), fanned AS (
  INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at,
                          ordering_key, ordering_seq)
  SELECT t.id, t.message_id, t.endpoint_id, $2,
         CASE WHEN line.endpoint_id IS NULL OR line.head_id = t.id THEN 'pending' ELSE 'paused' END,
         0, GREATEST($7, COALESCE($8, $7)), $7, $7,
         CASE WHEN t.ordered THEN COALESCE($13::text, '') END, line.last_seq
    FROM target t LEFT JOIN line ON line.endpoint_id = t.endpoint_id
  RETURNING 1
), woken AS (
  SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM fanned LIMIT 1) any_delivery
)
SELECT (SELECT count(*) FROM message) AS inserted, (SELECT count(*) FROM fanned) AS deliveries,
       (SELECT count(*) FROM woken) AS woken, (SELECT count(*) FROM unseen) AS unseen,
       (SELECT count(*) FROM filtered) AS filtered`;

/**
 * PUBLISH with an Idempotency-Key's answer stored in the same statement, so it commits with the message or not at
 * all, in one round trip and one commit. $14 caller id, $15 key, $16 path, $17 request fingerprint, $18 status,
 * $19 body, $20 the record's time, $21 when it expires.
 * The record is inserted only when the message is (an eventId the application has already stores no answer), and
 * only over a record that no longer counts (expired, or in progress with its lock run out). When it meets a live
 * one (another request with the key committed first: the upsert waits for it), the message has been inserted in
 * this same statement, so the statement must fail: plain SQL cannot raise, so the last column casts a text to an
 * integer in exactly that case, and the cast's error (22P02 with KEY_TAKEN_MESSAGE) undoes the whole statement.
 */
const PUBLISH_ANSWERED = PUBLISH.replace(
  `), target AS (`,
  `), record AS (
  INSERT INTO idempotency_records AS r (caller_id, key, path, request_sha256, status_code, body, locked_until, expires_at, created_at)
  SELECT $14, $15, $16, $17, $18, $19, $20, $21, $20 FROM message
  ${takeOverRecordsThatNoLongerCount('$20')}
  RETURNING 1
), target AS (`,
).replace(
  `(SELECT count(*) FROM filtered) AS filtered`,
  `(SELECT count(*) FROM filtered) AS filtered,
       CASE WHEN (SELECT count(*) FROM message) > (SELECT count(*) FROM record)
            THEN ('${KEY_TAKEN_MESSAGE} ' || (SELECT count(*) FROM message))::int END AS key_taken`,
);

// Built from PUBLISH's text: a change there that the replacements no longer find must not go unnoticed.
if (!PUBLISH_ANSWERED.includes('record AS (') || !PUBLISH_ANSWERED.includes('AS key_taken')) {
  throw new Error('PUBLISH_ANSWERED no longer matches PUBLISH');
}

/** The enabled endpoints with a payload filter of one application, as `filtered` in PUBLISH sees them. */
const FILTERED_ENDPOINTS = `
SELECT id, payload_filter, id || ':' || md5(payload_filter) AS seen FROM endpoints
 WHERE app_id = $1 AND disabled = 0 AND payload_filter IS NOT NULL`;

/**
 * How often one publish reloads the filtered endpoints before giving up: each reload follows a change committed by
 * someone else in between, so a second one is already rare.
 */
const MAX_FILTER_RELOADS = 5;

/** An application's filtered endpoints as this process last read them, compiled. */
interface KnownFilters {
  seen: string[];
  endpoints: Array<{ id: string; test: PayloadTest }>;
}
const NO_FILTERS: KnownFilters = { seen: [], endpoints: [] };

interface PublishCounts {
  inserted: number;
  deliveries: number;
  unseen: number;
  filtered: number;
}

/**
 * What the transactional outbox needs of the application's connection: node-postgres's Client and PoolClient have
 * it, and so does a three-line adapter of a Kysely or Drizzle transaction.
 */
export interface OutboxClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export class PostgresMessages implements MessagesStore {
  /** Only applications that have filtered endpoints have an entry: the others cost nothing here. */
  private readonly knownFilters = new Map<string, KnownFilters>();

  constructor(private readonly parts: PostgresParts) {}

  async publish(
    appId: string,
    input: NewMessage,
    now: number,
    idempotent?: AnswerWithWrite<Message>,
  ): Promise<PublishResult> {
    const result = await this.publishOn(this.parts, appId, input, now, idempotent);
    if (result instanceof DuplicateEventIdError) throw result;
    return result;
  }

  publishMany(
    appId: string,
    inputs: readonly NewMessage[],
    now: number,
    idempotent?: AnswerWithWrite<PublishedOrDuplicate[]>,
  ): Promise<PublishedOrDuplicate[]> {
    return this.parts.transaction(async (client) => {
      const results: PublishedOrDuplicate[] = [];
      for (const input of inputs) results.push(await this.publishOn(client, appId, input, now));
      if (idempotent !== undefined) await storeAnswerWithWrite(client, idempotent.record, idempotent.answer(results));
      return results;
    });
  }

  /**
   * The transactional outbox: publishes on the application's own client, inside the transaction it has begun, so
   * the message, its deliveries and the NOTIFY exist exactly when that transaction commits. Hookline's tables are
   * found through a search_path set for this statement only and put back at once: the application's own statements
   * later in its transaction see its own tables. The client's type parsers are the application's, so counts are
   * read as numbers here whatever they parse bigint to.
   */
  async publishInTransaction(
    outbox: OutboxClient,
    schema: string | null,
    appId: string,
    input: NewMessage,
    now: number,
  ): Promise<PublishResult> {
    // Rows come back as the application's client parses them: only `query` and `rows` are relied on.
    const client = outbox as unknown as Queryable;
    const { rows } = await client.query<{ path: string }>("SELECT current_setting('search_path') AS path");
    const previous = (rows[0] as { path: string }).path;
    if (schema !== null) await client.query("SELECT set_config('search_path', $1, true)", [schema]);
    try {
      const result = await this.publishOn(client, appId, input, now);
      if (result instanceof DuplicateEventIdError) throw result;
      return result;
    } finally {
      if (schema !== null) await client.query("SELECT set_config('search_path', $1, true)", [previous]);
    }
  }

  private async publishOn(
    on: Queryable,
    appId: string,
    input: NewMessage,
    now: number,
    /** An Idempotency-Key's answer, stored by the same statement (PUBLISH_ANSWERED). */
    idempotent?: AnswerWithWrite<Message>,
  ): Promise<PublishResult | DuplicateEventIdError> {
    const row = newMessageRow(appId, input, now);
    const answered =
      idempotent === undefined ? null : { record: idempotent.record, answer: idempotent.answer(toMessage(row)) };
    const onlyEndpointId = input.onlyEndpointId ?? null;
    const payload = new PublishedPayload(row.payload);
    for (let reloads = 0; ; reloads++) {
      const known = this.knownFilters.get(appId) ?? NO_FILTERS;
      const passing =
        onlyEndpointId === null
          ? known.endpoints.filter((endpoint) => passesPayloadFilter(endpoint.test, payload)).map(({ id }) => id)
          : [];
      const values: unknown[] = [
        row.id,
        row.app_id,
        row.event_type,
        row.event_id,
        row.payload,
        row.channels,
        row.created_at,
        row.deliver_at,
        row.tags,
        onlyEndpointId,
        known.seen,
        passing,
        row.ordering_key,
      ];
      if (answered !== null) values.push(...answeredRecordValues(answered.record, answered.answer));
      const result =
        answered === null
          ? await on.query<PublishCounts>(PUBLISH, values)
          : await keyTakenAsError(on.query<PublishCounts>(PUBLISH_ANSWERED, values), on, answered.record);
      const counts = result.rows[0];
      if (counts !== undefined && Number(counts.unseen) > 0) {
        if (reloads === MAX_FILTER_RELOADS) {
          throw new Error(`endpoint payload filters of application ${appId} kept changing during one publish`);
        }
        await this.loadFilters(on, appId);
        continue;
      }
      // Fewer filtered endpoints than known (one deleted, disabled or unfiltered): forget them for the next publish.
      if (counts !== undefined && Number(counts.filtered) !== known.seen.length) await this.loadFilters(on, appId);
      if (counts === undefined || Number(counts.inserted) === 0) {
        // A request with the key and the same eventId that committed first: its answer, not a conflict.
        if (answered !== null) await throwIfKeyTaken(on, answered.record);
        return new DuplicateEventIdError(row.event_id ?? '');
      }
      return { message: toMessage(row), deliveries: Number(counts.deliveries) };
    }
  }

  private async loadFilters(on: Queryable, appId: string): Promise<void> {
    const { rows } = await on.query<{ id: string; payload_filter: string; seen: string }>(FILTERED_ENDPOINTS, [appId]);
    if (rows.length === 0) {
      this.knownFilters.delete(appId);
      return;
    }
    this.knownFilters.set(appId, {
      seen: rows.map((endpoint) => endpoint.seen),
      endpoints: rows.map((endpoint) => ({ id: endpoint.id, test: compiledPayloadFilter(endpoint.payload_filter) })),
    });
  }

  async getMessage(appId: string, idOrEventId: string): Promise<Message | null> {
    const { rows } = await this.parts.query<MessageRow>(
      'SELECT * FROM messages WHERE app_id = $1 AND (id = $2 OR event_id = $2) ORDER BY id = $2 DESC LIMIT 1',
      [appId, idOrEventId],
    );
    return rows[0] === undefined ? null : toMessage(rows[0]);
  }
}
