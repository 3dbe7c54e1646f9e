// The history on SQLite: the filtered lists (messages, attempts, a message's deliveries, dead letters) and
// endpoint stats; each one fixed statement with nullable parameters, so it is prepared once; a filter left out
// binds NULL and matches every row.

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
import type { SqliteParts } from './sqlite-parts.js';

const TIME_AND_TYPE_FILTERS = `
  AND (@before IS NULL OR m.created_at < @before)
  AND (@after IS NULL OR m.created_at > @after)
  AND (@eventTypes IS NULL OR m.event_type IN (SELECT value FROM json_each(@eventTypes)))
  AND (@channel IS NULL OR EXISTS (SELECT 1 FROM json_each(m.channels) WHERE value = @channel))
  AND (@tag IS NULL OR EXISTS (SELECT 1 FROM json_each(m.tags) WHERE value = @tag))`;

export const LIST_MESSAGES = `
SELECT m.* FROM messages m
WHERE m.app_id = @appId AND (@iterator IS NULL OR m.id < @iterator) ${TIME_AND_TYPE_FILTERS}
ORDER BY m.id DESC LIMIT @limit`;

/**
 * Attempts carry no event type or channel: those filters read the attempt's message. A message's attempts are
 * found through its deliveries (UNIQUE (message_id, endpoint_id), then attempts_delivery): a message has a few
 * deliveries with a few attempts each, and an index of attempts by message would cost every attempt recorded.
 * `+a.app_id` keeps the planner off attempts_app: without statistics it walked all of an application's attempts
 * in id order, filtering, where the scope's own index finds the few rows at once.
 */
function listAttempts(scope: 'message' | 'endpoint'): string {
  const inScope =
    scope === 'message'
      ? 'a.delivery_id IN (SELECT id FROM deliveries WHERE message_id = @scopeId)'
      : 'a.endpoint_id = @scopeId';
  return `
SELECT a.* FROM attempts a JOIN messages m ON m.id = a.message_id
WHERE +a.app_id = @appId AND ${inScope} AND (@iterator IS NULL OR a.id < @iterator)
  ${TIME_AND_TYPE_FILTERS.replaceAll('m.created_at', 'a.created_at')}
  AND (@outcome IS NULL OR a.outcome = @outcome)
  AND (@endpointId IS NULL OR a.endpoint_id = @endpointId)
  AND (@codeClass IS NULL
       OR (@codeClass = 0 AND a.status_code IS NULL)
       OR (@codeClass > 0 AND a.status_code >= @codeClass AND a.status_code < @codeClass + 100))
ORDER BY a.id DESC LIMIT @limit`;
}

export const LIST_ATTEMPTS_FOR_MESSAGE = listAttempts('message');
export const LIST_ATTEMPTS_FOR_ENDPOINT = listAttempts('endpoint');

export const LIST_DELIVERIES_FOR_MESSAGE = `
SELECT * FROM deliveries
WHERE app_id = @appId AND message_id = @messageId AND (@iterator IS NULL OR id < @iterator)
ORDER BY id DESC LIMIT @limit`;

const ENDPOINT_STATS = `
SELECT status, COUNT(*) AS n FROM deliveries
WHERE app_id = @appId AND endpoint_id = @endpointId
  AND (@before IS NULL OR created_at < @before) AND (@after IS NULL OR created_at > @after)
GROUP BY status`;

/** Parameters of LIST_MESSAGES; one more row than the page, to know whether it is the last. */
function messageParameters(appId: string, options: MessageListOptions) {
  return {
    appId,
    iterator: options.iterator ?? null,
    before: options.before ?? null,
    after: options.after ?? null,
    eventTypes:
      options.eventTypes === undefined || options.eventTypes === null || options.eventTypes.length === 0
        ? null
        : JSON.stringify(options.eventTypes),
    channel: options.channel ?? null,
    tag: options.tag ?? null,
    limit: options.limit + 1,
  };
}

export class SqliteHistory implements HistoryStore {
  constructor(private readonly parts: SqliteParts) {}

  async listMessages(appId: string, options: MessageListOptions): Promise<Page<Message>> {
    const result = listPage<MessageRow>(this.parts, LIST_MESSAGES, messageParameters(appId, options), options, byId);
    return { ...result, data: result.data.map(toMessage) };
  }

  private async listAttempts(
    statement: string,
    appId: string,
    scopeId: string,
    options: AttemptListOptions,
  ): Promise<Page<Attempt>> {
    const parameters = {
      ...messageParameters(appId, options),
      scopeId,
      outcome: options.outcome ?? null,
      endpointId: options.endpointId ?? null,
      codeClass: options.statusCodeClass ?? null,
    };
    const result = listPage<AttemptRow>(this.parts, statement, parameters, options, byId);
    return { ...result, data: result.data.map(toAttempt) };
  }

  listAttemptsForMessage(appId: string, messageId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.listAttempts(LIST_ATTEMPTS_FOR_MESSAGE, appId, messageId, options);
  }

  listAttemptsForEndpoint(appId: string, endpointId: string, options: AttemptListOptions): Promise<Page<Attempt>> {
    return this.listAttempts(LIST_ATTEMPTS_FOR_ENDPOINT, appId, endpointId, options);
  }

  async getAttempt(appId: string, attemptId: string): Promise<Attempt | null> {
    const row = this.parts.sql('SELECT * FROM attempts WHERE app_id = ? AND id = ?').get(appId, attemptId) as
      | AttemptRow
      | undefined;
    return row === undefined ? null : toAttempt(row);
  }

  async listDeliveriesForMessage(appId: string, messageId: string, options: ListOptions): Promise<Page<Delivery>> {
    const result = listPage<DeliveryRow>(
      this.parts,
      LIST_DELIVERIES_FOR_MESSAGE,
      { appId, messageId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toDelivery) };
  }

  async endpointStats(appId: string, endpointId: string, range: TimeRange): Promise<EndpointStats> {
    const rows = this.parts.sql(ENDPOINT_STATS).all({
      appId,
      endpointId,
      before: range.before ?? null,
      after: range.after ?? null,
    }) as Array<{ status: Delivery['status']; n: number }>;
    return toEndpointStats(rows);
  }

  async listDeadDeliveries(appId: string, endpointId: string | null, options: ListOptions): Promise<Page<Delivery>> {
    const result = listPage<DeliveryRow>(
      this.parts,
      `SELECT * FROM deliveries WHERE app_id = @appId AND status = 'dead' AND (@endpointId IS NULL OR endpoint_id = @endpointId)
         AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit`,
      { appId, endpointId, iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toDelivery) };
  }
}
