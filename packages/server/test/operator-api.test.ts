// The API additions for operators: the attempt feed (tail, charts) and endpoint health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithEndpoint, publish, type Setup, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

interface FeedItem {
  id: string;
  endpointId: string;
  eventType: string;
  status: number;
  responseStatusCode: number;
}
interface Feed {
  data: FeedItem[];
  iterator: string | null;
}

describe('attempt feed and endpoint health', () => {
  let hookline: TestHookline;
  let good: Setup;
  let brokenId: string;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    receiver.script('/broken', () => ({ status: 503, body: 'maintenance' }));
    hookline = await startHookline({ retrySchedule: [0.05], circuitFailureThreshold: 2, circuitOpenMs: 600_000 });
    good = await appWithEndpoint(hookline.api, `${receiver.url}/ok`);
    brokenId = (
      await hookline.api.ok<{ id: string }>('POST', `/api/v1/app/${good.appId}/endpoint`, {
        url: `${receiver.url}/broken`,
      })
    ).id;
    await publish(hookline.api, good.appId, { n: 1 }, { eventType: 'invoice.paid' });
    await publish(hookline.api, good.appId, { n: 2 }, { eventType: 'invoice.voided' });
    // 2 successes, and 2 deliveries x 2 attempts failing (the circuit opens after 2 failures, so maybe fewer).
    await waitFor(
      async () => (await hookline.server.store.countDeliveries({ status: 'succeeded' })) === 2,
      'delivered',
    );
    await waitFor(async () => {
      const feed = await hookline.api.ok<Feed>('GET', `/api/v1/app/${good.appId}/attempt/feed?status=failed`);
      return feed.data.length >= 2;
    }, 'two failures');
  });
  afterAll(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  it('the feed pages forward from a cursor and returns nothing new at the end', async () => {
    const base = `/api/v1/app/${good.appId}/attempt/feed`;
    const all = await hookline.api.ok<Feed>('GET', base);
    expect(all.data.length).toBeGreaterThanOrEqual(4);
    const first = await hookline.api.ok<Feed>('GET', `${base}?limit=1`);
    expect(first.data.map((item) => item.id)).toEqual([all.data[all.data.length - 1]?.id]);
    const start = all.data[0]?.id as string;
    const next = await hookline.api.ok<Feed>('GET', `${base}?after=${start}&limit=1000`);
    expect(next.data.map((item) => item.id)).toEqual(all.data.slice(1).map((item) => item.id));
    const end = await hookline.api.ok<Feed>('GET', `${base}?after=${next.iterator}`);
    expect(end).toEqual({ data: [], iterator: next.iterator });
  });

  it('the feed filters by endpoint, event type and status', async () => {
    const base = `/api/v1/app/${good.appId}/attempt/feed`;
    const ofGood = await hookline.api.ok<Feed>('GET', `${base}?endpointId=${good.endpointId}`);
    expect(ofGood.data.map((item) => item.responseStatusCode)).toEqual([200, 200]);
    const paid = await hookline.api.ok<Feed>('GET', `${base}?eventType=invoice.paid`);
    expect(paid.data.every((item) => item.eventType === 'invoice.paid')).toBe(true);
    const failures = await hookline.api.ok<Feed>('GET', `${base}?status=failed`);
    expect(failures.data.every((item) => item.endpointId === brokenId && item.status === 2)).toBe(true);
  });

  it('the feed refuses bad input with 4xx JSON', async () => {
    const base = `/api/v1/app/${good.appId}/attempt/feed`;
    for (const query of ['?status=maybe', '?since=yesterday', '?limit=0', '?limit=100000', '?endpointId=ep_nope']) {
      const response = await hookline.api.call<{ code: string; detail: string }>('GET', `${base}${query}`);
      expect(response.status, query).toBeGreaterThanOrEqual(400);
      expect(response.status, query).toBeLessThan(500);
      expect(typeof response.body.code).toBe('string');
    }
  });

  it('health shows the success rate, last failures and the open circuit of a failing endpoint', async () => {
    await waitFor(async () => {
      const health = await hookline.api.ok<{ circuit: string }>(
        'GET',
        `/api/v1/app/${good.appId}/endpoint/${brokenId}/health`,
      );
      return health.circuit === 'open';
    }, 'the circuit of the broken endpoint opens');
    const health = await hookline.api.ok<{
      disabled: boolean;
      circuit: string;
      recent: { succeeded: number; failed: number; successRate: number };
      lastFailures: Array<{ responseStatusCode: number; response: string }>;
      failingSince: string | null;
    }>('GET', `/api/v1/app/${good.appId}/endpoint/${brokenId}/health`);
    expect(health.disabled).toBe(false);
    expect(health.recent.succeeded).toBe(0);
    expect(health.recent.successRate).toBe(0);
    expect(health.lastFailures.length).toBeGreaterThanOrEqual(2);
    expect(health.lastFailures[0]).toMatchObject({ responseStatusCode: 503, response: 'maintenance' });
    expect(health.failingSince).not.toBeNull();

    const fine = await hookline.api.ok<{ circuit: string; recent: { successRate: number }; lastFailures: [] }>(
      'GET',
      `/api/v1/app/${good.appId}/endpoint/${good.endpointId}/health`,
    );
    expect(fine).toMatchObject({ circuit: 'closed', recent: { successRate: 1 }, lastFailures: [] });
  });
});
