// Idempotency records: one caller acquires a key, others see it in progress or completed; scoped by caller, key
// and path; a released or expired record, or one whose lock ran out, can be acquired again; purge drops expired.
import { describe, expect, it } from 'vitest';
import type { IdempotencyBegin } from '../idempotency.js';
import { type StoreFactory, T0, useStore } from './fixtures.js';

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
}
