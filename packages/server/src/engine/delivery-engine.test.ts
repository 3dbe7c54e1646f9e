// The engine against a real SQLite store and a real loopback receiver, for what the integration tests cannot
// arrange: a send prepared so slowly that its lease no longer covers the request timeout, and a claim that returns
// so late that the lease it asked for is nearly used up.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ClaimOptions } from '../store/store.js';
import type { ClaimedDelivery } from '../store/types.js';
import { DEFAULT_ENGINE_OPTIONS, DeliveryEngine, type EngineOptions, type RecordedAttempt } from './delivery-engine.js';

const TIMEOUT_MS = 2000;
const LEASE_MARGIN_MS = 1000;

/** A real store whose claim takes as long as the test says (a database without statistics, say). */
class SlowClaimStore extends SqliteStore {
  onClaimed: (claimed: ClaimedDelivery[]) => Promise<void> = async () => undefined;
  override async claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    const claimed = await super.claimDueDeliveries(options);
    await this.onClaimed(claimed);
    return claimed;
  }
}

describe('DeliveryEngine', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * A loopback receiver counting requests (answering 200, or as `answer` says), a store with one application,
   * endpoint and message, and an engine (with `options` added).
   */
  async function engineOn<S extends SqliteStore>(
    store: S,
    now: () => number,
    answer: (res: ServerResponse) => void = (res) => res.end('ok'),
    options: Partial<EngineOptions> = {},
  ) {
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      received.push(req.url ?? '');
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await store.migrate();
    cleanups.push(() => store.close());
    const app = await store.createApplication({ name: 'acme' }, now());
    const endpoint = await store.createEndpoint(
      app.id,
      { url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      now(),
    );
    await store.publish(app.id, { eventType: 'invoice.paid', payload: '{}' }, now());
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
      now,
      ...options,
    });
    cleanups.push(() => engine.stop(0));
    return { engine, received, app, endpoint };
  }

  it("runs the store's repair of stranded deliveries at start, then every repairIntervalMs", async () => {
    let clock = Date.UTC(2030, 0, 1);
    const repairs: number[] = [];
    // The repair itself is PostgreSQL's (store/postgres/enable-vs-release.test.ts); here, only when it runs.
    class RepairingStore extends SqliteStore {
      async repairStrandedDeliveries(now: number): Promise<number> {
        repairs.push(now);
        return 0;
      }
    }
    const { engine } = await engineOn(new RepairingStore({ path: ':memory:' }), () => clock, undefined, {
      repairIntervalMs: 60_000,
    });
    engine.start();
    await expect.poll(() => repairs.length, { timeout: 10_000 }).toBe(1);
    clock += 60_000;
    await expect.poll(() => repairs.length, { timeout: 10_000 }).toBe(2);
    expect(repairs).toEqual([Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 1) + 60_000]);
  });

  it('paused, it turns without asking the store anything: no claim, no next due time; resumed, it sends', async () => {
    let asked = 0;
    class CountingStore extends SqliteStore {
      override async nextDueAt(): Promise<number | null> {
        asked++;
        return super.nextDueAt();
      }
      override async claimDueDeliveries(options: ClaimOptions): Promise<ClaimedDelivery[]> {
        asked++;
        return super.claimDueDeliveries(options);
      }
    }
    // The loop reads the clock at every turn: its reads show that it turned.
    let clockReads = 0;
    const { engine, received } = await engineOn(
      new CountingStore({ path: ':memory:' }),
      () => {
        clockReads++;
        return Date.now();
      },
      undefined,
      { pollIntervalMs: 5 },
    );
    engine.pause();
    engine.start();
    const readsAtStart = clockReads;
    // Publishes wake it (notify) as well as its poll.
    for (let i = 0; i < 20; i++) {
      engine.notify();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await expect.poll(() => clockReads - readsAtStart, { timeout: 10_000 }).toBeGreaterThan(40);
    expect(asked).toBe(0);
    engine.resume();
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(asked).toBeGreaterThan(0);
  });

  it('counts the lease from when a late claim returns, and sends its batch', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const store = new SlowClaimStore({ path: ':memory:' });
    const { engine, received } = await engineOn(store, () => clock);
    let lateClaims = 0;
    store.onClaimed = async (claimed) => {
      if (claimed.length === 0) return;
      lateClaims++;
      // The claim returned with less than one timeout of its lease left: fixed before the claim, it is too short.
      clock += LEASE_MARGIN_MS + 1;
    };
    engine.start();
    await expect.poll(() => store.countDeliveries({ status: 'succeeded' }), { timeout: 10_000 }).toBe(1);
    expect(received).toEqual(['/hook']);
    expect(lateClaims).toBe(1);
  });

  it('does not send what a late claim no longer holds (its lease ran out and was claimed again)', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const store = new SlowClaimStore({ path: ':memory:' });
    const { engine, received } = await engineOn(store, () => clock);
    let reclaimed: ClaimedDelivery[] = [];
    let claims = 0;
    store.onClaimed = async (claimed) => {
      claims++;
      if (claimed.length === 0 || reclaimed.length > 0) return;
      // The claim took longer than its whole lease, and another process took the delivery back meanwhile.
      clock += TIMEOUT_MS + LEASE_MARGIN_MS;
      reclaimed = await SqliteStore.prototype.claimDueDeliveries.call(store, {
        now: clock,
        leaseUntil: clock + 600_000,
        limit: 10,
        excludeEndpointIds: [],
        perEndpointLimit: 10,
        endpointCaps: {},
      });
    };
    engine.start();
    // A later claim means the late one's batch was dealt with; then nothing of it is still in flight.
    await expect.poll(() => claims >= 2 && engine.stats().inFlight === 0, { timeout: 10_000 }).toBe(true);
    await engine.stop(0);
    expect(reclaimed).toHaveLength(1);
    expect(received).toEqual([]);
    // Still the other claim's: sending under its lease, and no attempt recorded.
    const [delivery] = store.db.prepare('SELECT status, lease_until FROM deliveries').all() as Array<{
      status: string;
      lease_until: number;
    }>;
    expect(delivery).toEqual({ status: 'sending', lease_until: reclaimed[0]?.delivery.leaseUntil });
    expect(store.db.prepare('SELECT count(*) AS n FROM attempts').get()).toEqual({ n: 0 });
  });

  it('does not send a delivery whose lease no longer outlasts the request timeout', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const store = new SlowClaimStore({ path: ':memory:' });
    const { engine, received } = await engineOn(store, () => clock);
    let secretReads = 0;
    store.onClaimed = async (claimed) => {
      for (const item of claimed) {
        const { secrets } = item;
        // Time passes between the claim and the send (an event loop held up): by the time the engine takes the
        // claimed secrets to sign, less than one timeout of the lease is left.
        Object.defineProperty(item, 'secrets', {
          get: () => {
            secretReads++;
            clock += LEASE_MARGIN_MS + 1;
            return secrets;
          },
        });
      }
    };
    engine.start();
    // Done with it either way: sent and recorded, or left alone. Then nothing is in flight.
    await expect.poll(() => secretReads >= 1 && engine.stats().inFlight === 0, { timeout: 10_000 }).toBe(true);
    await engine.stop(0);
    expect(received).toEqual([]);
    // Not sent, not recorded: the delivery waits for its lease to run out and the next claim.
    expect(await store.countDeliveries({ status: 'sending' })).toBe(1);
  });

  /** An engine whose receiver holds each request until the test answers it, and what the engine reports. */
  async function heldEngine(clock: () => number) {
    const store = new SqliteStore({ path: ':memory:' });
    const held: ServerResponse[] = [];
    const warnings: string[] = [];
    const disabled: string[] = [];
    const recorded: RecordedAttempt[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const setup = await engineOn(store, clock, (res) => held.push(res), {
      logger,
      onOperationalEvent: async (event) => {
        if (event.type === 'endpoint.disabled') disabled.push(event.endpointId);
      },
      onAttemptRecorded: (attempt) => recorded.push(attempt),
    });
    return { ...setup, store, held, warnings, disabled, recorded };
  }

  it('neither counts nor announces a result whose lease was lost (the delivery was claimed again)', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const { engine, store, endpoint, app, held, warnings, disabled, recorded } = await heldEngine(() => clock);
    engine.start();
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    // While the request is open, its lease runs out and another worker claims the delivery.
    clock += TIMEOUT_MS + LEASE_MARGIN_MS + 1;
    const reclaimed = await store.claimDueDeliveries({
      now: clock,
      leaseUntil: clock + 600_000,
      limit: 10,
      excludeEndpointIds: [],
      perEndpointLimit: 10,
      endpointCaps: {},
    });
    expect(reclaimed).toHaveLength(1);
    held[0]?.writeHead(410).end();

    await expect
      .poll(() => warnings.some((line) => line.includes('attempt result dropped')), { timeout: 10_000 })
      .toBe(true);
    expect(recorded).toEqual([]);
    expect(engine.stats()).toMatchObject({ delivered: 0, failed: 0 });
    expect(disabled).toEqual([]);
    expect(await store.getEndpoint(app.id, endpoint.id)).toMatchObject({ disabled: false });
  });

  it('announces an endpoint disabled only when this result disabled it', async () => {
    const clock = Date.UTC(2030, 0, 1);
    const { engine, store, endpoint, app, held, disabled, recorded } = await heldEngine(() => clock);
    engine.start();
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    // Disabled by an operator while the request is open: the 410 that follows is recorded, not announced again.
    await store.setEndpointDisabled(endpoint.id, true, 'paused by the operator', clock);
    held[0]?.writeHead(410).end();
    await expect.poll(() => recorded.length, { timeout: 10_000 }).toBe(1);
    expect(disabled).toEqual([]);
    expect(await store.getEndpoint(app.id, endpoint.id)).toMatchObject({ disabledReason: 'paused by the operator' });

    // Enabled again, the next 410 disables it: announced once.
    await store.setEndpointDisabled(endpoint.id, false, null, clock);
    await store.resend(app.id, (await store.listMessages(app.id, { limit: 1 })).data[0]?.id ?? '', endpoint.id, clock);
    engine.notify();
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(2);
    held[1]?.writeHead(410).end();
    await expect.poll(() => recorded.length, { timeout: 10_000 }).toBe(2);
    expect(disabled).toEqual([endpoint.id]);
  });
});
