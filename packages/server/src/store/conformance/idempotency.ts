// Idempotency records: one caller acquires a key, others see it in progress or completed; scoped by caller, key
// and path; a released or expired record, or one whose lock ran out, can be acquired again; purge drops expired.
// An answer stored with its write (publish, publishMany) commits with it or not at all, and a live record for the
// key undoes the write.
import { describe, expect, it } from 'vitest';
import { DuplicateEventIdError, IdempotencyKeyTakenError } from '../errors.js';
import type { AnswerWithWrite, IdempotencyBegin, IdempotencyRecordInput } from '../idempotency.js';
import type { PublishedOrDuplicate } from '../store.js';
import type { Message } from '../types.js';
import { createApp, newMessage, type StoreFactory, T0, useStore } from './fixtures.js';

const DAY_MS = 86_400_000;
const LOCK_MS = 60_000;

function begin(overrides: Partial<IdempotencyBegin> = {}): IdempotencyBegin {
  const now = overrides.now ?? T0;
  return {
    callerId: 'key_a',
    key: 'idem-1',
    path: '/api/v1/app',
    requestSha256: 'a'.repeat(64),
    now,
    lockedUntil: now + LOCK_MS,
    expiresAt: now + DAY_MS,
    ...overrides,
  };
}

const scope = { callerId: 'key_a', key: 'idem-1', path: '/api/v1/app' };

const withWrite = (overrides: Partial<IdempotencyRecordInput> = {}): IdempotencyRecordInput => {
  const now = overrides.now ?? T0;
  return { ...scope, requestSha256: 'd'.repeat(64), now, expiresAt: now + DAY_MS, ...overrides };
};

/** The answer a publish route would store: made from the message, so it names the message's id. */
const answerOf = (record: IdempotencyRecordInput): AnswerWithWrite<Message> => ({
  record,
  answer: (message) => ({ statusCode: 202, body: JSON.stringify({ id: message.id }) }),
});

const batchAnswerOf = (record: IdempotencyRecordInput): AnswerWithWrite<PublishedOrDuplicate[]> => ({
  record,
  answer: (results) => ({
    statusCode: 200,
    body: JSON.stringify(results.map((result) => (result instanceof DuplicateEventIdError ? 409 : result.message.id))),
  }),
});

export function describeIdempotency(factory: StoreFactory): void {
  describe('idempotency records', () => {
    const store = useStore(factory);

    it('the first caller acquires; the next sees it in progress, then the stored answer once completed', async () => {
      expect(await store().beginIdempotent(begin())).toEqual({ state: 'acquired' });
      expect(await store().beginIdempotent(begin({ now: T0 + 1 }))).toEqual({
        state: 'in_progress',
        requestSha256: 'a'.repeat(64),
      });
      await store().completeIdempotent(scope, { statusCode: 201, body: '{"id":"app_1"}' });
      expect(await store().beginIdempotent(begin({ now: T0 + 2, requestSha256: 'b'.repeat(64) }))).toEqual({
        state: 'completed',
        requestSha256: 'a'.repeat(64),
        statusCode: 201,
        body: '{"id":"app_1"}',
      });
    });

    it('parallel begins with one key: exactly one acquires', async () => {
      const states = await Promise.all(Array.from({ length: 20 }, () => store().beginIdempotent(begin())));
      expect(states.filter((s) => s.state === 'acquired')).toHaveLength(1);
      expect(states.filter((s) => s.state === 'in_progress')).toHaveLength(19);
    });

    it('another caller, key or path is another record', async () => {
      expect((await store().beginIdempotent(begin())).state).toBe('acquired');
      expect((await store().beginIdempotent(begin({ callerId: 'key_b' }))).state).toBe('acquired');
      expect((await store().beginIdempotent(begin({ key: 'idem-2' }))).state).toBe('acquired');
      expect((await store().beginIdempotent(begin({ path: '/api/v1/app/app_1/msg' }))).state).toBe('acquired');
    });

    it('a released record can be acquired again; releasing a completed one keeps it', async () => {
      await store().beginIdempotent(begin());
      await store().releaseIdempotent(scope);
      expect((await store().beginIdempotent(begin({ now: T0 + 1 }))).state).toBe('acquired');
      await store().completeIdempotent(scope, { statusCode: 202, body: '' });
      await store().releaseIdempotent(scope);
      expect(await store().beginIdempotent(begin({ now: T0 + 2 }))).toMatchObject({
        state: 'completed',
        statusCode: 202,
        body: '',
      });
    });

    it('an in-progress record whose lock ran out is taken over by the next caller', async () => {
      await store().beginIdempotent(begin());
      expect((await store().beginIdempotent(begin({ now: T0 + LOCK_MS - 1 }))).state).toBe('in_progress');
      expect((await store().beginIdempotent(begin({ now: T0 + LOCK_MS, requestSha256: 'c'.repeat(64) }))).state).toBe(
        'acquired',
      );
      expect(await store().beginIdempotent(begin({ now: T0 + LOCK_MS + 1 }))).toEqual({
        state: 'in_progress',
        requestSha256: 'c'.repeat(64),
      });
    });

    it('an expired completed record counts for nothing and is purged', async () => {
      await store().beginIdempotent(begin());
      await store().completeIdempotent(scope, { statusCode: 201, body: '{}' });
      await store().beginIdempotent(begin({ key: 'idem-late', now: T0 + 10, expiresAt: T0 + 10 + DAY_MS }));
      expect(await store().purgeExpiredIdempotency(T0 + DAY_MS - 1)).toBe(0);
      expect(await store().purgeExpiredIdempotency(T0 + DAY_MS)).toBe(1);
      expect((await store().beginIdempotent(begin({ now: T0 + DAY_MS + 1 }))).state).toBe('acquired');
      // An expired record not purged yet is replaced too.
      expect(
        (await store().beginIdempotent(begin({ key: 'idem-late', now: T0 + 10 + DAY_MS, expiresAt: T0 + 3 * DAY_MS })))
          .state,
      ).toBe('acquired');
    });
  });

  describe('an answer stored with its write', () => {
    const store = useStore(factory);
    const messagesOf = async (appId: string) => (await store().listMessages(appId, { limit: 50 })).data;

    it('a publish stores its answer in its own transaction: replayed from then on, made from the message', async () => {
      const app = await createApp(store());
      expect(await store().lookupIdempotent(scope, T0)).toBeNull();
      const { message } = await store().publish(app.id, newMessage(), T0, answerOf(withWrite()));
      expect(await store().lookupIdempotent(scope, T0 + 1)).toEqual({
        state: 'completed',
        requestSha256: 'd'.repeat(64),
        statusCode: 202,
        body: JSON.stringify({ id: message.id }),
      });
      // The same record through the begin of routes that store their answer afterwards.
      expect(await store().beginIdempotent(begin({ now: T0 + 2 }))).toMatchObject({ state: 'completed' });
    });

    it('a live record for the key undoes the publish and rejects with that record', async () => {
      const app = await createApp(store());
      const first = await store().publish(app.id, newMessage({ payload: '{"n":1}' }), T0, answerOf(withWrite()));
      const second = store().publish(
        app.id,
        newMessage({ payload: '{"n":2}' }),
        T0 + 1,
        answerOf(withWrite({ now: T0 + 1, requestSha256: 'e'.repeat(64) })),
      );
      await expect(second).rejects.toBeInstanceOf(IdempotencyKeyTakenError);
      await expect(second).rejects.toMatchObject({
        record: { state: 'completed', requestSha256: 'd'.repeat(64), body: JSON.stringify({ id: first.message.id }) },
      });
      expect((await messagesOf(app.id)).map((message) => message.id)).toEqual([first.message.id]);
    });

    it('a record in progress with its lock not run out is live too; once run out, or expired, it is replaced', async () => {
      const app = await createApp(store());
      await store().beginIdempotent(begin());
      await expect(
        store().publish(app.id, newMessage(), T0 + 1, answerOf(withWrite({ now: T0 + 1 }))),
      ).rejects.toMatchObject({
        record: { state: 'in_progress', requestSha256: 'a'.repeat(64) },
      });
      expect(await messagesOf(app.id)).toHaveLength(0);
      const late = T0 + LOCK_MS;
      const { message } = await store().publish(app.id, newMessage(), late, answerOf(withWrite({ now: late })));
      expect(await store().lookupIdempotent(scope, late)).toMatchObject({ body: JSON.stringify({ id: message.id }) });
      const expired = late + DAY_MS;
      const again = await store().publish(app.id, newMessage(), expired, answerOf(withWrite({ now: expired })));
      expect(await store().lookupIdempotent(scope, expired)).toMatchObject({
        body: JSON.stringify({ id: again.message.id }),
      });
    });

    it('a refused publish (its eventId taken) stores no answer', async () => {
      const app = await createApp(store());
      await store().publish(app.id, newMessage({ eventId: 'evt_1' }), T0);
      await expect(
        store().publish(app.id, newMessage({ eventId: 'evt_1' }), T0, answerOf(withWrite())),
      ).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(await store().lookupIdempotent(scope, T0)).toBeNull();
    });

    it('a publish with the key and the eventId of one that committed first is given its record, not a conflict', async () => {
      const app = await createApp(store());
      const first = await store().publish(app.id, newMessage({ eventId: 'evt_k' }), T0, answerOf(withWrite()));
      const second = store().publish(
        app.id,
        newMessage({ eventId: 'evt_k' }),
        T0 + 1,
        answerOf(withWrite({ now: T0 + 1 })),
      );
      await expect(second).rejects.toBeInstanceOf(IdempotencyKeyTakenError);
      await expect(second).rejects.toMatchObject({ record: { body: JSON.stringify({ id: first.message.id }) } });
      // Without a key, or with another one, it is the eventId's conflict as before.
      await expect(
        store().publish(
          app.id,
          newMessage({ eventId: 'evt_k' }),
          T0 + 2,
          answerOf(withWrite({ key: 'other', now: T0 + 2 })),
        ),
      ).rejects.toBeInstanceOf(DuplicateEventIdError);
    });

    it('parallel publishes with one key and one eventId: exactly one message, every other one given its record', async () => {
      const app = await createApp(store());
      const settled = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          store().publish(app.id, newMessage({ eventId: 'evt_p' }), T0, answerOf(withWrite())),
        ),
      );
      expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of settled) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(IdempotencyKeyTakenError);
      }
      expect(await messagesOf(app.id)).toHaveLength(1);
    });

    it('parallel publishes with one key: exactly one message, and every other one is given its record', async () => {
      const app = await createApp(store());
      const settled = await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) =>
          store().publish(app.id, newMessage({ payload: `{"n":${n}}` }), T0, answerOf(withWrite())),
        ),
      );
      const published = settled.flatMap((outcome) =>
        outcome.status === 'fulfilled' ? [outcome.value.message.id] : [],
      );
      expect(published).toHaveLength(1);
      const stored = JSON.stringify({ id: published[0] });
      for (const outcome of settled) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(IdempotencyKeyTakenError);
          expect((outcome.reason as IdempotencyKeyTakenError).record).toMatchObject({
            state: 'completed',
            body: stored,
          });
        }
      }
      expect((await messagesOf(app.id)).map((message) => message.id)).toEqual(published);
    });

    it('publishMany stores its answer with the batch, even for no inputs, and a live record undoes the whole batch', async () => {
      const app = await createApp(store());
      await store().publishMany(app.id, [], T0, batchAnswerOf(withWrite({ key: 'empty' })));
      expect(await store().lookupIdempotent({ ...scope, key: 'empty' }, T0)).toMatchObject({
        statusCode: 200,
        body: '[]',
      });
      const results = await store().publishMany(
        app.id,
        [newMessage({ eventId: 'evt_1' }), newMessage({ eventId: 'evt_1' })],
        T0,
        batchAnswerOf(withWrite()),
      );
      const first = results[0];
      if (first === undefined || first instanceof DuplicateEventIdError) throw new Error('the first input was refused');
      expect(await store().lookupIdempotent(scope, T0)).toMatchObject({
        body: JSON.stringify([first.message.id, 409]),
      });
      await expect(
        store().publishMany(app.id, [newMessage(), newMessage()], T0 + 1, batchAnswerOf(withWrite({ now: T0 + 1 }))),
      ).rejects.toBeInstanceOf(IdempotencyKeyTakenError);
      expect((await messagesOf(app.id)).map((message) => message.id)).toEqual([first.message.id]);
    });
  });
}
