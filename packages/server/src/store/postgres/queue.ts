// The queue in PostgreSQL: the delivery row is the queue item. A claim leases due deliveries (the claim function,
// FOR UPDATE SKIP LOCKED, in the migrations), a record batch writes many attempts in one statement (group commit),
// and a result whose lease was lost is dropped. Requeueing (release, resend, recover) NOTIFYs every process.

import { newId } from '../../ids.js';
import { ClaimedDeliveries } from '../claimed-deliveries.js';
import type { CircuitOptions } from '../gates.js';
import type { AttemptResult, ClaimOptions, DisabledEndpoint, QueueStore, RecordedAttempts } from '../queue.js';
import type { DeliveryRow, EndpointRow, MessageRow } from '../rows.js';
import type { SecretBox } from '../secret-box.js';
import type { SecretRow } from '../secrets.js';
import type { ClaimedDelivery } from '../types.js';
import { setEndpointDisabledWith } from './endpoints.js';
import { CIRCUIT_UPDATE } from './gates.js';
import type { LeaseOwner } from './lease-owner.js';
import { ADVANCE_LINES, linesOf, REPLAY_STATUS_OF_LINE } from './ordering.js';
import type { PostgresParts } from './postgres-parts.js';
import { RecordBatcher } from './record-batcher.js';
import { WORK_CHANNEL } from './work-listener.js';

/** A replay (resend, recover) requeues only deliveries whose message still has its payload (retention). */
const PAYLOAD_KEPT = ' AND (SELECT payload_pruned_at FROM messages WHERE messages.id = deliveries.message_id) IS NULL';

/** The status a delivery takes when it becomes due again: parked while its endpoint is disabled. */
const DUE_AGAIN_STATUS = `CASE WHEN EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id AND endpoints.disabled = 1)
  THEN 'paused' ELSE 'pending' END`;

/**
 * The claim function returns each leased delivery with its message and endpoint: the engine needs no second read.
 * $7 is this process's lease owner key (lease-owner.ts), or null.
 */
const CLAIM = 'SELECT delivery, message, endpoint FROM hookline_claim($1, $2, $3, $4, $5, $6, $7)';

/**
 * A batch of attempt results as parallel arrays. The lease check is in the UPDATE: a result for a lease that was
 * lost (expired and claimed again, given back, the delivery deleted) matches no row and is dropped with no
 * attempt logged. failing_since and the circuit are updated per endpoint from the batch, and only when they change,
 * so the healthy path writes no endpoint or gate row.
 */
const RECORD = `
WITH r AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::bigint[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[],
                       $18::text[])
    WITH ORDINALITY AS r(delivery_id, lease_until, status, next_attempt_at, last_error, status_code, at,
                         attempt_id, outcome, trigger, url, response_body, duration_ms, circuit, request_headers, ord)
), moved AS (
  UPDATE deliveries d
     SET status = CASE WHEN r.status = 'pending' AND e.disabled = 1 THEN 'paused' ELSE r.status END,
         attempts = d.attempts + 1, next_attempt_at = r.next_attempt_at, lease_until = NULL, manual = 0,
         last_error = r.last_error, last_status_code = r.status_code, updated_at = r.at
    FROM r, endpoints e
   WHERE d.id = r.delivery_id AND d.status = 'sending' AND d.lease_until = r.lease_until AND e.id = d.endpoint_id
  RETURNING d.id, d.message_id, d.endpoint_id, d.app_id, d.status, d.ordering_key
), logged AS (
  INSERT INTO attempts (id, delivery_id, message_id, endpoint_id, app_id, url, outcome, trigger, status_code,
                        response_body, duration_ms, error, request_headers, created_at)
  SELECT r.attempt_id, moved.id, moved.message_id, moved.endpoint_id, moved.app_id, r.url, r.outcome, r.trigger,
         r.status_code, r.response_body, r.duration_ms, r.last_error, r.request_headers, r.at
    FROM moved JOIN r ON r.delivery_id = moved.id
), results AS (
  SELECT moved.endpoint_id, r.outcome, r.circuit, r.at, r.ord,
         max(r.at) FILTER (WHERE r.outcome = 'succeeded') OVER (PARTITION BY moved.endpoint_id) AS last_success_at,
         max(r.at) FILTER (WHERE r.outcome = 'failed') OVER (PARTITION BY moved.endpoint_id) AS last_failure_at
    FROM moved JOIN r ON r.delivery_id = moved.id
), per_endpoint AS (
  SELECT endpoint_id, max(last_success_at) AS last_success_at, max(last_failure_at) AS last_failure_at,
         min(at) FILTER (WHERE outcome = 'failed' AND (last_success_at IS NULL OR at > last_success_at)) AS failing_from,
         count(*) FILTER (WHERE circuit = 'failure') AS circuit_failures,
         (array_agg(circuit ORDER BY at DESC, ord DESC) FILTER (WHERE circuit IN ('success', 'failure')))[1] AS circuit_last,
         max(at) AS at
    FROM results GROUP BY endpoint_id
), health AS (
  UPDATE endpoints e
     SET failing_since = CASE
           WHEN p.last_failure_at IS NULL OR p.last_success_at >= p.last_failure_at THEN NULL
           WHEN p.last_success_at IS NULL THEN COALESCE(e.failing_since, p.failing_from)
           ELSE p.failing_from END
    FROM per_endpoint p
   WHERE e.id = p.endpoint_id
     AND e.failing_since IS DISTINCT FROM (CASE
           WHEN p.last_failure_at IS NULL OR p.last_success_at >= p.last_failure_at THEN NULL
           WHEN p.last_success_at IS NULL THEN COALESCE(e.failing_since, p.failing_from)
           ELSE p.failing_from END)
), ${CIRCUIT_UPDATE}
SELECT moved.id, moved.endpoint_id, moved.app_id, moved.status, moved.ordering_key FROM moved`;

/** A delivery RECORD moved on: its result was written. */
interface MovedRow {
  id: string;
  endpoint_id: string;
  app_id: string;
  status: string;
  ordering_key: string | null;
}

/** The lines whose head RECORD ended (delivered or dead): they move on in the same transaction. */
function endedLines(moved: readonly MovedRow[]): { endpoints: string[]; keys: string[] } {
  return linesOf(moved.filter((row) => row.status === 'succeeded' || row.status === 'dead'));
}

/** The results RECORD did not write: their lease was lost. */
function staleOf(results: readonly AttemptResult[], moved: readonly MovedRow[]): string[] {
  const written = new Set(moved.map((row) => row.id));
  return results.filter((result) => !written.has(result.deliveryId)).map((result) => result.deliveryId);
}

/**
 * Makes matching deliveries due again as manual attempts and wakes every process; returns how many, and the lines of
 * ordered ones (each row one delivery's). One of an ordered line that is not its head waits in its line (its place is
 * its publish order); the caller moves those lines on in the same transaction.
 */
function requeueManually(where: string, nowParam: string): string {
  return `WITH queued AS (
    UPDATE deliveries SET status = COALESCE(${REPLAY_STATUS_OF_LINE}, ${DUE_AGAIN_STATUS}), manual = 1,
           next_attempt_at = ${nowParam}, updated_at = ${nowParam}
     WHERE ${where}
    RETURNING endpoint_id, ordering_key
  ), woken AS (SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM queued LIMIT 1) any_queued)
  SELECT endpoint_id, ordering_key, (SELECT count(*) FROM woken) AS woken FROM queued`;
}

/** $1 app, $2 message, $3 endpoint, $4 now: any state but sending. */
const RESEND = requeueManually(
  `app_id = $1 AND message_id = $2 AND endpoint_id = $3 AND status IN ('pending', 'succeeded', 'dead')${PAYLOAD_KEPT}`,
  '$4',
);

/** $1 app, $2 endpoint, $3 since, $4 until, $5 now: the dead ones created in [since, until). */
const RECOVER = requeueManually(
  `endpoint_id = $2 AND app_id = $1 AND status = 'dead' AND created_at >= $3 AND created_at < $4${PAYLOAD_KEPT}`,
  '$5',
);

/** The batch as the parallel arrays RECORD unnests ($1-$14, $18), in RECORD's column order. */
function recordColumns(results: readonly AttemptResult[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 14 }, () => []);
  for (const result of results) {
    const succeeded = result.outcome === 'succeeded';
    const row = [
      result.deliveryId,
      result.leaseUntil,
      succeeded ? 'succeeded' : result.next.status,
      succeeded || result.next.status !== 'pending' ? null : result.next.nextAttemptAt,
      succeeded ? null : result.error,
      result.statusCode,
      result.at,
      result.attemptId ?? newId('atmpt', result.at),
      result.outcome,
      result.trigger,
      result.url,
      result.responseBody,
      Math.round(result.durationMs),
      result.circuit ?? 'neutral',
    ];
    for (const [index, value] of row.entries()) columns[index]?.push(value);
  }
  return columns;
}

export class PostgresQueue implements QueueStore {
  private readonly records: RecordBatcher<AttemptResult, RecordedAttempts>;

  constructor(
    private readonly parts: PostgresParts,
    private readonly box: SecretBox,
    private readonly circuit: CircuitOptions,
    /** This process's liveness in the database: its leases are taken back at once when it dies. */
    private readonly leaseOwner: LeaseOwner,
  ) {
    this.records = new RecordBatcher(
      (batch) => this.recordBatch(batch),
      (recorded, mine) => {
        // Each caller is answered about its own results only.
        const ids = new Set(mine.map((result) => result.deliveryId));
        return {
          staleDeliveryIds: recorded.staleDeliveryIds.filter((id) => ids.has(id)),
          disabledEndpoints: recorded.disabledEndpoints.filter((disabled) => ids.has(disabled.deliveryId)),
        };
      },
      // Worth writing while any of the batch's leases holds.
      (batch) => Math.max(...batch.map((result) => result.leaseUntil)),
    );
  }

  async claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (options.limit <= 0) return [];
    const owner = await this.leaseOwner.current();
    const { rows } = await this.parts.query<{
      delivery: DeliveryRow;
      message: MessageRow;
      endpoint: EndpointRow & { secrets: SecretRow[] };
    }>(CLAIM, [
      options.now,
      options.leaseUntil,
      options.limit,
      options.perEndpointLimit,
      options.excludeEndpointIds,
      JSON.stringify(options.endpointCaps),
      owner,
    ]);
    const mapper = new ClaimedDeliveries(options.now, this.box);
    return rows.map((row) => mapper.map(row.delivery, row.message, row.endpoint, () => row.endpoint.secrets));
  }

  /** Results from concurrent callers share one statement (group commit), so recording is not a round trip each. */
  recordAttempts(results: readonly AttemptResult[]): Promise<RecordedAttempts> {
    if (results.length === 0) return Promise.resolve({ staleDeliveryIds: [], disabledEndpoints: [] });
    return this.records.add(results);
  }

  /** Waits for the results handed in so far to be written (closing the store). */
  drain(): Promise<void> {
    return this.records.drain();
  }

  private async recordBatch(results: readonly AttemptResult[]): Promise<RecordedAttempts> {
    const values = [
      ...recordColumns(results),
      this.circuit.failureThreshold,
      this.circuit.openMs,
      this.circuit.maxOpenMs,
      // $18: added after the circuit settings so the numbering above stays as it was.
      results.map((result) => (result.requestHeaders === undefined ? null : JSON.stringify(result.requestHeaders))),
    ];
    const latest = Math.max(...results.map((result) => result.at));
    const disabling = results.filter((result) => result.outcome === 'failed' && result.disableEndpoint !== null);
    if (disabling.length === 0 && !results.some((result) => result.ordered === true)) {
      const { rows } = await this.parts.query<MovedRow>(RECORD, values);
      // A caller that did not say its results were ordered still has their lines moved on, though not atomically.
      const ended = endedLines(rows);
      if (ended.endpoints.length > 0) await this.parts.query(ADVANCE_LINES, [ended.endpoints, ended.keys, latest]);
      return { staleDeliveryIds: staleOf(results, rows), disabledEndpoints: [] };
    }
    // A result that disables its endpoint does so in the same transaction as the attempt it comes from, and the end
    // of an ordered line's head moves its line on in it too: a crash in between would leave the line stuck.
    return this.parts.transaction(async (client) => {
      const { rows } = await client.query<MovedRow>(RECORD, values);
      const ended = endedLines(rows);
      if (ended.endpoints.length > 0) {
        await client.query(ADVANCE_LINES, [ended.endpoints, ended.keys, latest]);
      }
      const moved = new Map(rows.map((row) => [row.id, row]));
      const disabledEndpoints: DisabledEndpoint[] = [];
      for (const result of disabling) {
        const delivery = moved.get(result.deliveryId);
        const reason = result.disableEndpoint;
        if (delivery === undefined || reason === null) continue;
        if (await setEndpointDisabledWith(client, delivery.endpoint_id, true, reason, result.at)) {
          disabledEndpoints.push({
            endpointId: delivery.endpoint_id,
            appId: delivery.app_id,
            reason,
            at: result.at,
            deliveryId: result.deliveryId,
          });
        }
      }
      return { staleDeliveryIds: staleOf(results, rows), disabledEndpoints };
    });
  }

  async releaseLeases(deliveryIds: readonly string[], now: number): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.parts.query(
      `WITH released AS (
         UPDATE deliveries SET status = ${DUE_AGAIN_STATUS}, lease_until = NULL, next_attempt_at = $2, updated_at = $2
          WHERE status = 'sending' AND id = ANY ($1::text[])
         RETURNING 1)
       SELECT pg_notify('${WORK_CHANNEL}', '') FROM (SELECT 1 FROM released LIMIT 1) any_released`,
      [deliveryIds, now],
    );
  }

  async extendLeases(deliveryIds: readonly string[], leaseUntil: number, extendedUntil: number): Promise<string[]> {
    if (deliveryIds.length === 0) return [];
    const { rows } = await this.parts.query<{ id: string }>(
      `UPDATE deliveries SET lease_until = $3
        WHERE status = 'sending' AND lease_until = $2 AND id = ANY ($1::text[])
       RETURNING id`,
      [deliveryIds, leaseUntil, extendedUntil],
    );
    return rows.map((row) => row.id);
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.parts.query<{ at: number | null }>(
      `SELECT LEAST((SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending'),
                    (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')) AS at`,
    );
    return rows[0]?.at ?? null;
  }

  async resend(appId: string, messageId: string, endpointId: string, now: number): Promise<boolean> {
    return (await this.requeue(RESEND, [appId, messageId, endpointId, now], now)) > 0;
  }

  recoverEndpoint(appId: string, endpointId: string, since: number, until: number, now: number): Promise<number> {
    return this.requeue(RECOVER, [appId, endpointId, since, until, now], now);
  }

  /** Runs a requeueManually statement and moves on the ordered lines it touched, in one transaction. */
  private requeue(statement: string, values: unknown[], now: number): Promise<number> {
    return this.parts.transaction(async (client) => {
      const { rows } = await client.query<{ endpoint_id: string; ordering_key: string | null }>(statement, values);
      const lines = linesOf(rows);
      if (lines.endpoints.length > 0) await client.query(ADVANCE_LINES, [lines.endpoints, lines.keys, now]);
      return rows.length;
    });
  }
}
