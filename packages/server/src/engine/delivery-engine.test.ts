// The engine against a real SQLite store and a real loopback receiver, for what the integration tests cannot
// arrange: a send prepared so slowly that its lease no longer covers the request timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../store/sqlite/sqlite-store.js';
import type { EndpointSecret } from '../store/types.js';
import { DEFAULT_ENGINE_OPTIONS, DeliveryEngine } from './delivery-engine.js';

const TIMEOUT_MS = 2000;
const LEASE_MARGIN_MS = 1000;

/** A real store whose secret lookup takes as long as the test says (a database restarting, say). */
class SlowSecretsStore extends SqliteStore {
  onSecrets: () => void = () => undefined;
  constructor(options: SqliteStoreOptions) {
    super(options);
    const read = this.activeSecrets;
    (this as { activeSecrets: (endpointId: string, now: number) => Promise<EndpointSecret[]> }).activeSecrets = (
      endpointId,
      now,
    ) => {
      this.onSecrets();
      return read(endpointId, now);
    };
  }
}

describe('DeliveryEngine', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('does not send a delivery whose lease no longer outlasts the request timeout', async () => {
    let received = 0;
    const server: Server = createServer((_req, res) => {
      received++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    let clock = Date.UTC(2030, 0, 1);
    const store = new SlowSecretsStore({ path: ':memory:' });
    await store.migrate();
    cleanups.push(() => store.close());
    const app = await store.createApplication({ name: 'acme' }, clock);
    await store.createEndpoint(app.id, { url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, clock);
    await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, clock);

    let secretReads = 0;
    store.onSecrets = () => {
      secretReads++;
      // Reading the secrets took so long that less than one timeout of the lease is left.
      clock += LEASE_MARGIN_MS + 1;
    };
    const dispatcher = new Agent();
    cleanups.push(() => dispatcher.close());
    const engine = new DeliveryEngine({
      ...DEFAULT_ENGINE_OPTIONS,
      store,
      dispatcher,
      logger: pino({ level: 'silent' }),
      timeoutMs: TIMEOUT_MS,
      leaseMarginMs: LEASE_MARGIN_MS,
      pollIntervalMs: 50,
      circuit: { failureThreshold: 10, openMs: 30_000, maxOpenMs: 600_000 },
      now: () => clock,
    });
    engine.start();
    cleanups.push(() => engine.stop(0));
    // Done with it either way: sent and recorded, or left alone. Then nothing is in flight.
    await expect.poll(() => secretReads >= 1 && engine.stats().inFlight === 0, { timeout: 10_000 }).toBe(true);
    await engine.stop(0);
    expect(received).toBe(0);
    // Not sent, not recorded: the delivery waits for its lease to run out and the next claim.
    expect(await store.countDeliveries({ status: 'sending' })).toBe(1);
  });
});
