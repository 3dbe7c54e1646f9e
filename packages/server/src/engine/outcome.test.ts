import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideOutcome, type Outcome, type OutcomeInput, type OutcomePolicy } from './outcome.js';
import { DEFAULT_RETRY_AFTER_BOUNDS, DEFAULT_RETRY_SCHEDULE_SECONDS } from './retry-policy.js';
import type { SendResult } from './sender.js';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const DAY_MS = 86_400_000;

const POLICY: OutcomePolicy = {
  retrySchedule: DEFAULT_RETRY_SCHEDULE_SECONDS,
  retryAfterBounds: DEFAULT_RETRY_AFTER_BOUNDS,
  autoDisableAfterMs: 5 * DAY_MS,
};

const response = (statusCode: number, overrides: Partial<SendResult> = {}): SendResult => ({
  statusCode,
  responseBody: `body of ${statusCode}`,
  retryAfter: undefined,
  durationMs: 42,
  error: null,
  ...overrides,
});

const networkError = (error: string): SendResult => ({
  statusCode: null,
  responseBody: '',
  retryAfter: undefined,
  durationMs: 10_000,
  error,
});

type EndpointPart = OutcomeInput['endpoint'];

function decide(
  send: SendResult,
  overrides: Partial<Omit<OutcomeInput, 'endpoint'>> & { endpoint?: Partial<EndpointPart> } = {},
  policy: OutcomePolicy = POLICY,
): Outcome {
  const { endpoint, ...rest } = overrides;
  return decideOutcome(
    {
      deliveryId: 'dlv_1',
      leaseUntil: NOW + 60_000,
      trigger: 'scheduled',
      previousAttempts: 0,
      now: NOW,
      random: 0.5,
      send,
      endpoint: {
        url: 'https://example.com/hook',
        retrySchedule: null,
        nonRetryableStatuses: null,
        failingSince: null,
        ...endpoint,
      },
      ...rest,
    },
    policy,
  );
}

/** The delay before the next attempt, 'dead', or 'succeeded'. */
function nextOf(outcome: Outcome): number | 'dead' | 'succeeded' {
  if (outcome.result.outcome === 'succeeded') return 'succeeded';
  const { next } = outcome.result;
  return next.status === 'dead' ? 'dead' : next.nextAttemptAt - NOW;
}

describe('delivered', () => {
  it.each([200, 201, 204, 299])('a %i response is a success', (status) => {
    const outcome = decide(response(status), { previousAttempts: 3 });
    expect(outcome.circuit).toBe('success');
    expect(outcome.result).toMatchObject({ outcome: 'succeeded', error: null, disableEndpoint: null });
  });

  it('records the attempt: delivery, lease, trigger, url, status, body, duration, time', () => {
    const outcome = decide(response(200, { responseBody: 'ok', durationMs: 17 }), { trigger: 'manual' });
    expect(outcome.result).toMatchObject({
      deliveryId: 'dlv_1',
      leaseUntil: NOW + 60_000,
      trigger: 'manual',
      url: 'https://example.com/hook',
      statusCode: 200,
      responseBody: 'ok',
      durationMs: 17,
      at: NOW,
    });
  });

  it('a success never disables the endpoint, however long it was failing', () => {
    const outcome = decide(response(200), { endpoint: { failingSince: NOW - 30 * DAY_MS } });
    expect(outcome.result.disableEndpoint).toBeNull();
  });
});

describe('retry with the schedule', () => {
  it('a 500 on the first attempt is retried 5 s later and counts as a circuit failure', () => {
    const outcome = decide(response(500));
    expect(outcome.circuit).toBe('failure');
    expect(outcome.result).toMatchObject({ outcome: 'failed', error: 'HTTP 500', disableEndpoint: null });
    expect(outcome.result.next).toEqual({ status: 'pending', nextAttemptAt: NOW + 5_000 });
  });

  it('follows the default schedule attempt by attempt, and the 8th failure is dead', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((previousAttempts) =>
      nextOf(decide(response(500), { previousAttempts })),
    );
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 'dead']);
  });

  it('keeps every retry within ±20 % of the schedule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (previousAttempts, random) => {
          const delay = nextOf(decide(response(502), { previousAttempts, random })) as number;
          const base = (DEFAULT_RETRY_SCHEDULE_SECONDS[previousAttempts] as number) * 1000;
          expect(delay).toBeGreaterThanOrEqual(0.8 * base);
          expect(delay).toBeLessThanOrEqual(1.2 * base);
        },
      ),
    );
  });

  it("uses the endpoint's own schedule over the global one", () => {
    const endpoint = { retrySchedule: [1, 2] };
    const delays = [0, 1, 2].map((previousAttempts) => nextOf(decide(response(500), { previousAttempts, endpoint })));
    expect(delays).toEqual([1_000, 2_000, 'dead']);
  });

  it('uses the globally configured schedule when the endpoint has none', () => {
    const policy = { ...POLICY, retrySchedule: [10, 20, 30] };
    const delays = [0, 1, 2, 3].map((previousAttempts) => nextOf(decide(response(500), { previousAttempts }, policy)));
    expect(delays).toEqual([10_000, 20_000, 30_000, 'dead']);
  });

  it.each([301, 302, 303, 307, 308])('a %i is a failure (redirects are not followed) and retried', (status) => {
    const outcome = decide(response(status));
    expect(outcome.circuit).toBe('failure');
    expect(nextOf(outcome)).toBe(5_000);
  });

  it.each([400, 404, 408, 422, 429, 500, 503])('without a status policy, a %i is retried', (status) => {
    expect(nextOf(decide(response(status)))).toBe(5_000);
  });
});

describe('timeouts, connection and DNS errors', () => {
  it.each([
    'UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error',
    'TimeoutError: The operation was aborted due to timeout',
    'ECONNREFUSED: connect ECONNREFUSED 203.0.113.7:443',
    'ECONNRESET: other side closed',
    'ENOTFOUND: getaddrinfo ENOTFOUND hooks.example.invalid',
  ])('%s is retried and recorded with its error', (error) => {
    const outcome = decide(networkError(error), { previousAttempts: 1 });
    expect(outcome.circuit).toBe('failure');
    expect(outcome.result).toMatchObject({ outcome: 'failed', statusCode: null, error });
    expect(nextOf(outcome)).toBe(300_000);
  });

  it('is retried even when the endpoint marks every client and server error as final', () => {
    const outcome = decide(networkError('ECONNREFUSED: refused'), { endpoint: { nonRetryableStatuses: '4xx,5xx' } });
    expect(nextOf(outcome)).toBe(5_000);
  });

  it('after the last attempt, a network error is dead too', () => {
    expect(nextOf(decide(networkError('ENOTFOUND: x'), { previousAttempts: 7 }))).toBe('dead');
  });
});

describe('retry with Retry-After', () => {
  it('a 429 with Retry-After seconds is retried then, without jitter', () => {
    for (const random of [0, 0.5, 0.999]) {
      expect(nextOf(decide(response(429, { retryAfter: '120' }), { random }))).toBe(120_000);
    }
  });

  it('a 503 with an HTTP date is retried at that date', () => {
    const retryAfter = new Date(NOW + 90_000).toUTCString();
    const outcome = decide(response(503, { retryAfter }), { previousAttempts: 4 });
    expect(outcome.circuit).toBe('failure');
    expect(nextOf(outcome)).toBe(90_000);
  });

  it('is cut to maxMs and raised to minMs', () => {
    expect(nextOf(decide(response(429, { retryAfter: '86400' })))).toBe(DEFAULT_RETRY_AFTER_BOUNDS.maxMs);
    expect(nextOf(decide(response(503, { retryAfter: '0' })))).toBe(DEFAULT_RETRY_AFTER_BOUNDS.minMs);
  });

  it('follows the configured bounds', () => {
    const policy = { ...POLICY, retryAfterBounds: { minMs: 30_000, maxMs: 60_000 } };
    expect(nextOf(decide(response(429, { retryAfter: '5' }), {}, policy))).toBe(30_000);
    expect(nextOf(decide(response(429, { retryAfter: '600' }), {}, policy))).toBe(60_000);
  });

  it.each([500, 502, 408, 301])('is ignored on a %i: the schedule applies', (status) => {
    expect(nextOf(decide(response(status, { retryAfter: '120' }), { previousAttempts: 1 }))).toBe(300_000);
  });

  it('a garbage Retry-After is ignored: the schedule applies', () => {
    expect(nextOf(decide(response(429, { retryAfter: 'soon' }), { previousAttempts: 1 }))).toBe(300_000);
  });

  it('does not keep a delivery alive past its last attempt', () => {
    expect(nextOf(decide(response(503, { retryAfter: '10' }), { previousAttempts: 7 }))).toBe('dead');
  });
});

describe('final by the status policy', () => {
  const endpoint = { nonRetryableStatuses: '4xx,!408,!429' };

  it.each([400, 404, 422])('a %i is dead at once, and says nothing to the circuit', (status) => {
    const outcome = decide(response(status), { endpoint });
    expect(outcome.circuit).toBe('neutral');
    expect(outcome.result).toMatchObject({ outcome: 'failed', error: `HTTP ${status}`, disableEndpoint: null });
    expect(outcome.result.next).toEqual({ status: 'dead' });
  });

  it.each([408, 429, 500, 503])('a %i is still retried', (status) => {
    const outcome = decide(response(status), { endpoint });
    expect(outcome.circuit).toBe('failure');
    expect(nextOf(outcome)).toBe(5_000);
  });

  it('an empty policy marks nothing final', () => {
    expect(nextOf(decide(response(400), { endpoint: { nonRetryableStatuses: '' } }))).toBe(5_000);
  });
});

describe('410 Gone', () => {
  it('disables the endpoint, parks the delivery for when it is enabled again, and is neutral to the circuit', () => {
    const outcome = decide(response(410), { previousAttempts: 2 });
    expect(outcome.circuit).toBe('neutral');
    expect(outcome.result).toMatchObject({
      outcome: 'failed',
      error: 'HTTP 410',
      disableEndpoint: 'the endpoint answered 410 Gone',
      next: { status: 'pending', nextAttemptAt: NOW },
    });
  });

  it('disables the endpoint even when its policy makes 4xx final', () => {
    const outcome = decide(response(410), { endpoint: { nonRetryableStatuses: '4xx' } });
    expect(outcome.result.disableEndpoint).toBe('the endpoint answered 410 Gone');
  });
});

describe('auto-disable after sustained failure', () => {
  it('a failure on an endpoint failing for longer than autoDisableAfterMs disables it', () => {
    const failingSince = NOW - POLICY.autoDisableAfterMs - 1;
    const outcome = decide(response(500), { endpoint: { failingSince } });
    expect(outcome.result.disableEndpoint).toBe(
      `failing without a success since ${new Date(failingSince).toISOString()}`,
    );
    expect(nextOf(outcome)).toBe(5_000);
  });

  it('a failure on an endpoint failing for less than that does not', () => {
    const outcome = decide(response(500), { endpoint: { failingSince: NOW - POLICY.autoDisableAfterMs + 1 } });
    expect(outcome.result.disableEndpoint).toBeNull();
  });

  it('a first failure does not', () => {
    expect(decide(networkError('ECONNREFUSED: x')).result.disableEndpoint).toBeNull();
  });

  it('a failure made final by the policy counts too', () => {
    const outcome = decide(response(400), {
      endpoint: { nonRetryableStatuses: '4xx', failingSince: NOW - 6 * DAY_MS },
    });
    expect(outcome.result.next).toEqual({ status: 'dead' });
    expect(outcome.result.disableEndpoint).toMatch(/^failing without a success since /);
  });

  it('follows the configured duration', () => {
    const policy = { ...POLICY, autoDisableAfterMs: 60_000 };
    const endpoint = { failingSince: NOW - 61_000 };
    expect(decide(response(500), { endpoint }, policy).result.disableEndpoint).not.toBeNull();
    expect(decide(response(500), { endpoint }).result.disableEndpoint).toBeNull();
  });
});

describe('manual replay', () => {
  it('of a dead delivery that fails again is dead again', () => {
    const outcome = decide(response(500), { trigger: 'manual', previousAttempts: 8 });
    expect(outcome.result).toMatchObject({ outcome: 'failed', trigger: 'manual', next: { status: 'dead' } });
  });

  it('of a dead delivery that fails with Retry-After is dead again', () => {
    const outcome = decide(response(429, { retryAfter: '5' }), { trigger: 'manual', previousAttempts: 12 });
    expect(outcome.result.next).toEqual({ status: 'dead' });
  });

  it('of a dead delivery that fails with a network error is dead again', () => {
    const outcome = decide(networkError('ETIMEDOUT: x'), { trigger: 'manual', previousAttempts: 8 });
    expect(outcome.result.next).toEqual({ status: 'dead' });
  });

  it('of a dead delivery that succeeds is delivered', () => {
    const outcome = decide(response(200), { trigger: 'manual', previousAttempts: 8 });
    expect(outcome.result).toMatchObject({ outcome: 'succeeded', trigger: 'manual' });
  });
});

describe('the error recorded', () => {
  it("prefers the sender's error over the status", () => {
    expect(decide(response(502, { error: 'proxy said no' })).result.error).toBe('proxy said no');
  });
});
