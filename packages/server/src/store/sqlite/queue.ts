// The queue in SQLite: the delivery row is the queue item. A claim leases due deliveries (candidates found in
// bounded steps, one application at a time in turn, the per-endpoint limits applied in JS), a record writes each
// attempt with its delivery's next state in the same shared transaction (group commit), and a result whose lease
// was lost is dropped.
import { newId } from '../../ids.js';
import { takeInTurn } from '../claim-order.js';
import { ClaimedDeliveries } from '../claimed-deliveries.js';
import type { AttemptResult, ClaimOptions, QueueStore, RecordedAttempts } from '../queue.js';
import type { DeliveryRow, EndpointRow, MessageRow } from '../rows.js';
import type { SecretBox } from '../secret-box.js';
import type { ClaimedDelivery } from '../types.js';
import { type Allowance, SqliteClaimCandidates } from './claim-candidates.js';
import { earliestPendingAt } from './earliest-pending.js';
import { setEndpointDisabledNow, storedSecrets } from './endpoints.js';
import { advanceLines, type OrderingLine, REPLAY_STATUS_OF_LINE } from './ordering.js';
import type { SqliteParts } from './sqlite-parts.js';
import { HOT_WRITE_AT_COMMIT } from './write-queue.js';

/** A replay (resend, recover) requeues only deliveries whose message still has its payload (retention). */
const PAYLOAD_KEPT = ' AND (SELECT payload_pruned_at FROM messages WHERE messages.id = deliveries.message_id) IS NULL';

/**
 * The status a delivery takes when it becomes due again (a retry, a lease run out or given back, a replay):
 * pending, or paused when its endpoint is disabled, so it waits for the endpoint to be enabled instead of being
 * claimed. Written into each of those UPDATEs, so no later pass has to find and park such rows.
 */
const DUE_AGAIN_STATUS = `CASE WHEN EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id AND endpoints.disabled = 1)
  THEN 'paused' ELSE 'pending' END`;

// The statements run per claim and per attempt, built once here. The statement cache is keyed by the SQL text, and
// a template string built at each call is a new string whose hash V8 computes again at every lookup (seen in
// callgrind as ComputeAndSetRawHash under OrderedHashMap::GetHash). Measured small: -1,800 instructions per
// delivered event, 0.3 % (bench/README.md, issue 12, 2026-12-07). Constant texts keep their hash.
const EXPIRED_LEASES_DUE_AGAIN = `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL
  WHERE status = 'sending' AND lease_until <= ?`;
/** A record that disables its endpoint parks all of the endpoint's pending deliveries: rerunnable, not few-pages. */
const RERUNNABLE_AT_COMMIT = { rerunnable: true, durable: false } as const;

/**
 * One statement checks the lease and moves the delivery on. A lost lease (expired and claimed again, or the
 * delivery deleted) matches no row: the result is stale, and recording it could overwrite a newer attempt's
 * outcome. RETURNING hands back what the attempt row needs, so it is a plain INSERT with no lookup. Bound by
 * position, not by name: better-sqlite3 binds a named parameter by making its name a V8 string from UTF-8 and
 * looking it up on the object, for each parameter at each run.
 */
const RECORD_ONE = `UPDATE deliveries SET status = CASE WHEN ? = 'pending' THEN ${DUE_AGAIN_STATUS} ELSE ? END,
    attempts = attempts + 1, next_attempt_at = ?,
    lease_until = NULL, manual = 0, last_error = ?, last_status_code = ?, updated_at = ?
  WHERE id = ? AND status = 'sending' AND lease_until = ?
  RETURNING message_id, endpoint_id, app_id, status, ordering_key`;

// The claim's rows come as arrays (better-sqlite3's raw mode) and are made into objects here: better-sqlite3 builds
// a row object through V8's API, one property at a time with its name made from UTF-8 each time, where an object
// literal gets its shape at once (callgrind, issue 12).
const CLAIM = `UPDATE deliveries SET status = 'sending', lease_until = ?, updated_at = ?
  WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'
  RETURNING id, message_id, endpoint_id, app_id, status, ordering_key, ordering_seq, attempts, next_attempt_at,
    lease_until, manual, last_error, last_status_code, created_at, updated_at`;
const deliveryRowOf = (values: unknown): DeliveryRow => {
  const v = values as unknown[];
  return {
    id: v[0] as string,
    message_id: v[1] as string,
    endpoint_id: v[2] as string,
    app_id: v[3] as string,
    status: v[4] as DeliveryRow['status'],
    ordering_key: v[5] as string | null,
    ordering_seq: v[6] as number | null,
    attempts: v[7] as number,
    next_attempt_at: v[8] as number | null,
    lease_until: v[9] as number | null,
    manual: v[10] as number,
    last_error: v[11] as string | null,
    last_status_code: v[12] as number | null,
    created_at: v[13] as number,
    updated_at: v[14] as number,
  };
};
const MESSAGES_TO_SEND = `SELECT id, app_id, event_type, event_id, payload, channels, created_at, deliver_at, tags, ordering_key,
    payload_pruned_at
  FROM messages WHERE id IN (SELECT value FROM json_each(?))`;
const messageRowOf = (values: unknown): MessageRow => {
  const v = values as unknown[];
  return {
    id: v[0] as string,
    app_id: v[1] as string,
    event_type: v[2] as string,
    event_id: v[3] as string | null,
    payload: v[4] as string,
    channels: v[5] as string | null,
    created_at: v[6] as number,
    deliver_at: v[7] as number | null,
    tags: v[8] as string | null,
    ordering_key: v[9] as string | null,
    payload_pruned_at: v[10] as number | null,
  };
};

export class SqliteQueue implements QueueStore {
  /** Where the claim's turn over applications and endpoints goes on. */
  private readonly candidates: SqliteClaimCandidates;

  constructor(
    private readonly parts: SqliteParts,
    private readonly box: SecretBox,
  ) {
    this.candidates = new SqliteClaimCandidates(
      (text) => parts.sql(text),
      () => parts.caches.generation,
    );
  }

  claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    return this.parts.write(
      () => {
        // Leases that ran out belong to a worker that died or hung: due again, never lost, never stuck. They keep
        // their due time, so they may come back inside a skipped run: the head is read from its front again.
        const expired = this.parts.sql(EXPIRED_LEASES_DUE_AGAIN).run(options.now);
        if (expired.changes > 0) this.candidates.forgetSkippedRuns();
        const ids = this.claimableIds(options);
        if (ids.length === 0) return [];
        const claimed = this.parts
          .sql(CLAIM)
          .raw(true)
          .all(options.leaseUntil, options.now, JSON.stringify(ids))
          .map(deliveryRowOf);
        if (claimed.length === 0) return [];
        return this.withWhatSendingNeeds(claimed, options.now);
      },
      // Answered at COMMIT, before the fsync: a lease lost to a power cut leaves its delivery pending, sent again after
      // the restart, as a crash between a send and its record does (at least once). A record on disk implies its
      // claim is: the WAL is written in order. Measured: serve's CPU per event 303 -> 290 µs (issue 12).
      HOT_WRITE_AT_COMMIT,
    );
  }

  /**
   * Bounded by the batch, not by the queue, and fair across applications (claim-candidates.ts); the per-endpoint
   * limits and exclusions are applied to the candidates in JS (claim-order.ts), which measured cheaper than a window
   * function in SQL. The search itself passes over endpoints with no allowance, and remembers what it passed.
   */
  private claimableIds(options: ClaimOptions): string[] {
    const excluded = new Set(options.excludeEndpointIds);
    const allowance: Allowance = (endpointId) =>
      excluded.has(endpointId) ? 0 : (options.endpointCaps[endpointId] ?? options.perEndpointLimit);
    const ids = takeInTurn(
      this.candidates.find(options.now, options.limit, options.perEndpointLimit, allowance),
      allowance,
      options.limit,
    );
    this.candidates.passed(options.now, ids, allowance);
    return ids;
  }

  /**
   * Each claimed delivery with its message, its endpoint and the endpoint's secrets (from the read cache), each read
   * once per distinct one: sending needs no second read.
   */
  private withWhatSendingNeeds(claimed: DeliveryRow[], now: number): ClaimedDelivery[] {
    const messages = new Map<string, MessageRow>();
    const endpoints = new Map<string, EndpointRow>();
    const messageIds = JSON.stringify([...new Set(claimed.map((row) => row.message_id))]);
    for (const values of this.parts.sql(MESSAGES_TO_SEND).raw(true).all(messageIds)) {
      const row = messageRowOf(values);
      messages.set(row.id, row);
    }
    const endpointIds = JSON.stringify([...new Set(claimed.map((row) => row.endpoint_id))]);
    for (const row of this.parts
      .sql('SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))')
      .all(endpointIds) as EndpointRow[]) {
      endpoints.set(row.id, row);
    }
    const mapper = new ClaimedDeliveries(now, this.box);
    const secretRows = (endpointId: string) => storedSecrets(this.parts, endpointId);
    const result: ClaimedDelivery[] = [];
    for (const row of claimed) {
      const message = messages.get(row.message_id);
      const endpoint = endpoints.get(row.endpoint_id);
      if (message === undefined || endpoint === undefined) continue; // deleted meanwhile: cascade removes the row
      result.push(mapper.map(row, message, endpoint, secretRows));
    }
    return result;
  }

  recordAttempts(results: readonly AttemptResult[]): Promise<RecordedAttempts> {
    return this.parts.write(
      () => {
        const recorded: RecordedAttempts = { staleDeliveryIds: [], disabledEndpoints: [] };
        for (const result of results) this.recordOne(result, recorded);
        return recorded;
      },
      // Answered at COMMIT, before the fsync, as a claim is: a record lost to a power cut leaves its delivery leased,
      // due again when the lease runs out and sent again (at least once; the receiver dedupes on webhook-id), and
      // the next durable write (a publish, anything an API caller waits for) puts it on disk, the WAL being written
      // in order. What a process crash cannot lose (the commit is in the WAL), only a power cut can. Waiting for the
      // fsync made every attempt pay one: fsyncs ran back to back, ~0.5 per delivered event at ~80 µs of CPU each.
      results.every((result) => result.disableEndpoint === null) ? HOT_WRITE_AT_COMMIT : RERUNNABLE_AT_COMMIT,
    );
  }

  /** Writes one result and notes in `recorded` what it changed (or that it was stale). */
  private recordOne(result: AttemptResult, recorded: RecordedAttempts): void {
    const nextAttemptAt =
      result.outcome === 'succeeded' || result.next.status !== 'pending' ? null : result.next.nextAttemptAt;
    const status = result.outcome === 'succeeded' ? 'succeeded' : result.next.status;
    const returned = this.parts
      .sql(RECORD_ONE)
      .raw(true)
      .get(
        status,
        status,
        nextAttemptAt,
        result.outcome === 'succeeded' ? null : result.error,
        result.statusCode,
        result.at,
        result.deliveryId,
        result.leaseUntil,
      ) as unknown[] | undefined;
    if (returned === undefined) {
      recorded.staleDeliveryIds.push(result.deliveryId);
      return;
    }
    const delivery = {
      message_id: returned[0] as string,
      endpoint_id: returned[1] as string,
      app_id: returned[2] as string,
      status: returned[3] as DeliveryRow['status'],
      ordering_key: returned[4] as string | null,
    };
    // The end of a line's head lets the next of its line go, in this same transaction: a crash between the two
    // cannot leave the line stuck behind a head that has ended.
    if (delivery.ordering_key !== null && (delivery.status === 'succeeded' || delivery.status === 'dead')) {
      const promoted = advanceLines(
        (text) => this.parts.sql(text),
        [{ endpointId: delivery.endpoint_id, orderingKey: delivery.ordering_key }],
        result.at,
      );
      // A line's next delivery keeps the due time of its publish, so it may come back inside a skipped run.
      if (promoted > 0) this.candidates.forgetSkippedRuns();
    }
    this.parts
      .sql(
        `INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, app_id, url, outcome, trigger, status_code,
           response_body, duration_ms, error, request_headers, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        result.attemptId ?? newId('atmpt', result.at),
        result.deliveryId,
        delivery.message_id,
        delivery.endpoint_id,
        delivery.app_id,
        result.url,
        result.outcome,
        result.trigger,
        result.statusCode,
        result.responseBody,
        Math.round(result.durationMs),
        result.error,
        result.requestHeaders === undefined ? null : JSON.stringify(result.requestHeaders),
        result.at,
      );
    if (result.outcome === 'succeeded') {
      this.parts
        .sql('UPDATE endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL')
        .run(delivery.endpoint_id);
      return;
    }
    this.parts
      .sql('UPDATE endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL')
      .run(result.at, delivery.endpoint_id);
    const reason = result.disableEndpoint;
    if (reason !== null && setEndpointDisabledNow(this.parts, delivery.endpoint_id, true, reason, result.at)) {
      recorded.disabledEndpoints.push({
        endpointId: delivery.endpoint_id,
        appId: delivery.app_id,
        reason,
        at: result.at,
        deliveryId: result.deliveryId,
      });
    }
  }

  releaseLeases(deliveryIds: readonly string[], now: number): Promise<void> {
    return this.parts.write(() => {
      this.parts
        .sql(
          `UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL, next_attempt_at = ?, updated_at = ?
           WHERE status = 'sending' AND id IN (SELECT value FROM json_each(?))`,
        )
        .run(now, now, JSON.stringify(deliveryIds));
    });
  }

  extendLeases(deliveryIds: readonly string[], leaseUntil: number, extendedUntil: number): Promise<string[]> {
    return this.parts.write(() => {
      const rows = this.parts
        .sql(
          `UPDATE deliveries SET lease_until = ?
           WHERE status = 'sending' AND lease_until = ? AND id IN (SELECT value FROM json_each(?))
           RETURNING id`,
        )
        .all(extendedUntil, leaseUntil, JSON.stringify(deliveryIds)) as Array<{ id: string }>;
      return rows.map((row) => row.id);
    });
  }

  async nextDueAt(): Promise<number | null> {
    const pending = earliestPendingAt((text) => this.parts.sql(text));
    const leased = this.parts.sql("SELECT MIN(lease_until) AS at FROM deliveries WHERE status = 'sending'").get() as {
      at: number | null;
    };
    const times = [pending, leased.at].filter((t): t is number => t !== null);
    return times.length === 0 ? null : Math.min(...times);
  }

  /** A manual attempt of one message to one endpoint: any state but sending. */
  resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean> {
    return this.parts.write(
      () =>
        this.requeueManually(
          `app_id = ? AND message_id = ? AND endpoint_id = ? AND status IN ('pending', 'succeeded', 'dead')${PAYLOAD_KEPT}`,
          [appId, messageId, endpointId],
          now,
        ) > 0,
    );
  }

  /** Manual attempts of the endpoint's dead deliveries created in [since, until). */
  recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number> {
    return this.parts.write(() =>
      this.requeueManually(
        `endpoint_id = ? AND app_id = ? AND status = 'dead' AND created_at >= ? AND created_at < ?${PAYLOAD_KEPT}`,
        [endpointId, appId, since, until],
        now,
      ),
    );
  }

  /**
   * Makes the matching deliveries due again as manual attempts; one of an ordered endpoint that is not its line's
   * head waits in its line (its place is its publish order) and the lines are moved on, so a replay never sends two
   * of one key at once. Returns how many. Inside a write.
   */
  private requeueManually(where: string, values: unknown[], now: number): number {
    const rows = this.parts
      .sql(
        `UPDATE deliveries SET status = COALESCE(${REPLAY_STATUS_OF_LINE}, ${DUE_AGAIN_STATUS}), manual = 1,
           next_attempt_at = ?, updated_at = ?
         WHERE ${where}
         RETURNING endpoint_id, ordering_key`,
      )
      .all(now, now, ...values) as Array<Pick<DeliveryRow, 'endpoint_id' | 'ordering_key'>>;
    const lines = new Map<string, OrderingLine>();
    for (const row of rows) {
      if (row.ordering_key === null) continue;
      lines.set(JSON.stringify([row.endpoint_id, row.ordering_key]), {
        endpointId: row.endpoint_id,
        orderingKey: row.ordering_key,
      });
    }
    if (lines.size > 0 && advanceLines((text) => this.parts.sql(text), [...lines.values()], now) > 0) {
      this.candidates.forgetSkippedRuns();
    }
    return rows.length;
  }
}
