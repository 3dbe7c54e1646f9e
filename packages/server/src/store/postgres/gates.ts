// The endpoint gates in PostgreSQL, shared by every process: each endpoint's gate row (rate tokens, circuit) is
// locked and applied by the claim function (migrations), in-flight sends are the unexpired leases, and the circuit
// hears each attempt in the record statement (CIRCUIT_UPDATE, in queue.ts's RECORD). So the engine's side of the
// gate has nothing to keep: every claim already respects the limits of every process.
import type { ClaimLimits, EndpointGateState, EndpointGates } from '../gates.js';
import type { PostgresParts } from './postgres-parts.js';

/**
 * The circuit breaker's rule (engine/circuit-breaker.ts) in SQL, for a record batch: per endpoint, `p` has the
 * batch's circuit failures, its last success-or-failure signal and its time. A success closes the circuit; a
 * failed probe (half-open: the open time has passed) opens it again twice as long (capped); enough failures in a
 * row open a closed one. $15 failure threshold, $16 first open time, $17 longest open time (ms).
 */
export const CIRCUIT_UPDATE = `
circuit AS (
  UPDATE endpoint_gates g
     SET consecutive_failures = CASE WHEN p.circuit_last = 'success' THEN 0
                                     ELSE g.consecutive_failures + p.circuit_failures END,
         open_until = CASE
           WHEN p.circuit_last = 'success' THEN NULL
           -- half-open (the open time has passed) and the probe failed: open again, twice as long (capped)
           WHEN g.open_until IS NOT NULL AND g.open_until <= p.at THEN p.at + LEAST(g.open_ms * 2, $17::bigint)
           WHEN g.open_until IS NULL AND g.consecutive_failures + p.circuit_failures >= $15::int THEN p.at + $16::bigint
           ELSE g.open_until END,
         open_ms = CASE
           WHEN p.circuit_last = 'success' THEN NULL
           WHEN g.open_until IS NOT NULL AND g.open_until <= p.at THEN LEAST(g.open_ms * 2, $17::bigint)
           WHEN g.open_until IS NULL AND g.consecutive_failures + p.circuit_failures >= $15::int THEN $16::bigint
           ELSE g.open_ms END
    FROM per_endpoint p
   WHERE g.endpoint_id = p.endpoint_id AND p.circuit_last IS NOT NULL
     AND (p.circuit_last = 'failure' OR g.consecutive_failures > 0 OR g.open_until IS NOT NULL)
)`;

/** No limit to add to a claim, nothing to count in process: the database does both, for every process. */
const NO_LIMITS: ClaimLimits = { exclude: [], caps: {} };

export class PostgresEndpointGates implements EndpointGates {
  constructor(private readonly parts: PostgresParts) {}

  claimLimits(): ClaimLimits {
    return NO_LIMITS;
  }

  tryStart(): boolean {
    return true;
  }

  finish(): void {}

  /** Openings are the database's to know: the engine's poll and NOTIFY find work behind an opened gate. */
  nextOpeningAt(): number | null {
    return null;
  }

  async stateOf(endpointId: string, now: number): Promise<EndpointGateState> {
    const { rows } = await this.parts.query<{ open_until: number | null; in_flight: number }>(
      `SELECT g.open_until,
              (SELECT count(*) FROM deliveries d
                WHERE d.endpoint_id = $1 AND d.status = 'sending' AND d.lease_until > $2)::int AS in_flight
         FROM endpoint_gates g WHERE g.endpoint_id = $1`,
      [endpointId, now],
    );
    const row = rows[0];
    const openUntil = row?.open_until ?? null;
    const circuit = openUntil === null ? 'closed' : openUntil > now ? 'open' : 'half-open';
    return { endpointId, inFlight: row?.in_flight ?? 0, circuit };
  }
}
