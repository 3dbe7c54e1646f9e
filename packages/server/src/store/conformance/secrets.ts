// Secrets and rotation: during a rotation's grace both secrets sign, so receivers can switch without a gap.
import { describe, expect, it } from 'vitest';
import { createApp, createEndpoint, SECRET, type StoreFactory, T0, useStore } from './fixtures.js';

const GRACE_MS = 24 * 3_600_000;

export function describeSecrets(factory: StoreFactory): void {
  describe('secrets', () => {
    const store = useStore(factory);

    async function endpoint() {
      const app = await createApp(store());
      return createEndpoint(store(), app.id, { secret: SECRET });
    }

    it('a new endpoint signs with its one current secret', async () => {
      const { id } = await endpoint();
      expect(await store().activeSecrets(id, T0)).toEqual([{ secret: SECRET, expiresAt: null }]);
    });

    it('rotateSecret keeps the old secret signing until now + grace, then only the new one', async () => {
      const { id } = await endpoint();
      await store().rotateSecret(id, 'whsec_second', GRACE_MS, T0 + 1000);

      const during = [
        { secret: 'whsec_second', expiresAt: null },
        { secret: SECRET, expiresAt: T0 + 1000 + GRACE_MS },
      ];
      expect(await store().activeSecrets(id, T0 + 1000)).toEqual(during);
      expect(await store().activeSecrets(id, T0 + 1000 + GRACE_MS - 1)).toEqual(during);
      expect(await store().activeSecrets(id, T0 + 1000 + GRACE_MS)).toEqual([
        { secret: 'whsec_second', expiresAt: null },
      ]);
    });

    it('rotateSecret with no grace retires the old secret at once', async () => {
      const { id } = await endpoint();
      await store().rotateSecret(id, 'whsec_second', 0, T0 + 1000);
      expect(await store().activeSecrets(id, T0 + 1000)).toEqual([{ secret: 'whsec_second', expiresAt: null }]);
    });

    it('activeSecrets lists the newest secret first through several rotations', async () => {
      const { id } = await endpoint();
      await store().rotateSecret(id, 'whsec_second', GRACE_MS, T0 + 1000);
      await store().rotateSecret(id, 'whsec_third', GRACE_MS, T0 + 2000);

      expect(await store().activeSecrets(id, T0 + 2000)).toEqual([
        { secret: 'whsec_third', expiresAt: null },
        { secret: 'whsec_second', expiresAt: T0 + 2000 + GRACE_MS },
        { secret: SECRET, expiresAt: T0 + 1000 + GRACE_MS },
      ]);
      expect((await store().activeSecrets(id, T0 + 1000 + GRACE_MS)).map((s) => s.secret)).toEqual([
        'whsec_third',
        'whsec_second',
      ]);
    });

    it('a rotation within one millisecond of the last still orders the secrets newest first', async () => {
      const { id } = await endpoint();
      await store().rotateSecret(id, 'whsec_second', GRACE_MS, T0);
      await store().rotateSecret(id, 'whsec_third', GRACE_MS, T0);
      expect((await store().activeSecrets(id, T0)).map((s) => s.secret)).toEqual([
        'whsec_third',
        'whsec_second',
        SECRET,
      ]);
    });

    it('rotating one endpoint secret leaves the other endpoints alone', async () => {
      const app = await createApp(store());
      const rotated = await createEndpoint(store(), app.id, { secret: SECRET });
      const untouched = await createEndpoint(store(), app.id, { secret: 'whsec_untouched' });
      await store().rotateSecret(rotated.id, 'whsec_second', 0, T0 + 1);
      expect(await store().activeSecrets(untouched.id, T0 + 1)).toEqual([
        { secret: 'whsec_untouched', expiresAt: null },
      ]);
    });

    it('rotation keeps at most 16 secrets: past that the oldest rotated-out ones go at once, oldest first', async () => {
      const { id } = await endpoint();
      for (let i = 1; i <= 20; i++) await store().rotateSecret(id, `whsec_rotated${i}`, GRACE_MS, T0 + i);
      const active = await store().activeSecrets(id, T0 + 20);
      expect(active.map((s) => s.secret)).toEqual(Array.from({ length: 16 }, (_unused, i) => `whsec_rotated${20 - i}`));
      expect(active[0]).toEqual({ secret: 'whsec_rotated20', expiresAt: null });
    });
  });
}
