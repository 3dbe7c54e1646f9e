// The endpoint gates kept in process (SQLite, one process): each endpoint's concurrency limit, its rate limit
// (throttleRate) and its circuit. The engine asks which endpoints to leave out of the next claim and how many of
// each it may take, and says when a send starts and ends. On PostgreSQL the database keeps them (postgres/gates.ts).
import type { CircuitOptions, CircuitSignal, ClaimLimits, EndpointGateState, EndpointGates } from '../store/gates.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { TokenBucket } from './token-bucket.js';

/** A circuit that opened (again, after a failed probe) or closed. */
export interface CircuitChange {
  endpointId: string;
  circuit: 'open' | 'closed';
  reopensAt: number | null;
}

/**
 * Sends an endpoint may have in flight before it has answered: its window then grows by one per successful answer
 * up to the configured limit, and halves (not below this) on a failure, as TCP's congestion window does. A new
 * endpoint that never answers thus holds 8 of the process's send slots, not its whole limit, for the timeout it
 * takes before a failure is counted; with the limit at half the process's concurrency, a hanging endpoint used to
 * hold half of every send slot for that long, and its healthy neighbours were claimed for in smaller batches.
 */
export const INITIAL_WINDOW = 8;
/** Endpoints whose grown window is remembered while they are idle; past it the oldest start small again. */
export const REMEMBERED_WINDOWS = 10_000;

interface EndpointState {
  inFlight: number;
  circuit: CircuitBreaker;
  bucket: TokenBucket | null;
}

export class InProcessEndpointGates implements EndpointGates {
  private readonly endpoints = new Map<string, EndpointState>();
  /**
   * Windows above the initial one, kept apart from `endpoints` so that forgetting an idle endpoint's state (which
   * keeps each claim's walk over the map short) does not send a proven endpoint back to slow start every time its
   * sends all finish at once. An endpoint with no entry has the initial window.
   */
  private readonly windows = new Map<string, number>();
  private readonly initialWindow: number;

  constructor(
    private readonly concurrencyPerEndpoint: number,
    private readonly circuitOptions: CircuitOptions,
    /** Told when an ended send opened or closed the endpoint's circuit (the server log). */
    private readonly onCircuitChange?: (change: CircuitChange) => void,
    initialWindow: number = INITIAL_WINDOW,
  ) {
    this.initialWindow = Math.min(concurrencyPerEndpoint, initialWindow);
  }

  /** How many sends the endpoint may have in flight now: its window, at most the configured limit. */
  window(endpointId: string): number {
    return this.windows.get(endpointId) ?? this.initialWindow;
  }

  private setWindow(endpointId: string, window: number): void {
    this.windows.delete(endpointId);
    if (window <= this.initialWindow) return;
    // Re-inserted at the end: the map's order is least recently changed first, the one dropped when full.
    if (this.windows.size >= REMEMBERED_WINDOWS) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(endpointId, window);
  }

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
    if (state === undefined) return this.window(endpointId);
    let allowance = Math.min(this.window(endpointId) - state.inFlight, state.circuit.allowance(now));
    if (state.bucket !== null) allowance = Math.min(allowance, state.bucket.available(now));
    return Math.max(0, allowance);
  }

  /** Endpoints that may start no send now, and the remaining allowance of those partly used. */
  claimLimits(now: number): ClaimLimits {
    const exclude: string[] = [];
    const caps: Record<string, number> = {};
    for (const [endpointId, state] of this.endpoints) {
      if (state.inFlight === 0 && state.bucket === null && state.circuit.isPristine(now)) {
        // Idle, unthrottled, no failure counted: forget it, so the map only holds endpoints that matter right now.
        // Its window is kept apart. A claim may then bring more of its deliveries than the window allows (it asks
        // for up to the configured limit); the engine starts what the window allows and gives the rest back.
        this.endpoints.delete(endpointId);
        continue;
      }
      const allowance = this.allowance(endpointId, now);
      if (allowance <= 0) exclude.push(endpointId);
      else if (allowance < this.concurrencyPerEndpoint) caps[endpointId] = allowance;
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

  finish(endpointId: string, outcome: CircuitSignal, now: number): void {
    const state = this.state(endpointId);
    state.inFlight = Math.max(0, state.inFlight - 1);
    const before = state.circuit.stateAt(now);
    const window = this.window(endpointId);
    if (outcome === 'success' && window < this.concurrencyPerEndpoint) this.setWindow(endpointId, window + 1);
    else if (outcome === 'failure') this.setWindow(endpointId, Math.max(this.initialWindow, Math.floor(window / 2)));
    if (outcome === 'success') state.circuit.onSuccess();
    else if (outcome === 'failure') state.circuit.onFailure(now);
    else state.circuit.onNeutral();
    const after = state.circuit.stateAt(now);
    if (after !== before && after !== 'half-open') {
      this.onCircuitChange?.({ endpointId, circuit: after, reopensAt: state.circuit.reopensAt() });
    }
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

  async stateOf(endpointId: string, now: number): Promise<EndpointGateState> {
    const state = this.endpoints.get(endpointId);
    // An endpoint with no state here has nothing counted against it.
    return { endpointId, inFlight: state?.inFlight ?? 0, circuit: state?.circuit.stateAt(now) ?? 'closed' };
  }

  /** Every endpoint this process remembers a gate for (the others are idle, closed and unthrottled). */
  health(now: number): EndpointGateState[] {
    return [...this.endpoints].map(([endpointId, state]) => ({
      endpointId,
      inFlight: state.inFlight,
      circuit: state.circuit.stateAt(now),
    }));
  }
}
