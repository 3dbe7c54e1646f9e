// API keys: found by hash while live, listed without the secret, scoped to one application or none, revocable,
// and gone with their application.
import { describe, expect, it } from 'vitest';
import type { NewApiKey } from '../api-keys.js';
import { allPages, createApp, ids, type StoreFactory, sorted, T0, useStore } from './fixtures.js';

function newKey(name: string, appId: string | null, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return {
    name,
    appId,
    keySha256: `${name.padEnd(8, '0')}`.repeat(8).slice(0, 64),
    prefix: 'hl_key_ab',
    last4: 'wxyz',
    ...overrides,
  };
}

export function describeApiKeys(factory: StoreFactory): void {
  describe('API keys', () => {
    const store = useStore(factory);

    it('a created key is found by its hash, with its scope, and never carries the hash back', async () => {
      const app = await createApp(store(), 'a');
      const admin = await store().createApiKey(newKey('admin', null), T0);
      const scoped = await store().createApiKey(newKey('portal', app.id), T0 + 1);
      expect(admin).toEqual({
        id: admin.id,
        name: 'admin',
        appId: null,
        prefix: 'hl_key_ab',
        last4: 'wxyz',
        createdAt: T0,
        lastUsedAt: null,
      });
      expect(admin.id).toMatch(/^key_/);
      expect(await store().findApiKeyBySha256(newKey('portal', null).keySha256)).toEqual(scoped);
      expect(scoped.appId).toBe(app.id);
      expect(await store().findApiKeyBySha256('f'.repeat(64))).toBeNull();
    });

    it('lists live keys newest first, all or by scope, page by page', async () => {
      const appA = await createApp(store(), 'a');
      const appB = await createApp(store(), 'b');
      const admin = await store().createApiKey(newKey('admin', null), T0);
      const a1 = await store().createApiKey(newKey('a1', appA.id), T0 + 1);
      const a2 = await store().createApiKey(newKey('a2', appA.id), T0 + 2);
      const b1 = await store().createApiKey(newKey('b1', appB.id), T0 + 3);
      const all = await allPages((iterator) => store().listApiKeys({}, { limit: 2, iterator }));
      expect(ids(all)).toEqual([b1.id, a2.id, a1.id, admin.id]);
      const ofA = await store().listApiKeys({ appId: appA.id }, { limit: 10 });
      expect(sorted(ids(ofA.data))).toEqual(sorted([a1.id, a2.id]));
      expect(ofA.done).toBe(true);
      expect(ids((await store().listApiKeys({ appId: null }, { limit: 10 })).data)).toEqual([admin.id]);
    });

    it('a revoked key is neither found nor listed, and revoking twice answers false', async () => {
      const key = await store().createApiKey(newKey('gone', null), T0);
      expect(await store().revokeApiKey(key.id, T0 + 5)).toBe(true);
      expect(await store().revokeApiKey(key.id, T0 + 6)).toBe(false);
      expect(await store().revokeApiKey('key_missing', T0 + 6)).toBe(false);
      expect(await store().findApiKeyBySha256(newKey('gone', null).keySha256)).toBeNull();
      expect((await store().listApiKeys({}, { limit: 10 })).data).toEqual([]);
    });

    it('touch records the last use and never moves it back', async () => {
      const key = await store().createApiKey(newKey('used', null), T0);
      await store().touchApiKey(key.id, T0 + 100);
      await store().touchApiKey(key.id, T0 + 50);
      expect((await store().findApiKeyBySha256(newKey('used', null).keySha256))?.lastUsedAt).toBe(T0 + 100);
    });

    it('deleting an application removes its keys and leaves the others', async () => {
      const appA = await createApp(store(), 'a');
      const appB = await createApp(store(), 'b');
      await store().createApiKey(newKey('a1', appA.id), T0);
      const b1 = await store().createApiKey(newKey('b1', appB.id), T0 + 1);
      expect(await store().deleteApplication(appA.id)).toBe(true);
      expect(await store().findApiKeyBySha256(newKey('a1', null).keySha256)).toBeNull();
      expect(ids((await store().listApiKeys({}, { limit: 10 })).data)).toEqual([b1.id]);
    });
  });
}
