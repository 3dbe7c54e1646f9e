import { describe, expect, it } from 'vitest';
import { attemptLine, type FeedAttempt, feedPath } from './tail.js';

const attempt: FeedAttempt = {
  id: 'atmpt_1',
  msgId: 'msg_1',
  endpointId: 'ep_1',
  eventType: 'invoice.paid',
  status: 0,
  triggerType: 0,
  responseStatusCode: 200,
  responseDurationMs: 12,
  error: null,
  timestamp: '2026-11-30T12:00:00.000Z',
};

describe('tail output', () => {
  it('a delivered attempt reads as one line: time, outcome, status, duration, type, message -> endpoint', () => {
    expect(attemptLine(attempt)).toBe('2026-11-30T12:00:00.000Z  ok   200     12ms  invoice.paid  msg_1 -> ep_1');
  });

  it('a failed replay without a response says so, with its error', () => {
    expect(
      attemptLine({ ...attempt, status: 2, triggerType: 1, responseStatusCode: 0, error: 'ECONNREFUSED: refused' }),
    ).toBe('2026-11-30T12:00:00.000Z  FAIL ---     12ms  invoice.paid  msg_1 -> ep_1 [replay]  ECONNREFUSED: refused');
  });

  it('filters become query parameters, ids and names encoded', () => {
    expect(feedPath('acme corp', { endpoint: 'ep_1', eventType: 'a.b', status: 'failed' })).toBe(
      '/api/v1/app/acme%20corp/attempt/feed?endpointId=ep_1&eventType=a.b&status=failed',
    );
    expect(feedPath('acme', {})).toBe('/api/v1/app/acme/attempt/feed?');
  });
});
