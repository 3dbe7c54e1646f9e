// Per-endpoint circuit breaker. After `failureThreshold` consecutive failures the circuit opens: no delivery to that
// endpoint is claimed (they wait, keeping their attempt count) until the cool-down ends; then one probe is let
// through (half-open). A probe that succeeds closes the circuit; one that fails opens it again for twice as long,
// up to `maxOpenMs`. Pure: the clock is passed in.

import { type CircuitOptions, type CircuitState, DEFAULT_CIRCUIT_OPTIONS } from '../store/gates.js';

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private currentOpenMs: number;
  private state: CircuitState = 'closed';
  private probeInFlight = false;

  constructor(private readonly options: CircuitOptions = DEFAULT_CIRCUIT_OPTIONS) {
    this.currentOpenMs = options.openMs;
  }

  stateAt(now: number): CircuitState {
    if (this.state === 'open' && now >= this.openUntil) this.state = 'half-open';
    return this.state;
  }

  /** How many sends may start now: unlimited when closed, one probe when half-open, none when open. */
  allowance(now: number): number {
    const state = this.stateAt(now);
    if (state === 'closed') return Number.POSITIVE_INFINITY;
    if (state === 'half-open') return this.probeInFlight ? 0 : 1;
    return 0;
  }

  onSend(now: number): void {
    if (this.stateAt(now) === 'half-open') this.probeInFlight = true;
  }

  onSuccess(): void {
    this.consecutiveFailures = 0;
    this.state = 'closed';
    this.probeInFlight = false;
    this.currentOpenMs = this.options.openMs;
  }

  /** A send ended saying nothing about availability (a refused payload, an abort): a probe slot is free again. */
  onNeutral(): void {
    this.probeInFlight = false;
  }

  onFailure(now: number): void {
    this.consecutiveFailures++;
    if (this.state === 'half-open') {
      this.probeInFlight = false;
      this.currentOpenMs = Math.min(this.currentOpenMs * 2, this.options.maxOpenMs);
      this.open(now);
    } else if (this.state === 'closed' && this.consecutiveFailures >= this.options.failureThreshold) {
      this.open(now);
    }
  }

  /** Closed with no failure counted: nothing to remember about this endpoint. */
  isPristine(now: number): boolean {
    return this.stateAt(now) === 'closed' && this.consecutiveFailures === 0;
  }

  /** The moment a closed-off endpoint may be probed again (for the engine's sleep), or null. */
  reopensAt(): number | null {
    return this.state === 'open' ? this.openUntil : null;
  }

  private open(now: number): void {
    this.state = 'open';
    this.openUntil = now + this.currentOpenMs;
  }
}
