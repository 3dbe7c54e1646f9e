import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2030, 0, 1);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('SqliteStore read caches and claims', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(path?: string): Promise<{ store: SqliteStore; path: string }> {
    let file = path;
    if (file === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'hookline-caches-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      file = join(dir, 'hookline.db');
    }
    const store = new SqliteStore({ path: file });
    cleanups.push(async () => {
      if (store.db.open) await store.close();
    });
    await store.migrate();
    return { store, path: file };
  }

  const claim = (store: SqliteStore, now: number, options: { limit?: number; exclude?: string[] } = {}) =>
    store.claimDueDeliveries({
      now,
      leaseUntil: now + 60_000,
      limit: options.limit ?? 4,
      excludeEndpointIds: options.exclude ?? [],
      perEndpointLimit: 100,
      endpointCaps: {},
    });

  it('a publish reaches an endpoint that another connection created after the first publish', async () => {
    const { store, path } = await open();
    const app = await store.createApplication({ name: 'acme', uid: 'acme' }, T0);
    await store.createEndpoint(app.id, { url: 'https://a.example.com/hook', secret: SECRET }, T0);
    expect((await store.publish(app.id, { eventType: 'a', payload: '{}' }, T0)).deliveries).toBe(1);
    const other = (await open(path)).store;
    await other.createEndpoint(app.id, { url: 'https://b.example.com/hook', secret: SECRET }, T0);
    expect((await store.publish(app.id, { eventType: 'a', payload: '{}' }, T0)).deliveries).toBe(2);
  });

  it('an application deleted by another connection is no longer found', async () => {
    const { store, path } = await open();
    const app = await store.createApplication({ name: 'acme', uid: 'acme' }, T0);
    expect((await store.getApplication('acme'))?.id).toBe(app.id);
    const other = (await open(path)).store;
    await other.deleteApplication(app.id);
    expect(await store.getApplication('acme')).toBeNull();
  });

  it('an event type created, changed or archived by another connection is seen at once, a missing one too', async () => {
    const { store, path } = await open();
    expect(await store.getEventType('invoice.paid')).toBeNull();
    const other = (await open(path)).store;
    await other.createEventType({ name: 'invoice.paid', description: 'first' }, T0);
    expect((await store.getEventType('invoice.paid'))?.description).toBe('first');
    await other.updateEventType('invoice.paid', { description: 'second' }, T0 + 1);
    expect((await store.getEventType('invoice.paid'))?.description).toBe('second');
    await other.deleteEventType('invoice.paid', { expunge: false }, T0 + 2);
    expect((await store.getEventType('invoice.paid'))?.archived).toBe(true);
    await other.deleteEventType('invoice.paid', { expunge: true }, T0 + 3);
    expect(await store.getEventType('invoice.paid')).toBeNull();
  });

  it('reads outside a transaction look at data_version once per turn of the event loop; the next turn sees a commit', async () => {
    const { store, path } = await open();
    await store.createEventType({ name: 'invoice.paid', description: 'first' }, T0);
    // Another connection commits between two reads of one turn (a plain connection: its commit is synchronous).
    const other = new BetterSqlite3(path);
    cleanups.push(() => {
      other.close();
    });
    const sameTurn = await new Promise<Array<string | undefined>>((resolve, reject) => {
      setImmediate(() => {
        (async () => {
          const before = (await store.getEventType('invoice.paid'))?.description;
          other.prepare("UPDATE event_types SET description = 'second' WHERE name = 'invoice.paid'").run();
          const after = (await store.getEventType('invoice.paid'))?.description;
          resolve([before, after]);
        })().catch(reject);
      });
    });
    // The second read is as of the turn's first look...
    expect(sameTurn).toEqual(['first', 'first']);
    // ...and the next turn looks again.
    await new Promise((resolve) => setImmediate(resolve));
    expect((await store.getEventType('invoice.paid'))?.description).toBe('second');
  });

  it('an API key is read once and then from a copy, which its revocation, its last use or another connection drops', async () => {
    const { store, path } = await open();
    const hash = 'a'.repeat(64);
    const key = await store.createApiKey(
      { name: 'ci', appId: null, keySha256: hash, prefix: 'hk_', last4: 'aaaa' },
      T0,
    );
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    expect((await store.findApiKeyBySha256(hash))?.name).toBe('ci');
    // A change on the store's own connection, behind its back, moves no data_version: the copy is what answers.
    store.db.prepare("UPDATE api_keys SET name = 'renamed' WHERE id = ?").run(key.id);
    await nextTurn();
    expect((await store.findApiKeyBySha256(hash))?.name).toBe('ci');
    // Its last use, written through the store, drops the copy: the next look has the new time.
    await store.touchApiKey(key.id, T0 + 60_000);
    expect(await store.findApiKeyBySha256(hash)).toMatchObject({ name: 'renamed', lastUsedAt: T0 + 60_000 });
    // Revoked through the store: no longer found at once.
    expect(await store.revokeApiKey(key.id, T0 + 1)).toBe(true);
    expect(await store.findApiKeyBySha256(hash)).toBeNull();
    // Revoked by another connection: no longer found from the next turn.
    const second = 'b'.repeat(64);
    const other = await store.createApiKey(
      { name: 'b', appId: null, keySha256: second, prefix: 'hk_', last4: 'bbbb' },
      T0,
    );
    expect((await store.findApiKeyBySha256(second))?.id).toBe(other.id);
    await (await open(path)).store.revokeApiKey(other.id, T0 + 2);
    await nextTurn();
    expect(await store.findApiKeyBySha256(second)).toBeNull();
  });

  it("an event type written through the store itself is read back as written, the cache's copy dropped", async () => {
    const { store } = await open();
    expect(await store.getEventType('invoice.paid')).toBeNull();
    await store.createEventType({ name: 'invoice.paid', description: 'first' }, T0);
    expect((await store.getEventType('invoice.paid'))?.description).toBe('first');
    await store.updateEventType('invoice.paid', { description: 'second' }, T0 + 1);
    expect((await store.getEventType('invoice.paid'))?.description).toBe('second');
    await store.deleteEventType('invoice.paid', { expunge: true }, T0 + 2);
    expect(await store.getEventType('invoice.paid')).toBeNull();
  });

  it('secrets rotated by another connection sign at once', async () => {
    const { store, path } = await open();
    const app = await store.createApplication({ name: 'acme' }, T0);
    const endpoint = await store.createEndpoint(app.id, { url: 'https://a.example.com/hook', secret: SECRET }, T0);
    expect((await store.activeSecrets(endpoint.id, T0)).map((s) => s.secret)).toEqual([SECRET]);
    const other = (await open(path)).store;
    await other.rotateSecret(endpoint.id, 'whsec_new', 1000, T0 + 1);
    expect((await store.activeSecrets(endpoint.id, T0 + 2)).map((s) => s.secret)).toEqual(['whsec_new', SECRET]);
    expect((await store.activeSecrets(endpoint.id, T0 + 2000)).map((s) => s.secret)).toEqual(['whsec_new']);
  });

  it('an endpoint disabled in the same batch as a publish gets no delivery from later publishes', async () => {
    const { store } = await open();
    const app = await store.createApplication({ name: 'acme' }, T0);
    const endpoint = await store.createEndpoint(app.id, { url: 'https://a.example.com/hook', secret: SECRET }, T0);
    const [first, , second] = await Promise.all([
      store.publish(app.id, { eventType: 'a', payload: '{}' }, T0),
      store.setEndpointDisabled(endpoint.id, true, 'test', T0),
      store.publish(app.id, { eventType: 'a', payload: '{}' }, T0),
    ]);
    expect(first.deliveries).toBe(1);
    expect(second.deliveries).toBe(0);
  });

  it('a claim reaches a healthy endpoint behind a long backlog of an excluded endpoint', async () => {
    const { store } = await open();
    const app = await store.createApplication({ name: 'acme' }, T0);
    const busy = await store.createEndpoint(
      app.id,
      { url: 'https://busy.example.com/hook', secret: SECRET, eventTypes: ['busy'] },
      T0,
    );
    const healthy = await store.createEndpoint(
      app.id,
      { url: 'https://healthy.example.com/hook', secret: SECRET, eventTypes: ['healthy'] },
      T0,
    );
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.publish(app.id, { eventType: 'busy', payload: '{}' }, T0 + i)),
    );
    await store.publish(app.id, { eventType: 'healthy', payload: '{}' }, T0 + 500);
    const claimed = await claim(store, T0 + 1000, { exclude: [busy.id] });
    expect(claimed.map((item) => item.endpoint.id)).toEqual([healthy.id]);
    expect(await claim(store, T0 + 1000, { exclude: [busy.id] })).toEqual([]);
    expect(await store.countDeliveries({ status: 'pending' })).toBe(100);
  });
});
