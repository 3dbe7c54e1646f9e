// Per-endpoint attempt outcomes for the success-rate metric. Prometheus pays for every label value forever, so the
// busiest endpoints get their own series and every other endpoint is summed into one "other" series.

export interface EndpointOutcome {
  endpoint: string;
  succeeded: number;
  failed: number;
}

export const OTHER_ENDPOINTS = 'other';

export class EndpointOutcomes {
  private readonly counts = new Map<string, { succeeded: number; failed: number }>();

  record(endpointId: string, succeeded: boolean): void {
    let count = this.counts.get(endpointId);
    if (count === undefined) {
      count = { succeeded: 0, failed: 0 };
      this.counts.set(endpointId, count);
    }
    if (succeeded) count.succeeded++;
    else count.failed++;
  }

  /** The `top` endpoints by attempts (ties by id, so the set is stable), then "other" when any are left. */
  summary(top: number): EndpointOutcome[] {
    const ranked = [...this.counts].sort(
      ([idA, a], [idB, b]) => b.succeeded + b.failed - (a.succeeded + a.failed) || idA.localeCompare(idB),
    );
    const out: EndpointOutcome[] = ranked.slice(0, top).map(([endpoint, count]) => ({ endpoint, ...count }));
    const rest = ranked.slice(top);
    if (rest.length > 0) {
      out.push(
        rest.reduce<EndpointOutcome>(
          (sum, [, count]) => ({
            endpoint: OTHER_ENDPOINTS,
            succeeded: sum.succeeded + count.succeeded,
            failed: sum.failed + count.failed,
          }),
          { endpoint: OTHER_ENDPOINTS, succeeded: 0, failed: 0 },
        ),
      );
    }
    return out;
  }
}
