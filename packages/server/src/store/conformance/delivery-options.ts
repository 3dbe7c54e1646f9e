// An endpoint's delivery options (issue 14): signature scheme and payload format, kept, patched and handed to the
// engine with each claimed delivery, so it signs and formats without reading the endpoint again.
import { describe, expect, it } from 'vitest';
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

export function describeDeliveryOptions(factory: StoreFactory): void {
  describe('endpoint delivery options', () => {
    const store = useStore(factory);

    it('a new endpoint signs with Standard Webhooks over JSON unless told otherwise', async () => {
      const app = await createApp(store());
      const plain = await createEndpoint(store(), app.id);
      expect(plain).toMatchObject({ signatureScheme: 'standard-webhooks', payloadFormat: 'json' });
      const github = await createEndpoint(store(), app.id, { signatureScheme: 'github', payloadFormat: 'form' });
      expect(github).toMatchObject({ signatureScheme: 'github', payloadFormat: 'form' });
      expect(await store().getEndpoint(app.id, github.id)).toEqual(github);
    });

    it('a patch changes the scheme and format it names and leaves them alone otherwise', async () => {
      const app = await createApp(store());
      const endpoint = await createEndpoint(store(), app.id, { signatureScheme: 'hmac-sha256' });
      const described = await store().updateEndpoint(app.id, endpoint.id, { description: 'd' }, T0 + 1);
      expect(described).toMatchObject({ signatureScheme: 'hmac-sha256', payloadFormat: 'json' });
      const changed = await store().updateEndpoint(
        app.id,
        endpoint.id,
        { signatureScheme: 'github', payloadFormat: 'form' },
        T0 + 2,
      );
      expect(changed).toMatchObject({ signatureScheme: 'github', payloadFormat: 'form' });
      expect(await store().getEndpoint(app.id, endpoint.id)).toEqual(changed);
    });

    it('a claimed delivery carries its endpoint scheme and format', async () => {
      const app = await createApp(store());
      await createEndpoint(store(), app.id, { signatureScheme: 'github', payloadFormat: 'form' });
      await store().publish(app.id, newMessage(), T0);
      const claimed = single(await claimAll(store(), T0));
      expect(claimed.endpoint).toMatchObject({ signatureScheme: 'github', payloadFormat: 'form' });
    });
  });
}
