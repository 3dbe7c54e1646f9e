// Each policy PostgreSQL also runs in SQL (for cross-process correctness) is specified once, as a table of cases,
// and both forms must pass the same table: the TypeScript one and the SQL one, through a real PostgreSQL store.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../test/support/services.js';
import { InProcessEndpointGates } from '../../src/engine/endpoint-gate.js';
import { type ClaimCandidate, takeInTurn } from '../../src/store/claim-order.js';
import { claimOptions, failed, newMessage, SECRET, succeeded, T0 } from '../../src/store/conformance/fixtures.js';
import { matchesEndpoint } from '../../src/store/fan-out.js';
import type { CircuitSignal } from '../../src/store/gates.js';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { ClaimedDelivery } from '../../src/store/types.js';
import { storeInFreshSchema } from '../support/postgres-schema.js';
import { CIRCUIT_CASE_OPTIONS, CIRCUIT_CASES, type CircuitCase } from './circuit-cases.js';
import { appOf, CLAIM_ORDER_CASES, type ClaimOrderCase, publishTargets } from './claim-order-cases.js';
import { FAN_OUT_CASES } from './fan-out-cases.js';
import { RATE_TOKEN_CASES, type RateTokenCase } from './rate-token-cases.js';

const postgres = await serviceAvailable('postgres');
if (!postgres) console.warn('SKIP the SQL forms of the policies: start PostgreSQL on 127.0.0.1:5432 (db test)');

const ENDPOINT = 'ep_case';

/** The case's candidates as takeInTurn sees them: ids in publish order, then endpoint order (as stores make them). */
function claimOrderInTypeScript(orderCase: ClaimOrderCase): string[] {
  const candidates: Array<ClaimCandidate & { label: string }> = [];
  for (const { at, to } of orderCase.publishes) {
    for (const label of publishTargets(orderCase, to)) {
      const id = `dlv_${String(candidates.length).padStart(4, '0')}`;
      candidates.push({ id, endpointId: label, appId: appOf(orderCase, label), nextAttemptAt: at, label });
    }
  }
  const due = candidates.filter((candidate) => candidate.nextAttemptAt <= orderCase.claimAt);
  const taken = takeInTurn(due, (label) => orderCase.caps?.[label] ?? orderCase.perEndpointLimit, orderCase.limit);
  return taken.map((id) => candidates.find((candidate) => candidate.id === id)?.label ?? id).sort();
}

/** The case on a real store: its applications and endpoints (each takes its label and 'all'), publishes, a claim. */
async function claimOrderOn(store: Store, orderCase: ClaimOrderCase): Promise<string[]> {
  const appIds = new Map<string, string>();
  const endpointIds = new Map<string, string>();
  for (const [appLabel, endpoints] of Object.entries(orderCase.apps)) {
    const app = await store.createApplication({ name: `claim order ${appLabel}` }, T0 - 10);
    appIds.set(appLabel, app.id);
    onTestFinished(() => store.deleteApplication(app.id).then(() => undefined));
    for (const label of endpoints) {
      const endpoint = await store.createEndpoint(
        app.id,
        { url: 'https://receiver.example.com/hook', secret: SECRET, eventTypes: [label, 'all'] },
        T0 - 10,
      );
      endpointIds.set(label, endpoint.id);
    }
  }
  for (const { at, to } of orderCase.publishes) {
    const appId = appIds.get(appOf(orderCase, publishTargets(orderCase, to)[0] as string)) as string;
    await store.publish(appId, newMessage({ eventType: to in orderCase.apps ? 'all' : to }), T0 + at);
  }
  const caps = Object.fromEntries(
    Object.entries(orderCase.caps ?? {}).map(([label, cap]) => [endpointIds.get(label) as string, cap]),
  );
  const claimed = await store.claimDueDeliveries(
    claimOptions(T0 + orderCase.claimAt, {
      limit: orderCase.limit,
      perEndpointLimit: orderCase.perEndpointLimit,
      endpointCaps: caps,
    }),
  );
  const labelOf = new Map([...endpointIds].map(([label, id]) => [id, label]));
  return claimed.map((item) => labelOf.get(item.endpoint.id) ?? item.endpoint.id).sort();
}

describe('in TypeScript (the in-process gates, matchesEndpoint)', () => {
  describe('circuit', () => {
    it.each(CIRCUIT_CASES)('$name', async (circuitCase: CircuitCase) => {
      const gates = new InProcessEndpointGates(1000, CIRCUIT_CASE_OPTIONS);
      for (const send of circuitCase.sends) {
        expect(gates.tryStart(ENDPOINT, null, T0 + send.at), `a send at ${send.at}`).toBe(true);
        gates.finish(ENDPOINT, send.signal, T0 + send.at);
      }
      const readAt = T0 + circuitCase.readAt;
      const { circuit } = await gates.stateOf(ENDPOINT, readAt);
      const openUntil = circuit === 'open' ? gates.nextOpeningAt(readAt) : null;
      expect({ state: circuit, openUntil: openUntil === null ? null : openUntil - T0 }).toEqual(circuitCase.expected);
    });
  });

  describe('rate tokens', () => {
    it.each(RATE_TOKEN_CASES)('$name', (rateCase: RateTokenCase) => {
      // No slow start (the initial window is the whole limit): these cases are the token bucket's alone, as in SQL.
      const gates = new InProcessEndpointGates(1000, CIRCUIT_CASE_OPTIONS, undefined, 1000);
      const granted = rateCase.claims.map(({ at, want }) => {
        let started = 0;
        for (let i = 0; i < want; i++) if (gates.tryStart(ENDPOINT, rateCase.ratePerSecond, T0 + at)) started++;
        for (let i = 0; i < started; i++) gates.finish(ENDPOINT, 'neutral', T0 + at);
        return started;
      });
      expect(granted).toEqual(rateCase.claims.map((claim) => claim.granted));
    });
  });

  describe('fan-out', () => {
    it.each(FAN_OUT_CASES)('$name', ({ endpoint, message, matches }) => {
      expect(matchesEndpoint(endpoint, message)).toBe(matches);
    });
  });

  describe('claim order', () => {
    it.each(CLAIM_ORDER_CASES)('$name', (orderCase: ClaimOrderCase) => {
      expect(claimOrderInTypeScript(orderCase)).toEqual(orderCase.taken);
    });

    // SQLite's claim is takeInTurn over the candidates claim-candidates.ts finds: the same table through it.
    it.each(CLAIM_ORDER_CASES)('through a real SQLite store: $name', async (orderCase: ClaimOrderCase) => {
      const store = new SqliteStore({ path: ':memory:' });
      await store.migrate();
      onTestFinished(() => store.close());
      expect(await claimOrderOn(store, orderCase)).toEqual(orderCase.taken);
    });
  });
});

describe.skipIf(!postgres)(
  'in SQL (a real PostgreSQL store: the claim function, the record and publish statements)',
  () => {
    let store: PostgresStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = storeInFreshSchema(SERVICES.postgres.url, { circuit: CIRCUIT_CASE_OPTIONS }));
      await store.migrate();
    });
    afterAll(async () => {
      await cleanup?.();
    });

    /** An application of its own with one endpoint (so a publish fans out to it alone) and `backlog` due messages. */
    async function endpointWith(backlog: number, endpoint: Parameters<PostgresStore['createEndpoint']>[1]) {
      const app = await store.createApplication({ name: 'policy case' }, T0 - 10);
      const created = await store.createEndpoint(app.id, endpoint, T0 - 10);
      for (let i = 0; i < backlog; i++) await store.publish(app.id, newMessage(), T0 - 1);
      return { appId: app.id, endpointId: created.id };
    }

    /** Claims at `now`, up to `want`: only this case's endpoint has due work (each case deletes its endpoint). */
    async function claim(endpointId: string, now: number, want: number): Promise<ClaimedDelivery[]> {
      const claimed = await store.claimDueDeliveries(claimOptions(now, { limit: want }));
      const others = claimed.filter((item) => item.endpoint.id !== endpointId);
      expect(others, 'each case claims only its own endpoint').toEqual([]);
      return claimed;
    }

    function resultFor(item: ClaimedDelivery, signal: CircuitSignal, at: number) {
      if (signal === 'success') return succeeded(item, at, { circuit: 'success' });
      return failed(item, at, { status: 'dead' }, { circuit: signal });
    }

    describe('circuit', () => {
      it.each(CIRCUIT_CASES)('$name', async (circuitCase: CircuitCase) => {
        const { appId, endpointId } = await endpointWith(circuitCase.sends.length, {
          url: 'https://receiver.example.com/hook',
          secret: SECRET,
        });
        onTestFinished(() => store.deleteEndpoint(appId, endpointId).then(() => undefined));
        for (const send of circuitCase.sends) {
          const [item, ...more] = await claim(endpointId, T0 + send.at, 1);
          expect(item, `a send at ${send.at}`).toBeDefined();
          expect(more).toEqual([]);
          await store.recordAttempts([resultFor(item as ClaimedDelivery, send.signal, T0 + send.at)]);
        }
        const readAt = T0 + circuitCase.readAt;
        const { circuit } = await (store.endpointGates?.() ?? expect.fail('PostgreSQL keeps the gates')).stateOf(
          endpointId,
          readAt,
        );
        const { rows } = await store.pool.query<{ open_until: string | null }>(
          'SELECT open_until FROM endpoint_gates WHERE endpoint_id = $1',
          [endpointId],
        );
        const openUntil = circuit === 'open' ? Number(rows[0]?.open_until) - T0 : null;
        expect({ state: circuit, openUntil }).toEqual(circuitCase.expected);
      });
    });

    describe('rate tokens', () => {
      it.each(RATE_TOKEN_CASES)('$name', async (rateCase: RateTokenCase) => {
        const backlog = rateCase.claims.reduce((sum, claimed) => sum + claimed.want, 0);
        const { appId, endpointId } = await endpointWith(backlog, {
          url: 'https://receiver.example.com/hook',
          secret: SECRET,
          throttleRate: rateCase.ratePerSecond,
        });
        // The backlog left would be claimed by the next case: the endpoint goes, and its deliveries with it.
        onTestFinished(() => store.deleteEndpoint(appId, endpointId).then(() => undefined));
        const granted: number[] = [];
        for (const { at, want } of rateCase.claims) {
          const claimed = await claim(endpointId, T0 + at, want);
          granted.push(claimed.length);
          await store.recordAttempts(claimed.map((item) => succeeded(item, T0 + at)));
        }
        expect(granted).toEqual(rateCase.claims.map((claimed) => claimed.granted));
      });
    });

    describe('claim order', () => {
      it.each(CLAIM_ORDER_CASES)('$name', async (orderCase: ClaimOrderCase) => {
        expect(await claimOrderOn(store, orderCase)).toEqual(orderCase.taken);
      });
    });

    describe('fan-out', () => {
      it.each(FAN_OUT_CASES)('$name', async ({ endpoint, message, matches }) => {
        const app = await store.createApplication({ name: 'fan-out case' }, T0);
        await store.createEndpoint(
          app.id,
          { url: 'https://receiver.example.com/hook', secret: SECRET, ...endpoint },
          T0,
        );
        const published = await store.publish(app.id, newMessage(message), T0 + 5_000_000);
        expect(published.deliveries).toBe(matches ? 1 : 0);
      });
    });
  },
);
