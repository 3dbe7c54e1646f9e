// /metrics after a known workload: every count exact. Plus the liveness and readiness probes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { appWithEndpoint, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

/** The value of one sample in Prometheus text format, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  let hookline: TestHookline;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    receiver.script('/broken', () => ({ status: 500, body: 'down' }));
    // Three attempts per delivery: the first and two retries.
    hookline = await startHookline({ retrySchedule: [0.05, 0.05] });
  });
  afterAll(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  it('counts a known workload exactly: 3 messages to a working and a broken endpoint', async () => {
    const { api } = hookline;
    const good = await appWithEndpoint(api, `${receiver.url}/ok`);
    const broken = await api.ok<{ id: string }>('POST', `/api/v1/app/${good.appId}/endpoint`, {
      url: `${receiver.url}/broken`,
    });
    for (let i = 0; i < 3; i++) await publish(api, good.appId, { n: i });
    // The counters move after each attempt is committed, and the queue depth is a count reused for a short while
    // (queue-depth-cache.ts): wait for both, then check every figure of that scrape.
    let text = '';
    await waitFor(async () => {
      const response = await fetch(`${hookline.server.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      text = await response.text();
      return (
        sample(text, 'hookline_deliveries_dead_total') === 3 &&
        sample(text, 'hookline_deliveries_succeeded_total') === 3 &&
        sample(text, 'hookline_deliveries', { status: 'dead' }) === 3
      );
    }, 'three dead deliveries to the broken endpoint and three delivered to the working one');

    expect(sample(text, 'hookline_messages_published_total')).toBe(3);
    expect(sample(text, 'hookline_deliveries_succeeded_total')).toBe(3);
    expect(sample(text, 'hookline_attempts_failed_total')).toBe(9);
    expect(sample(text, 'hookline_deliveries_dead_total')).toBe(3);
    expect(sample(text, 'hookline_delivery_retries_total')).toBe(6);
    expect(sample(text, 'hookline_delivery_duration_seconds_count')).toBe(12);
    // The queue depth leaves delivered ones out: counting the history would scan it on every scrape.
    expect(sample(text, 'hookline_deliveries', { status: 'succeeded' })).toBeUndefined();
    expect(sample(text, 'hookline_deliveries', { status: 'paused' })).toBe(0);
    expect(sample(text, 'hookline_deliveries', { status: 'dead' })).toBe(3);
    expect(sample(text, 'hookline_deliveries', { status: 'pending' })).toBe(0);
    expect(sample(text, 'hookline_deliveries', { status: 'sending' })).toBe(0);
    expect(sample(text, 'hookline_oldest_pending_delivery_age_seconds')).toBe(0);
    expect(sample(text, 'hookline_deliveries_count_age_seconds')).toBeLessThanOrEqual(10);
    expect(sample(text, 'hookline_endpoint_success_ratio', { endpoint: good.endpointId })).toBe(1);
    expect(sample(text, 'hookline_endpoint_success_ratio', { endpoint: broken.id })).toBe(0);
    expect(sample(text, 'hookline_endpoint_attempts', { endpoint: broken.id, outcome: 'failed' })).toBe(9);
    expect(sample(text, 'hookline_endpoint_attempts', { endpoint: good.endpointId, outcome: 'succeeded' })).toBe(3);
    expect(
      sample(text, 'hookline_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/app/:appId/msg',
        status_code: '202',
      }),
    ).toBe(3);
  });

  it('counts errors on our side by stage: an endpoint whose stored policy cannot be evaluated', async () => {
    const { api, server } = hookline;
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/ok`);
    const before = await (await fetch(`${hookline.server.url}/metrics`)).text();
    expect(sample(before, 'hookline_delivery_errors_total', { stage: 'endpoint' })).toBe(0);
    // As a path that skipped the API's checks would have stored it.
    (server.store as SqliteStore).db
      .prepare('UPDATE endpoints SET non_retryable_statuses = ? WHERE id = ?')
      .run('not-a-policy', endpointId);
    await publish(api, appId, { n: 1 });
    await waitFor(async () => {
      const text = await (await fetch(`${hookline.server.url}/metrics`)).text();
      return sample(text, 'hookline_delivery_errors_total', { stage: 'endpoint' }) === 3;
    }, 'three attempts failed on our side: the first and two retries');
  });

  it('never puts an id into the HTTP route label', async () => {
    const text = await (await fetch(`${hookline.server.url}/metrics`)).text();
    const routes = [...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1] as string);
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((route) => /(app|ep|msg)_[0-9A-Za-z]{22}/.test(route))).toEqual([]);
  });

  it('/livez and /readyz answer without a token', async () => {
    const live = await fetch(`${hookline.server.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
    const ready = await fetch(`${hookline.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describe('/readyz with the store down', () => {
  it('answers 503 with a JSON reason while /livez stays 200', async () => {
    const hookline = await startHookline();
    try {
      await hookline.server.engine.stop(0);
      await hookline.server.store.close();
      const ready = await fetch(`${hookline.server.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { code: string; detail: string };
      expect(body.code).toBe('not_ready');
      expect(body.detail).toContain('store');
      expect((await fetch(`${hookline.server.url}/livez`)).status).toBe(200);
    } finally {
      await hookline.stop().catch(() => {});
    }
  });
});
