// The SQL of the filtered lists (messages, attempts, a message's deliveries), kept together. Each is one fixed text
// with nullable parameters, so it is prepared once; a filter left out binds NULL and matches every row.
import type { AttemptListOptions, MessageListOptions, RecentAttemptsQuery } from '../store.js';

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

export const ENDPOINT_STATS = `
SELECT status, COUNT(*) AS n FROM deliveries
WHERE app_id = @appId AND endpoint_id = @endpointId
  AND (@before IS NULL OR created_at < @before) AND (@after IS NULL OR created_at > @after)
GROUP BY status`;

/** Parameters of LIST_MESSAGES; one more row than the page, to know whether it is the last. */
export function messageListParameters(appId: string, options: MessageListOptions) {
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

export function attemptListParameters(appId: string, scopeId: string, options: AttemptListOptions) {
  return {
    ...messageListParameters(appId, options),
    scopeId,
    outcome: options.outcome ?? null,
    endpointId: options.endpointId ?? null,
    codeClass: options.statusCodeClass ?? null,
  };
}

/** Each count is answered by its status's partial index: the cost is that status's size, not the history's. */
export const QUEUE_DEPTH = `
SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'sending') AS sending,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'paused') AS paused,
       (SELECT COUNT(*) FROM deliveries WHERE status = 'dead') AS dead`;

/** The head of deliveries_due: one index step, however long the queue. */
export const OLDEST_DUE = `
SELECT next_attempt_at AS at FROM deliveries
WHERE status = 'pending' AND next_attempt_at <= ?
ORDER BY next_attempt_at LIMIT 1`;

/**
 * Where listRecentAttempts starts, so that it reads an index made for the question. One text with nullable filters
 * let the planner walk all of an application's attempts to find an endpoint's last failures (290 ms over 500,000
 * attempts for an endpoint that never failed, on every health view). `+` keeps the planner off attempts_app.
 */
export function recentAttemptsScope(query: RecentAttemptsQuery): string {
  if (query.endpointId === undefined || query.endpointId === null) return 'attempts.app_id = @appId';
  // attempts_failed_endpoint is partial: the literal outcome lets the planner prove a failed-only query may use it.
  const failed = query.outcome === 'failed' ? " AND attempts.outcome = 'failed'" : '';
  return `+attempts.app_id = @appId AND attempts.endpoint_id = @endpointId${failed}`;
}
