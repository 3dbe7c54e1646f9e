// Sources and their inbound requests: a source found by id or uid (the uid unique across applications), patched
// field by field, gone with its application; an accepted request kept with its body and headers, deduped by the
// provider's event id, listed until relayed; refusals kept with their reason and bounded per source; forwarding
// found only within the request's own application.
import { describe, expect, it } from 'vitest';
import { DuplicateUidError } from '../errors.js';
import type { NewInboundRequest, NewSource } from '../sources.js';
import { createApp, type StoreFactory, T0, useStore } from './fixtures.js';

const github: NewSource = {
  uid: 'github-main',
  name: 'GitHub',
  verification: { type: 'signature', scheme: 'github', secrets: ['It is a secret'] },
};

function inbound(sourceId: string, appId: string, eventId: string | null, body = '{"a":1}'): NewInboundRequest {
  return {
    sourceId,
    appId,
    method: 'POST',
    eventType: 'push',
    eventId,
    remoteAddress: '192.0.2.1',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    query: 'x=1',
    signatureMode: 'original',
  };
}

export function describeSources(factory: StoreFactory): void {
  describe('sources', () => {
    const store = useStore(factory);

    it('a source is found by id and uid, in its application only, and anywhere by findSource', async () => {
      const app = await createApp(store(), 'a');
      const other = await createApp(store(), 'b');
      const source = await store().createSource(app.id, github, T0);
      expect(source).toMatchObject({
        appId: app.id,
        uid: 'github-main',
        name: 'GitHub',
        verification: github.verification,
        identify: null,
        allowlist: null,
        rateLimit: null,
        response: { policy: 'honest' },
        signatureMode: 'original',
        disabled: false,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(source.id).toMatch(/^src_/);
      expect(await store().getSource(app.id, 'github-main')).toEqual(source);
      expect(await store().getSource(app.id, source.id)).toEqual(source);
      expect(await store().getSource(other.id, source.id)).toBeNull();
      expect(await store().findSource('github-main')).toEqual(source);
      expect(await store().findSource('nope')).toBeNull();
    });

    it('a uid is unique across applications', async () => {
      const app = await createApp(store(), 'a');
      const other = await createApp(store(), 'b');
      await store().createSource(app.id, github, T0);
      await expect(store().createSource(other.id, github, T0)).rejects.toBeInstanceOf(DuplicateUidError);
    });

    it('a patch changes only its fields; list and delete are per application; the application takes them along', async () => {
      const app = await createApp(store(), 'a');
      const other = await createApp(store(), 'b');
      const source = await store().createSource(app.id, github, T0);
      const second = await store().createSource(other.id, { ...github, uid: null, name: 'B' }, T0 + 1);
      const patched = await store().updateSource(
        app.id,
        source.id,
        { allowlist: ['192.0.2.0/24'], rateLimit: 2.5, response: { policy: 'acknowledge', body: 'success' } },
        T0 + 5,
      );
      expect(patched).toMatchObject({
        name: 'GitHub',
        verification: github.verification,
        allowlist: ['192.0.2.0/24'],
        rateLimit: 2.5,
        response: { policy: 'acknowledge', body: 'success' },
        updatedAt: T0 + 5,
        createdAt: T0,
      });
      expect(await store().updateSource(other.id, source.id, { name: 'x' }, T0)).toBeNull();
      expect((await store().listSources(app.id, { limit: 10 })).data.map((s) => s.id)).toEqual([source.id]);
      expect((await store().listSources(null, { limit: 10 })).data.map((s) => s.id)).toEqual([second.id, source.id]);
      expect(await store().deleteSource(other.id, source.id)).toBe(false);
      expect(await store().deleteSource(other.id, second.id)).toBe(true);
      await store().deleteApplication(app.id);
      expect(await store().findSource(source.id)).toBeNull();
    });

    it('an accepted request is kept whole, deduped by event id, and listed until relayed', async () => {
      const app = await createApp(store(), 'a');
      const source = await store().createSource(app.id, github, T0);
      const first = await store().acceptInbound(inbound(source.id, app.id, 'delivery-1'), T0 + 1);
      expect(first.duplicate).toBe(false);
      expect(await store().acceptInbound(inbound(source.id, app.id, 'delivery-1'), T0 + 2)).toEqual({
        id: first.id,
        duplicate: true,
      });
      const noId = await store().acceptInbound(inbound(source.id, app.id, null, 'a=1&b=%20'), T0 + 3);
      const again = await store().acceptInbound(inbound(source.id, app.id, null, 'a=1&b=%20'), T0 + 4);
      expect([noId.duplicate, again.duplicate]).toEqual([false, false]);
      const unrelayed = await store().listUnrelayedInbound(10);
      expect(unrelayed.map((r) => r.id)).toEqual([first.id, noId.id, again.id]);
      expect(unrelayed[0]).toMatchObject({
        sourceId: source.id,
        appId: app.id,
        outcome: 'accepted',
        eventType: 'push',
        eventId: 'delivery-1',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
        query: 'x=1',
        messageId: null,
        createdAt: T0 + 1,
      });
      await store().markInboundRelayed(first.id, 'msg_x');
      expect((await store().listUnrelayedInbound(10)).map((r) => r.id)).toEqual([noId.id, again.id]);
      const log = await store().listInboundRequests(app.id, source.id, { limit: 2 });
      expect(log.data.map((r) => r.id)).toEqual([again.id, noId.id]);
      expect(log.done).toBe(false);
      const rest = await store().listInboundRequests(app.id, source.id, { limit: 2, iterator: log.iterator });
      expect(rest.data).toEqual([expect.objectContaining({ id: first.id, messageId: 'msg_x' })]);
      expect(rest.data[0]).not.toHaveProperty('body');
    });

    it('forwarding is found only within the application of the request', async () => {
      const app = await createApp(store(), 'a');
      const other = await createApp(store(), 'b');
      const source = await store().createSource(app.id, github, T0);
      const { id } = await store().acceptInbound(inbound(source.id, app.id, 'd'), T0);
      expect(await store().inboundForwarding(app.id, id)).toEqual({
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
        signatureMode: 'original',
      });
      expect(await store().inboundForwarding(other.id, id)).toBeNull();
    });

    it('refusals keep their reason, no body, and only the newest of a source', async () => {
      const app = await createApp(store(), 'a');
      const source = await store().createSource(app.id, github, T0);
      const accepted = await store().acceptInbound(inbound(source.id, app.id, 'd'), T0);
      const keep = 5;
      for (let i = 0; i < keep + 3; i++) {
        await store().recordInboundRefusal(
          {
            sourceId: source.id,
            appId: app.id,
            outcome: 'rejected',
            reason: `HOOKLINE_SIGNATURE_MISMATCH: ${i}`,
            method: 'POST',
            eventType: null,
            eventId: null,
            remoteAddress: '192.0.2.9',
          },
          T0 + 1 + i,
          keep,
        );
      }
      const all = [];
      let iterator: string | null = null;
      for (;;) {
        const page = await store().listInboundRequests(app.id, source.id, { limit: 3, iterator });
        all.push(...page.data);
        if (page.done) break;
        iterator = page.iterator;
      }
      expect(all).toHaveLength(keep + 1);
      expect(all[0]?.reason).toBe('HOOKLINE_SIGNATURE_MISMATCH: 7');
      expect(all.at(-2)?.reason).toBe('HOOKLINE_SIGNATURE_MISMATCH: 3');
      expect(all.at(-1)?.id).toBe(accepted.id);
      expect((await store().listUnrelayedInbound(10)).map((r) => r.id)).toEqual([accepted.id]);
    });
  });
}
