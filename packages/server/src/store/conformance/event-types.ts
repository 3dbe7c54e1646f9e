// Event types: created, read, listed by name with archived ones hidden, patched, archived, expunged.
import { describe, expect, it } from 'vitest';
import { DuplicateNameError } from '../errors.js';
import { allPages, type StoreFactory, T0, useStore } from './fixtures.js';

const SCHEMAS = { '1': { type: 'object', required: ['invoice'], properties: { invoice: { type: 'string' } } } };

export function describeEventTypes(factory: StoreFactory): void {
  describe('event types', () => {
    const store = useStore(factory);

    it('reads back an event type as created, schemas included', async () => {
      const created = await store().createEventType(
        { name: 'invoice.paid', description: 'paid', schemas: SCHEMAS, featureFlag: 'beta', groupName: 'billing' },
        T0,
      );
      expect(created).toEqual({
        name: 'invoice.paid',
        description: 'paid',
        schemas: SCHEMAS,
        archived: false,
        deprecated: false,
        featureFlag: 'beta',
        groupName: 'billing',
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store().getEventType('invoice.paid')).toEqual(created);
      expect(await store().getEventType('invoice.unknown')).toBeNull();
    });

    it('refuses a second event type with the same name, archived or not', async () => {
      await store().createEventType({ name: 'invoice.paid' }, T0);
      await expect(store().createEventType({ name: 'invoice.paid' }, T0)).rejects.toBeInstanceOf(DuplicateNameError);
      await store().deleteEventType('invoice.paid', { expunge: false }, T0);
      await expect(store().createEventType({ name: 'invoice.paid' }, T0)).rejects.toBeInstanceOf(DuplicateNameError);
    });

    it('lists by name ascending through the iterator, archived ones only on request', async () => {
      for (const name of ['c.three', 'a.one', 'e.five', 'b.two', 'd.four']) {
        await store().createEventType({ name }, T0);
      }
      await store().deleteEventType('b.two', { expunge: false }, T0 + 1);
      const visible = await allPages((iterator) => store().listEventTypes({ limit: 2, iterator }));
      expect(visible.map((type) => type.name)).toEqual(['a.one', 'c.three', 'd.four', 'e.five']);
      const all = await allPages((iterator) => store().listEventTypes({ limit: 2, iterator, includeArchived: true }));
      expect(all.map((type) => type.name)).toEqual(['a.one', 'b.two', 'c.three', 'd.four', 'e.five']);
      expect(all.find((type) => type.name === 'b.two')?.archived).toBe(true);
    });

    it('pages backward by name from an iterator, done at the start', async () => {
      for (const name of ['a.one', 'b.two', 'c.three', 'd.four', 'e.five']) await store().createEventType({ name }, T0);
      const before = await store().listEventTypes({ limit: 2, iterator: 'd.four', backward: true });
      expect(before.data.map((type) => type.name)).toEqual(['b.two', 'c.three']);
      expect(before).toMatchObject({ iterator: 'b.two', done: false });
      const first = await store().listEventTypes({ limit: 2, iterator: 'b.two', backward: true });
      expect(first.data.map((type) => type.name)).toEqual(['a.one']);
      expect(first.done).toBe(true);
    });

    it('patches only the given fields; null clears the schemas', async () => {
      await store().createEventType({ name: 'invoice.paid', description: 'paid', schemas: SCHEMAS }, T0);
      const described = await store().updateEventType('invoice.paid', { description: 'settled' }, T0 + 5);
      expect(described).toMatchObject({ description: 'settled', schemas: SCHEMAS, updatedAt: T0 + 5, createdAt: T0 });
      const cleared = await store().updateEventType('invoice.paid', { schemas: null, deprecated: true }, T0 + 6);
      expect(cleared).toMatchObject({ description: 'settled', schemas: null, deprecated: true });
      expect(await store().getEventType('invoice.paid')).toEqual(cleared);
      expect(await store().updateEventType('invoice.unknown', { description: 'x' }, T0)).toBeNull();
    });

    it('delete archives; expunge removes; both say false for an unknown name', async () => {
      await store().createEventType({ name: 'invoice.paid' }, T0);
      expect(await store().deleteEventType('invoice.paid', { expunge: false }, T0 + 1)).toBe(true);
      expect(await store().getEventType('invoice.paid')).toMatchObject({ archived: true, updatedAt: T0 + 1 });
      const restored = await store().updateEventType('invoice.paid', { archived: false }, T0 + 2);
      expect(restored?.archived).toBe(false);
      expect(await store().deleteEventType('invoice.paid', { expunge: true }, T0 + 3)).toBe(true);
      expect(await store().getEventType('invoice.paid')).toBeNull();
      expect(await store().deleteEventType('invoice.paid', { expunge: true }, T0 + 4)).toBe(false);
      expect(await store().deleteEventType('invoice.paid', { expunge: false }, T0 + 4)).toBe(false);
    });
  });
}
