// The one conformance suite both durable inboxes pass (SQLite, PostgreSQL).
import { expect, it } from 'vitest';
import type { InboxStore, NewInboxRecord } from './inbox-store.js';

export interface InboxSuiteSetup {
  store: InboxStore;
  /** A second store on the same database (another process). */
  other: InboxStore;
  advanceSeconds(seconds: number): void;
  now(): number;
}

export function inboxStoreSuite(make: () => Promise<InboxSuiteSetup>): void {
  let n = 0;
  const record = (now: number, overrides: Partial<NewInboxRecord> = {}): NewInboxRecord => ({
    id: `evt_${process.pid}_${Date.now().toString(36)}_${++n}`,
    type: 'issues.opened',
    alsoRoutesAs: ['issues'],
    payload: { action: 'opened', nested: { n: [1, 'two', null] }, text: 'caf\u00e9' },
    headers: { 'x-github-event': 'issues' },
    scheme: 'github',
    receivedAt: now,
    ...overrides,
  });

  it('stores an event once: a second add of the id is a duplicate', async () => {
    const { store, now } = await make();
    const r = record(now());
    expect(await store.add(r)).toBe(true);
    expect(await store.add(r)).toBe(false);
  });

  it('claimDue hands out the record as stored, counts the attempt, and leases it', async () => {
    const { store, now, advanceSeconds } = await make();
    const r = record(now());
    await store.add(r);
    const [claimed, ...rest] = await store.claimDue(100, 60);
    expect(rest.filter((x) => x.id === r.id)).toEqual([]);
    expect(claimed).toEqual({ ...r, attempts: 1 });
    expect((await store.claimDue(100, 60)).map((x) => x.id)).not.toContain(r.id);
    // The worker died: the lease runs out and the event is taken again, its attempt counted.
    advanceSeconds(61);
    const again = (await store.claimDue(100, 60)).find((x) => x.id === r.id);
    expect(again?.attempts).toBe(2);
    await store.markDone(r.id);
  });

  it('a retry is due at its time; done and final events are never claimed again', async () => {
    const { store, now, advanceSeconds } = await make();
    const retried = record(now());
    const done = record(now());
    const dead = record(now());
    for (const r of [retried, done, dead]) await store.add(r);
    await store.claimDue(100, 60);
    await store.markRetry(retried.id, 'boom', now() + 30_000);
    await store.markDone(done.id);
    await store.markFinal(dead.id, 'dead', 'gave up');
    expect(await store.claimDue(100, 60)).toEqual([]);
    advanceSeconds(30);
    expect((await store.claimDue(100, 60)).map((x) => x.id)).toEqual([retried.id]);
    await store.markDone(retried.id);
    const deadList = await store.list({ status: 'dead', limit: 100 });
    expect(deadList.find((x) => x.id === dead.id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'gave up' });
  });

  it('requeue puts a dead event back, attempts reset; a pending or unknown one is refused', async () => {
    const { store, now } = await make();
    const r = record(now());
    await store.add(r);
    expect(await store.requeue(r.id)).toBe(false);
    await store.claimDue(100, 60);
    await store.markFinal(r.id, 'dead', 'x');
    expect(await store.requeue(r.id)).toBe(true);
    expect(await store.requeue('evt_missing')).toBe(false);
    const [again] = await store.claimDue(100, 60);
    expect(again).toMatchObject({ id: r.id, attempts: 1 });
    await store.markDone(r.id);
  });

  it('two stores (two processes) never take the same event', async () => {
    const { store, other, now } = await make();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = record(now());
      ids.add(r.id);
      await store.add(r);
    }
    const [a, b] = await Promise.all([store.claimDue(10, 60), other.claimDue(10, 60)]);
    const taken = [...a, ...b].map((x) => x.id).filter((id) => ids.has(id));
    expect(new Set(taken).size).toBe(taken.length);
    for (const id of taken) await store.markDone(id);
    for (const x of await store.claimDue(100, 60)) await store.markDone(x.id);
  });

  it('prune deletes finished events received before the cutoff, and keeps pending ones', async () => {
    const { store, now } = await make();
    const old = record(now() - 10_000);
    const pending = record(now() - 10_000);
    await store.add(old);
    await store.add(pending);
    const claimed = await store.claimDue(100, 60);
    await store.markDone(old.id);
    for (const x of claimed) if (x.id !== old.id && x.id !== pending.id) await store.markDone(x.id);
    await store.markRetry(pending.id, 'later', now() + 1000);
    await store.prune(now() - 5_000);
    expect(await store.add(old)).toBe(true);
    expect(await store.add(pending)).toBe(false);
  });
}
