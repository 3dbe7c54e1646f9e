// The queue depth gauges on both stores, read through HooklineMetrics as /metrics serves them.
import { afterEach, describe, expect, it } from 'vitest';
import { HooklineMetrics } from '../src/metrics/metrics.js';
import { createApp, createEndpoint, newMessage, T0 } from '../src/store/conformance/fixtures.js';
import { type OpenedStore, storeKinds } from './support/stores.js';

const kinds = await storeKinds();

/** One sample's value from Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(kinds.map((kind) => [kind.name, kind] as const))('queue depth gauges on %s', (_name, kind) => {
  let opened: OpenedStore | null = null;
  afterEach(async () => {
    await opened?.close();
    opened = null;
  });

  it('counts every queued status, says how old the count is, and follows the queue as it changes', async () => {
    opened = await kind.open();
    const { store } = opened;
    const app = await createApp(store);
    await createEndpoint(store, app.id);
    const parked = await createEndpoint(store, app.id);
    for (let n = 0; n < 3; n++) await store.publish(app.id, newMessage(), T0 + n);
    await store.setEndpointDisabled(parked.id, true, 'maintenance', T0 + 3);
    const metrics = new HooklineMetrics(store);

    const text = await metrics.text();
    expect(sample(text, 'hookline_deliveries{status="pending"}')).toBe(3);
    expect(sample(text, 'hookline_deliveries{status="paused"}')).toBe(3);
    expect(sample(text, 'hookline_deliveries{status="sending"}')).toBe(0);
    expect(sample(text, 'hookline_deliveries{status="dead"}')).toBe(0);
    const age = sample(text, 'hookline_deliveries_count_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual(10);
    expect(text).toContain('at most 10 s old');

    // Reused for a short while at most (100x a quick count's duration): later scrapes see the new message (a disabled endpoint gets no delivery of it).
    await store.publish(app.id, newMessage(), T0 + 4);
    let later = '';
    for (;;) {
      later = await metrics.text();
      if (sample(later, 'hookline_deliveries{status="pending"}') === 4) break;
      expect(sample(later, 'hookline_deliveries{status="pending"}')).toBe(3);
    }
    expect(sample(later, 'hookline_deliveries{status="paused"}')).toBe(3);
  });
});
