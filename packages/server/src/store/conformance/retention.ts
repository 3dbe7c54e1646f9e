// Retention (issue 14 section 2): payloads and history pruned in batches walked by primary key; what may still be
// sent (pending, sending, parked) and the heads of ordered lines (a held key) are kept whole; a pruned message still
// lists and cannot be replayed; the logs (operational events, inbound requests) go by age, except what is needed.
import { describe, expect, it } from 'vitest';
import type { PruneBatch, PruneResult, Store } from '../store.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  failed,
  killAllDue,
  newMessage,
  type StoreFactory,
  single,
  succeeded,
  T0,
  useStore,
} from './fixtures.js';

const DAY_MS = 86_400_000;
/**
 * Each test's own start, later than any time used before it in the process: ids carry their time and never go back
 * within a process (ids.ts), so an id made at an earlier time than one made before would carry the later time, and
 * the walk, which finds "created before" by id, would not look at it yet.
 */
let epochs = 0;
function freshStart(): number {
  epochs++;
  return T0 + (400 + epochs * 1000) * DAY_MS;
}

/** Runs batches of `limit` until the walk reaches `before`; returns the totals and how many batches it took. */
async function walk(
  prune: (batch: PruneBatch) => Promise<PruneResult>,
  before: number,
  limit: number,
): Promise<{ examined: number; pruned: number; batches: number }> {
  let afterId: string | null = null;
  const total = { examined: 0, pruned: 0, batches: 0 };
  for (;;) {
    const result = await prune({ before, afterId, limit });
    total.examined += result.examined;
    total.pruned += result.pruned;
    total.batches++;
    if (result.examined < limit) return total;
    afterId = result.lastId;
    if (total.batches > 1000) throw new Error('the walk did not reach its end');
  }
}

export function describeRetention(factory: StoreFactory): void {
  describe('retention: pruning payloads, history and logs', () => {
    const store = useStore(factory);

    /** One message delivered, one dead, one still pending (due later), all published at `at`. */
    async function threeMessages(s: Store, appId: string, at: number) {
      const delivered = (await s.publish(appId, newMessage({ payload: '{"n":"delivered"}' }), at)).message;
      const dead = (await s.publish(appId, newMessage({ payload: '{"n":"dead"}' }), at)).message;
      const claimed = await claimAll(s, at);
      const ofDelivered = claimed.filter((item) => item.message.id === delivered.id);
      const ofDead = claimed.filter((item) => item.message.id === dead.id);
      await s.recordAttempts([
        ...ofDelivered.map((item) => succeeded(item, at + 1)),
        ...ofDead.map((item) => failed(item, at + 1, { status: 'dead' })),
      ]);
      const pending = (
        await s.publish(appId, newMessage({ payload: '{"n":"pending"}', deliverAt: at + 60 * DAY_MS }), at)
      ).message;
      return { delivered, dead, pending };
    }

    it('prunePayloads empties the payload of finished messages created before the time, and they still list', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, {}, R0);
      const old = await threeMessages(store(), app.id, R0);
      const recent = (await store().publish(app.id, newMessage(), R0 + 40 * DAY_MS)).message;
      await killAllDue(store(), R0 + 40 * DAY_MS);

      const result = await walk((batch) => store().prunePayloads(batch, R0 + 41 * DAY_MS), R0 + 30 * DAY_MS, 100);
      expect(result).toMatchObject({ examined: 3, pruned: 2 });

      for (const message of [old.delivered, old.dead]) {
        expect(await store().getMessage(app.id, message.id)).toMatchObject({
          payload: '',
          payloadPrunedAt: R0 + 41 * DAY_MS,
        });
        expect((await store().listAttemptsForMessage(app.id, message.id, { limit: 10 })).data).toHaveLength(1);
      }
      expect(await store().getMessage(app.id, old.pending.id)).toMatchObject({
        payload: '{"n":"pending"}',
        payloadPrunedAt: null,
      });
      expect(await store().getMessage(app.id, recent.id)).toMatchObject({ payloadPrunedAt: null });
      const listed = (await store().listMessages(app.id, { limit: 10 })).data;
      expect(listed.map((message) => message.id).sort()).toEqual(
        [old.delivered.id, old.dead.id, old.pending.id, recent.id].sort(),
      );
      expect(listed.find((message) => message.id === old.dead.id)?.payloadPrunedAt).toBe(R0 + 41 * DAY_MS);

      // A second pass finds nothing more to do; the pending message is pruned once it is delivered.
      expect((await walk((b) => store().prunePayloads(b, R0 + 42 * DAY_MS), R0 + 30 * DAY_MS, 100)).pruned).toBe(0);
      const due = single(await claimAll(store(), R0 + 60 * DAY_MS));
      expect(due.message.id).toBe(old.pending.id);
      expect(due.endpoint.id).toBe(endpoint.id);
      await store().recordAttempts([succeeded(due, R0 + 60 * DAY_MS + 1)]);
      expect((await walk((b) => store().prunePayloads(b, R0 + 61 * DAY_MS), R0 + 30 * DAY_MS, 100)).pruned).toBe(1);
    });

    it('a message whose payload was pruned is not resent nor recovered', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, {}, R0);
      const { message } = await store().publish(app.id, newMessage(), R0);
      await killAllDue(store(), R0);
      await walk((batch) => store().prunePayloads(batch, R0 + 2 * DAY_MS), R0 + DAY_MS, 10);

      expect(await store().resend(app.id, message.id, endpoint.id, R0 + 2 * DAY_MS)).toBe(false);
      expect(await store().recoverEndpoint(app.id, endpoint.id, R0 - 1, R0 + 1, R0 + 2 * DAY_MS)).toBe(0);
      expect(await claimAll(store(), R0 + 3 * DAY_MS)).toEqual([]);
      expect(single((await store().listDeadDeliveries(app.id, null, { limit: 10 })).data).messageId).toBe(message.id);
    });

    it('pruneHistory deletes finished messages with their deliveries and attempts, in batches of the limit', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, {}, R0);
      const old = await threeMessages(store(), app.id, R0);
      const many: string[] = [];
      for (let i = 0; i < 7; i++) many.push((await store().publish(app.id, newMessage(), R0 + 1000 + i)).message.id);
      await killAllDue(store(), R0 + 2000);
      const deadAttempt = single((await store().listAttemptsForMessage(app.id, old.dead.id, { limit: 10 })).data);
      const recent = (await store().publish(app.id, newMessage(), R0 + 100 * DAY_MS)).message;

      const result = await walk((batch) => store().pruneHistory(batch), R0 + 90 * DAY_MS, 3);
      expect(result).toEqual({ examined: 10, pruned: 9, batches: 4 });

      const left = (await store().listMessages(app.id, { limit: 50 })).data.map((message) => message.id);
      expect(left.sort()).toEqual([old.pending.id, recent.id].sort());
      expect(await store().getMessage(app.id, old.dead.id)).toBeNull();
      expect(await store().getAttempt(app.id, deadAttempt.id)).toBeNull();
      expect((await store().listDeadDeliveries(app.id, null, { limit: 50 })).data).toEqual([]);
      expect((await store().listAttemptsForEndpoint(app.id, endpoint.id, { limit: 50 })).data).toEqual([]);
      expect(await store().countDeliveries({ appId: app.id })).toBe(2);
    });

    it('the walk starts after the given id and stops at the time: nothing created at or after it is looked at', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      await createEndpoint(store(), app.id, {}, R0);
      const first = (await store().publish(app.id, newMessage(), R0)).message;
      const second = (await store().publish(app.id, newMessage(), R0 + 10)).message;
      await store().publish(app.id, newMessage(), R0 + 20);
      await killAllDue(store(), R0 + 30);

      expect(await store().pruneHistory({ before: R0 + 20, afterId: first.id, limit: 10 })).toEqual({
        examined: 1,
        pruned: 1,
        lastId: second.id,
      });
      expect(await store().pruneHistory({ before: R0 + 20, afterId: second.id, limit: 10 })).toEqual({
        examined: 0,
        pruned: 0,
        lastId: null,
      });
      expect((await store().listMessages(app.id, { limit: 10 })).data).toHaveLength(2);
    });

    it('the dead head of a held ordered line keeps its message whole; the line goes on once it is replayed', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, { ordering: 'fifo', orderingOnDead: 'hold' }, R0);
      const head = (await store().publish(app.id, newMessage({ payload: '{"n":"a1"}', orderingKey: 'a' }), R0)).message;
      const behind = (await store().publish(app.id, newMessage({ payload: '{"n":"a2"}', orderingKey: 'a' }), R0 + 1))
        .message;
      await killAllDue(store(), R0 + 2);
      expect(await store().listHeldKeys(app.id, endpoint.id, 10)).toHaveLength(1);

      const later = R0 + 200 * DAY_MS;
      expect((await walk((b) => store().prunePayloads(b, later), later - DAY_MS, 10)).pruned).toBe(0);
      expect((await walk((b) => store().pruneHistory(b), later - DAY_MS, 10)).pruned).toBe(0);
      expect(await store().getMessage(app.id, head.id)).toMatchObject({ payload: '{"n":"a1"}', payloadPrunedAt: null });
      expect(await store().getMessage(app.id, behind.id)).toMatchObject({ payload: '{"n":"a2"}' });
      expect(await store().listHeldKeys(app.id, endpoint.id, 10)).toHaveLength(1);

      expect(await store().resend(app.id, head.id, endpoint.id, later)).toBe(true);
      const replayed = single(await claimAll(store(), later));
      expect(replayed.message.id).toBe(head.id);
      await store().recordAttempts([succeeded(replayed, later + 1)]);
      const next = single(await claimAll(store(), later + 2));
      expect(next.message.id).toBe(behind.id);
      await store().recordAttempts([succeeded(next, later + 3)]);
      // Both delivered, the line is idle (no head): both may go.
      expect((await walk((b) => store().pruneHistory(b), later + DAY_MS, 10)).pruned).toBe(2);
    });

    it('pruneLogs deletes old operational events and inbound requests, keeping unrelayed and still-relayed ones', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, {}, R0);
      await store().setEndpointDisabled(endpoint.id, true, 'maintenance', R0);
      await store().setEndpointDisabled(endpoint.id, false, null, R0 + 1);
      const source = await store().createSource(
        app.id,
        { name: 'GitHub', verification: { type: 'signature', scheme: 'github', secrets: ['It is a secret'] } },
        R0,
      );
      const request = (eventId: string) => ({
        sourceId: source.id,
        appId: app.id,
        method: 'POST',
        eventType: 'push',
        eventId,
        remoteAddress: '192.0.2.1',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
        query: '',
        signatureMode: 'original' as const,
      });
      const unrelayed = await store().acceptInbound(request('unrelayed'), R0 + 2);
      const relayedGone = await store().acceptInbound(request('relayed-gone'), R0 + 3);
      const relayedKept = await store().acceptInbound(request('relayed-kept'), R0 + 4);
      await store().recordInboundRefusal(
        {
          sourceId: source.id,
          appId: app.id,
          outcome: 'rejected',
          reason: 'signature mismatch',
          method: 'POST',
          eventType: null,
          eventId: null,
          remoteAddress: '192.0.2.1',
        },
        R0 + 5,
      );
      const gone = (await store().publish(app.id, newMessage({ eventId: relayedGone.id }), R0 + 6)).message;
      const kept = (await store().publish(app.id, newMessage({ eventId: relayedKept.id }), R0 + 7)).message;
      await store().markInboundRelayed(relayedGone.id, gone.id);
      await store().markInboundRelayed(relayedKept.id, kept.id);
      const [toGo] = await claimAll(store(), R0 + 8).then((claimed) => claimed.filter((c) => c.message.id === gone.id));
      if (toGo === undefined) throw new Error('the relayed message was not claimed');
      await store().recordAttempts([succeeded(toGo, R0 + 9)]);
      await walk((batch) => store().pruneHistory(batch), R0 + 7, 10);
      expect(await store().getMessage(app.id, gone.id)).toBeNull();

      const before = R0 + 100 * DAY_MS;
      expect(await store().pruneLogs(before, 100)).toBe(4);
      expect(await store().listOperationalEvents(10)).toEqual([]);
      const left = (await store().listInboundRequests(app.id, source.id, { limit: 10 })).data.map((r) => r.id);
      expect(left.sort()).toEqual([unrelayed.id, relayedKept.id].sort());
      expect(await store().pruneLogs(before, 100)).toBe(0);
    });

    it('pruneLogs deletes no more than the limit of each log per call, and nothing created at or after the time', async () => {
      const R0 = freshStart();
      const app = await createApp(store(), 'acme', R0);
      const endpoint = await createEndpoint(store(), app.id, {}, R0);
      for (let i = 0; i < 5; i++) await store().setEndpointDisabled(endpoint.id, i % 2 === 0, 'flap', R0 + i);
      expect(await store().pruneLogs(R0 + 3, 2)).toBe(2);
      expect(await store().pruneLogs(R0 + 3, 2)).toBe(1);
      expect(await store().pruneLogs(R0 + 3, 2)).toBe(0);
      expect(await store().listOperationalEvents(10)).toHaveLength(2);
    });
  });
}
