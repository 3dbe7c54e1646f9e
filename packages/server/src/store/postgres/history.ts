// The history on PostgreSQL: the filtered lists (messages, attempts, a message's deliveries, dead letters) and
// endpoint stats; each one fixed statement with nullable parameters; a filter left out binds NULL and matches all.

import type { AttemptListOptions, HistoryStore, MessageListOptions, TimeRange } from '../history.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import {
  type AttemptRow,
  type DeliveryRow,
  type MessageRow,
  toAttempt,
  toDelivery,
  toEndpointStats,
  toMessage,
} from '../rows.js';
import type { Attempt, Delivery, EndpointStats, Message } from '../types.js';
import { listPage } from './paging.js';
import type { PostgresParts } from './postgres-parts.js';

/** $2 iterator, $3 before, $4 after, $5 event types (text[] or null), $6 channel; `m` is the message. */
function timeAndTypeFilters(id: string, time: string): string {
  return `
  AND ($2::text IS NULL OR ${id} < $2)
  AND ($3::bigint IS NULL OR ${time} < $3)
  AND ($4::bigint IS NULL OR ${time} > $4)
  AND ($5::text[] IS NULL OR m.event_type = ANY ($5))
  AND ($6::text IS NULL OR (m.channels IS NOT NULL AND m.channels::jsonb ? $6))`;
}

/** Messages that carry the tag in `param`; `m` is the message. */
const tagFilter = (param: string) =>
  `AND (${param}::text IS NULL OR (m.tags IS NOT NULL AND m.tags::jsonb ? ${param}))`;

const LIST_MESSAGES = `
SELECT m.* FROM messages m
WHERE m.app_id = $1 ${timeAndTypeFilters('m.id', 'm.created_at')} ${tagFilter('$8')}
ORDER BY m.id DESC LIMIT $7`;

function listAttempts(scope: 'message_id' | 'endpoint_id'): string {
  return `
SELECT t.* FROM attempts t JOIN messages m ON m.id = t.message_id
WHERE t.app_id = $1 AND t.${scope} = $8 ${timeAndTypeFilters('t.id', 't.created_at')} ${tagFilter('$12')}
  AND ($9::text IS NULL OR t.outcome = $9)
  AND ($10::text IS NULL OR t.endpoint_id = $10)
  AND ($11::int IS NULL
       OR ($11 = 0 AND t.status_code IS NULL)
       OR ($11 > 0 AND t.status_code >= $11 AND t.status_code < $11 + 100))
ORDER BY t.id DESC LIMIT $7`;
}

const LIST_ATTEMPTS_FOR_MESSAGE = listAttempts('message_id');
const LIST_ATTEMPTS_FOR_ENDPOINT = listAttempts('endpoint_id');

function messageParameters(appId: string, options: MessageListOptions): unknown[] {
  const eventTypes = options.eventTypes == null || options.eventTypes.length === 0 ? null : [...options.eventTypes];
  return [
    appId,
    options.iterator ?? null,
    options.before ?? null,
    options.after ?? null,
    eventTypes,
    options.channel ?? null,
    options.limit + 1,
  ];
}

export class PostgresHistory implements HistoryStore {
  constructor(private readonly parts: PostgresParts) {}

  async listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>> {
    const result = await listPage<MessageRow>(
      this.parts,
      LIST_MESSAGES,
      [...messageParameters(appId, options), options.tag ?? null],
      options,
      byId,
      '$2',
    );
    return { ...result, data: result.data.map(toMessage) };
  }

  private async listAttempts(
    statement: string,
    appId: string,
    scopeId: string,
    options: AttemptListOptions,
  ): Promise<Page<Attempt>> {
    const values = [
      ...messageParameters(appId, options),
      scopeId,
      options.outcome ?? null,
      options.endpointId ?? null,
      options.statusCodeClass ?? null,
      options.tag ?? null,
    ];
    const result = await listPage<AttemptRow>(this.parts, statement, values, options, byId, '$2');
    return { ...result, data: result.data.map(toAttempt) };
  }

  listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.listAttempts(LIST_ATTEMPTS_FOR_MESSAGE, appId, messageId, options);
  }

  listAttemptsForEndpoint(appId: string, endpointId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.listAttempts(LIST_ATTEMPTS_FOR_ENDPOINT, appId, endpointId, options);
  }

  async getAttempt(appId: string, attemptId: string): Promise<Attempt | null> {
    const { rows } = await this.parts.query<AttemptRow>('SELECT * FROM attempts WHERE app_id = $1 AND id = $2', [
      appId,
      attemptId,
    ]);
    return rows[0] === undefined ? null : toAttempt(rows[0]);
  }

  async listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>> {
    const result = await listPage<DeliveryRow>(
      this.parts,
      `SELECT * FROM deliveries WHERE app_id = $1 AND message_id = $2 AND ($3::text IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [appId, messageId, options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$3',
    );
    return { ...result, data: result.data.map(toDelivery) };
  }

  async endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats> {
    const { rows } = await this.parts.query<{ status: Delivery['status']; n: number }>(
      `SELECT status, count(*) AS n FROM deliveries
        WHERE app_id = $1 AND endpoint_id = $2
          AND ($3::bigint IS NULL OR created_at < $3) AND ($4::bigint IS NULL OR created_at > $4)
        GROUP BY status`,
      [appId, endpointId, range.before ?? null, range.after ?? null],
    );
    return toEndpointStats(rows);
  }

  async listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions): Promise<Page<Delivery>> {
    const result = await listPage<DeliveryRow>(
      this.parts,
      `SELECT * FROM deliveries WHERE app_id = $1 AND status = 'dead' AND ($2::text IS NULL OR endpoint_id = $2)
         AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
      [appId, endpointId, options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$3',
    );
    return { ...result, data: result.data.map(toDelivery) };
  }
}
