// Endpoint gates: what keeps one endpoint from taking every worker (its concurrency limit, its rate tokens from
// throttleRate, its circuit). The engine always asks one EndpointGates object: kept in process on SQLite (the
// engine's own, engine/endpoint-gate.ts), in the database on PostgreSQL (postgres/gates.ts), where every process
// shares each endpoint's limit, tokens and circuit and the claim itself applies them.

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open the first time; each failed probe doubles it. */
  openMs: number;
  /** The longest it stays open. */
  maxOpenMs: number;
}

export const DEFAULT_CIRCUIT_OPTIONS: CircuitOptions = { failureThreshold: 10, openMs: 30_000, maxOpenMs: 600_000 };

export type CircuitState = 'closed' | 'open' | 'half-open';

/** What the circuit hears from one ended send: a refusal of the content says nothing about availability. */
export type CircuitSignal = 'success' | 'failure' | 'neutral';

export interface EndpointGateState {
  endpointId: string;
  /** Sends under way: this process's (in process) or every process's unexpired leases (in the database). */
  inFlight: number;
  circuit: CircuitState;
}

/** What the next claim must respect: endpoints to leave out, and lower limits for those partly used. */
export interface ClaimLimits {
  exclude: string[];
  caps: Record<string, number>;
}

export interface EndpointGates {
  claimLimits(now: number): ClaimLimits;
  /** A claimed delivery's send may start now; false when its gate refuses it (the caller gives the lease back). */
  tryStart(endpointId: string, throttleRate: number | null, now: number): boolean;
  /** A send ended; what the circuit hears from it. */
  finish(endpointId: string, signal: CircuitSignal, now: number): void;
  /** The earliest moment a gated endpoint may send again (circuit probe, next token), or null if none is known. */
  nextOpeningAt(now: number): number | null;
  /** The endpoint's gate as it stands now, for its health view. */
  stateOf(endpointId: string, now: number): Promise<EndpointGateState>;
}
