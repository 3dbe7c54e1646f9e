// Applications patched in place, and endpoint custom headers kept, replaced and handed to the engine with a claim.
import { describe, expect, it } from 'vitest';
import { DuplicateUidError } from '../errors.js';
import {
  claimAll,
  createApp,
  createEndpoint,
  newMessage,
  type StoreFactory,
  single,
  T0,
  useStore,
} from './fixtures.js';

export function describeUpdates(factory: StoreFactory): void {
  describe('updates', () => {
    const store = useStore(factory);

    it('updateApplication changes only the given fields and is found by its new uid', async () => {
      const app = await store().createApplication(
        { name: 'acme', uid: 'acme', rateLimit: 5, metadata: { a: '1' } },
        T0,
      );
      const renamed = await store().updateApplication(app.id, { name: 'Acme Inc', uid: 'acme-inc' }, T0 + 10);
      expect(renamed).toEqual({ ...app, name: 'Acme Inc', uid: 'acme-inc', updatedAt: T0 + 10 });
      expect(await store().getApplication('acme-inc')).toEqual(renamed);
      expect(await store().getApplication('acme')).toBeNull();
      const cleared = await store().updateApplication(app.id, { rateLimit: null, uid: null, metadata: {} }, T0 + 20);
      expect(cleared).toMatchObject({ name: 'Acme Inc', uid: null, rateLimit: null, metadata: {} });
      expect(await store().getApplication(app.id)).toEqual(cleared);
    });

    it('updateApplication refuses a uid another application has, and answers null for an unknown id', async () => {
      await store().createApplication({ name: 'a', uid: 'taken' }, T0);
      const other = await store().createApplication({ name: 'b' }, T0);
      await expect(store().updateApplication(other.id, { uid: 'taken' }, T0 + 1)).rejects.toBeInstanceOf(
        DuplicateUidError,
      );
      expect((await store().getApplication(other.id))?.uid).toBeNull();
      expect(await store().updateApplication('app_unknown', { name: 'x' }, T0)).toBeNull();
    });

    it('endpoint headers are kept, replaced whole by a patch, and left alone by other patches', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { headers: { 'x-tenant': 'acme', 'x-region': 'eu' } });
      expect(endpoint.headers).toEqual({ 'x-tenant': 'acme', 'x-region': 'eu' });
      const described = await store().updateEndpoint(app.id, endpoint.id, { description: 'd' }, T0 + 1);
      expect(described?.headers).toEqual({ 'x-tenant': 'acme', 'x-region': 'eu' });
      const replaced = await store().updateEndpoint(app.id, endpoint.id, { headers: { 'x-tenant': 'other' } }, T0 + 2);
      expect(replaced?.headers).toEqual({ 'x-tenant': 'other' });
      expect((await store().getEndpoint(app.id, endpoint.id))?.headers).toEqual({ 'x-tenant': 'other' });
      const plain = await createEndpoint(store(), app.id);
      expect(plain.headers).toEqual({});
    });

    it('a claimed delivery carries its endpoint custom headers', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id, { headers: { authorization: 'Bearer abc' } });
      await store().publish(app.id, newMessage(), T0);
      const claimed = single(await claimAll(store(), T0));
      expect(claimed.endpoint.headers).toEqual({ authorization: 'Bearer abc' });
    });
  });
}
