// Keeps one endpoint from taking everything: its concurrency limit, its rate limit (throttleRate) and its circuit.
// The engine asks the gate which endpoints to leave out of the next claim and how many of each it may take, and
// tells it when a send starts and ends. One process's view: the PostgreSQL store moves this into the database.
import { CircuitBreaker, type CircuitOptions, type CircuitState } from './circuit-breaker.js';
import { TokenBucket } from './token-bucket.js';

interface EndpointState {
  inFlight: number;
  circuit: CircuitBreaker;
  bucket: TokenBucket | null;
}

export interface EndpointHealth {
  endpointId: string;
  inFlight: number;
  circuit: CircuitState;
}

export class EndpointGate {
  private readonly endpoints = new Map<string, EndpointState>();

  constructor(
    private readonly concurrencyPerEndpoint: number,
    private readonly circuitOptions: CircuitOptions,
  ) {}

  private state(endpointId: string): EndpointState {
    let state = this.endpoints.get(endpointId);
    if (state === undefined) {
      state = { inFlight: 0, circuit: new CircuitBreaker(this.circuitOptions), bucket: null };
      this.endpoints.set(endpointId, state);
    }
    return state;
  }

  /** Sends that may start now for this endpoint. */
  allowance(endpointId: string, now: number): number {
    const state = this.endpoints.get(endpointId);
    if (state === undefined) return this.concurrencyPerEndpoint;
    let allowance = Math.min(this.concurrencyPerEndpoint - state.inFlight, state.circuit.allowance(now));
    if (state.bucket !== null) allowance = Math.min(allowance, state.bucket.available(now));
    return Math.max(0, allowance);
  }

  /** Endpoints that may start no send now, and the remaining allowance of those partly used. */
  claimLimits(now: number): { exclude: string[]; caps: Record<string, number> } {
    const exclude: string[] = [];
    const caps: Record<string, number> = {};
    for (const [endpointId, state] of this.endpoints) {
      const allowance = this.allowance(endpointId, now);
      if (allowance <= 0) exclude.push(endpointId);
      else if (allowance < this.concurrencyPerEndpoint) caps[endpointId] = allowance;
      else if (state.inFlight === 0 && state.bucket === null && state.circuit.isPristine(now)) {
        // Idle, unthrottled, no failure counted: forget it, so the map only holds endpoints that matter right now.
        this.endpoints.delete(endpointId);
      }
    }
    return { exclude, caps };
  }

  /** Records a send starting; false when the endpoint has no allowance (the caller gives the delivery back). */
  tryStart(endpointId: string, throttleRate: number | null, now: number): boolean {
    const state = this.state(endpointId);
    if (throttleRate !== null && throttleRate > 0) {
      if (state.bucket === null || state.bucket.rate !== throttleRate)
        state.bucket = new TokenBucket(throttleRate, now);
    } else {
      state.bucket = null;
    }
    if (this.allowance(endpointId, now) <= 0) return false;
    if (state.bucket !== null && !state.bucket.take(now)) return false;
    state.inFlight++;
    state.circuit.onSend(now);
    return true;
  }

  finish(endpointId: string, outcome: 'success' | 'failure' | 'neutral', now: number): void {
    const state = this.state(endpointId);
    state.inFlight = Math.max(0, state.inFlight - 1);
    if (outcome === 'success') state.circuit.onSuccess();
    else if (outcome === 'failure') state.circuit.onFailure(now);
    else state.circuit.onNeutral();
  }

  /** The endpoint's circuit now; closed for an endpoint the gate does not track. */
  circuitState(endpointId: string, now: number): CircuitState {
    return this.endpoints.get(endpointId)?.circuit.stateAt(now) ?? 'closed';
  }

  circuitReopensAt(endpointId: string): number | null {
    return this.endpoints.get(endpointId)?.circuit.reopensAt() ?? null;
  }

  /** The earliest moment an excluded endpoint may send again (circuit probe, next token), for the engine's sleep. */
  nextOpeningAt(now: number): number | null {
    let next: number | null = null;
    for (const state of this.endpoints.values()) {
      const candidates = [state.circuit.reopensAt(), state.bucket?.nextTokenAt(now) ?? null];
      for (const at of candidates) if (at !== null && at > now && (next === null || at < next)) next = at;
    }
    return next;
  }

  health(now: number): EndpointHealth[] {
    return [...this.endpoints].map(([endpointId, state]) => ({
      endpointId,
      inFlight: state.inFlight,
      circuit: state.circuit.stateAt(now),
    }));
  }
}
