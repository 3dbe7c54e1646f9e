// The circuit an endpoint's health view shows is the one that gates its deliveries, on both stores: the engine's
// own on SQLite, the database's on PostgreSQL (which once always said `closed`, whatever the claim was applying).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { appWithEndpoint, publish, type Setup } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

interface Health {
  circuit: string;
  inFlight: number;
  lastFailures: unknown[];
}

for (const store of await availableStores()) {
  describe(`endpoint health shows the real circuit (${store})`, () => {
    let hookline: StoreHookline;
    let good: Setup;
    let brokenId: string;
    const receiver = new TestReceiver();
    const healthOf = (endpointId: string) =>
      hookline.api.ok<Health>('GET', `/api/v1/app/${good.appId}/endpoint/${endpointId}/health`);

    beforeAll(async () => {
      await receiver.start();
      receiver.script('/broken', () => ({ status: 503, body: 'maintenance' }));
      // Opened for ten minutes: once open, it stays open for the whole test.
      hookline = await startHooklineOn(store, {
        retrySchedule: [0.05, 0.05, 0.05],
        circuitFailureThreshold: 2,
        circuitOpenMs: 600_000,
      });
      good = await appWithEndpoint(hookline.api, `${receiver.url}/ok`);
      brokenId = (
        await hookline.api.ok<{ id: string }>('POST', `/api/v1/app/${good.appId}/endpoint`, {
          url: `${receiver.url}/broken`,
        })
      ).id;
    });
    afterAll(async () => {
      await hookline?.stop();
      await receiver.stop();
    });

    it('a new endpoint reads closed, with nothing in flight', async () => {
      expect(await healthOf(brokenId)).toMatchObject({ circuit: 'closed', inFlight: 0 });
    });

    it('failures in a row open the circuit, and the health view says open; the healthy endpoint stays closed', async () => {
      await publish(hookline.api, good.appId, { n: 1 });
      await publish(hookline.api, good.appId, { n: 2 });
      await waitFor(async () => (await healthOf(brokenId)).circuit === 'open', 'the circuit to read open');
      const broken = await healthOf(brokenId);
      expect(broken.lastFailures.length).toBeGreaterThanOrEqual(2);
      expect(receiver.on('/broken').length).toBeGreaterThanOrEqual(2);
      await waitFor(() => receiver.on('/ok').length === 2, 'both messages at the healthy endpoint');
      expect(await healthOf(good.endpointId)).toMatchObject({ circuit: 'closed' });
    });
  });
}
