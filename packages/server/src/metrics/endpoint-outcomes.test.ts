import { describe, expect, it } from 'vitest';
import { EndpointOutcomes, OTHER_ENDPOINTS } from './endpoint-outcomes.js';

describe('EndpointOutcomes', () => {
  it('keeps the busiest endpoints and sums the rest into "other"', () => {
    const outcomes = new EndpointOutcomes();
    for (let i = 0; i < 5; i++) outcomes.record('ep_busy', true);
    for (let i = 0; i < 3; i++) outcomes.record('ep_mid', i === 0);
    outcomes.record('ep_quiet_a', false);
    outcomes.record('ep_quiet_b', true);
    expect(outcomes.summary(2)).toEqual([
      { endpoint: 'ep_busy', succeeded: 5, failed: 0 },
      { endpoint: 'ep_mid', succeeded: 1, failed: 2 },
      { endpoint: OTHER_ENDPOINTS, succeeded: 1, failed: 1 },
    ]);
  });

  it('has no "other" series while every endpoint fits', () => {
    const outcomes = new EndpointOutcomes();
    outcomes.record('ep_b', true);
    outcomes.record('ep_a', true);
    expect(outcomes.summary(10).map((row) => row.endpoint)).toEqual(['ep_a', 'ep_b']);
  });

  it('the number of series never exceeds top + 1, however many endpoints there are', () => {
    const outcomes = new EndpointOutcomes();
    for (let i = 0; i < 500; i++) outcomes.record(`ep_${i}`, i % 2 === 0);
    const summary = outcomes.summary(10);
    expect(summary).toHaveLength(11);
    expect(summary.reduce((n, row) => n + row.succeeded + row.failed, 0)).toBe(500);
  });
});
