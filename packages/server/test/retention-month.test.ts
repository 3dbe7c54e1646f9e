// Issue 14 section 2's test: a simulated month of traffic with an injected clock, the pruner running every six hours
// of it, on each store. Row counts stay bounded by the retention settings, and the SQLite file levels off (pages
// freed by the deletes are reused by later inserts: page_count stops growing, no VACUUM). Things that must outlive
// the limits do: a held ordered key's dead head, a message scheduled far ahead.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RetentionConfig } from '../src/config.js';
import { Pruner } from '../src/retention/pruner.js';
import { claimAll, failed, succeeded } from '../src/store/conformance/fixtures.js';
import { type OpenedStore, storeKinds } from './support/stores.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DAYS = 30;
const PER_HOUR = 12;
const RETENTION: RetentionConfig = {
  payloadDays: 2,
  historyDays: 7,
  batchSize: 100,
  batchPauseMs: 0,
  intervalMs: 6 * HOUR_MS,
};
/** About 1.5 kB per payload, so the file's size is mostly what retention prunes. */
const PAYLOAD = JSON.stringify({
  invoice: 'in_1',
  lines: Array.from({ length: 30 }, (_, i) => `line ${i} `.repeat(4)),
});

/**
 * The simulated clock starts after the real one, and each run after the previous: ids carry their time and never go
 * back within a process (ids.ts), so the walk by id sees each message at its own simulated time.
 */
let nextStart = Date.now() + DAY_MS;

async function count(opened: OpenedStore, sql: string): Promise<number> {
  const [row] = await opened.sql(sql);
  return Number(Object.values(row ?? {})[0]);
}

interface Day {
  day: number;
  messages: number;
  withPayload: number;
  deliveries: number;
  attempts: number;
  pages: number | null;
}

const kinds = await storeKinds();

describe.each(kinds.map((kind) => [kind.name, kind] as const))('a month of traffic on %s', (_name, kind) => {
  it('keeps row counts and the SQLite file bounded; held keys and scheduled messages outlive the limits', async () => {
    const opened = await kind.open();
    const { store } = opened;
    const start = nextStart;
    let now = start;
    const pruner = new Pruner({ store, now: () => now, logger: pino({ level: 'silent' }), retention: RETENTION });
    try {
      const app = await store.createApplication({ name: 'acme' }, now);
      await store.createEndpoint(
        app.id,
        { url: 'https://receiver.example.com/a', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        now,
      );
      const ordered = await store.createEndpoint(
        app.id,
        {
          url: 'https://receiver.example.com/ordered',
          secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          ordering: 'fifo',
          orderingOnDead: 'hold',
          eventTypes: ['order.held'],
        },
        now,
      );
      // Day 0: a key held by its dead head (with one waiting behind it), and a message scheduled after the month.
      const held = (await store.publish(app.id, { eventType: 'order.held', payload: '{"n":1}', orderingKey: 'k' }, now))
        .message;
      await store.publish(app.id, { eventType: 'order.held', payload: '{"n":2}', orderingKey: 'k' }, now);
      const scheduled = (
        await store.publish(
          app.id,
          { eventType: 'invoice.paid', payload: '{"later":true}', deliverAt: start + (DAYS + 5) * DAY_MS },
          now,
        )
      ).message;
      await store.recordAttempts((await claimAll(store, now)).map((item) => failed(item, now + 1, { status: 'dead' })));
      expect(await store.listHeldKeys(app.id, ordered.id, 10)).toHaveLength(1);

      const days: Day[] = [];
      for (let hour = 1; hour <= DAYS * 24; hour++) {
        now = start + hour * HOUR_MS;
        const inputs = Array.from({ length: PER_HOUR }, () => ({ eventType: 'invoice.paid', payload: PAYLOAD }));
        await store.publishMany(app.id, inputs, now);
        const claimed = await claimAll(store, now);
        // One in ten fails for good: dead deliveries are history too, kept until the history limit.
        await store.recordAttempts(
          claimed.map((item, i) =>
            i % 10 === 0 ? failed(item, now + 1, { status: 'dead' }) : succeeded(item, now + 1),
          ),
        );
        if (hour % 6 === 0) await pruner.runPass(now + 2);
        if (hour % 24 === 0) {
          days.push({
            day: hour / 24,
            messages: await count(opened, 'SELECT COUNT(*) FROM messages'),
            withPayload: await count(opened, 'SELECT COUNT(*) FROM messages WHERE payload_pruned_at IS NULL'),
            deliveries: await count(opened, 'SELECT COUNT(*) FROM deliveries'),
            attempts: await count(opened, 'SELECT COUNT(*) FROM attempts'),
            pages: kind.name === 'sqlite' ? await count(opened, 'PRAGMA page_count') : null,
          });
        }
      }

      const perDay = PER_HOUR * 24;
      // The history limit plus one pass interval of slack, plus the day-0 rows kept on purpose (three messages, five
      // deliveries, three attempts).
      const maxMessages = (RETENTION.historyDays + 0.25) * perDay + 5;
      const maxWithPayload = (RETENTION.payloadDays + 0.25) * perDay + 5;
      for (const day of days.filter((d) => d.day > RETENTION.historyDays)) {
        expect(day.messages, `messages on day ${day.day}`).toBeLessThanOrEqual(maxMessages);
        expect(day.withPayload, `payloads on day ${day.day}`).toBeLessThanOrEqual(maxWithPayload);
        // One delivery per message (at most one attempt each), the day-0 ones within the slack.
        expect(day.deliveries, `deliveries on day ${day.day}`).toBeLessThanOrEqual(maxMessages);
        expect(day.attempts, `attempts on day ${day.day}`).toBeLessThanOrEqual(maxMessages);
      }
      const last = days.at(-1) as Day;
      expect(last.messages).toBeGreaterThanOrEqual(RETENTION.historyDays * perDay);
      expect(last.withPayload).toBeGreaterThanOrEqual(RETENTION.payloadDays * perDay);

      if (kind.name === 'sqlite') {
        // Past the history limit the file stops growing: what a day adds fits in the pages a day's prune frees.
        const settled = days.find((d) => d.day === RETENTION.historyDays + 2) as Day;
        const largest = Math.max(...days.filter((d) => d.day >= settled.day).map((d) => d.pages as number));
        expect(largest, JSON.stringify(days.map((d) => [d.day, d.pages]))).toBeLessThanOrEqual(
          (settled.pages as number) * 1.15,
        );
      }

      // Kept on purpose: the held key's head and the one waiting behind it, whole; the scheduled message, whole.
      expect(await store.listHeldKeys(app.id, ordered.id, 10)).toMatchObject([{ messageId: held.id, waiting: 1 }]);
      expect(await store.getMessage(app.id, held.id)).toMatchObject({ payload: '{"n":1}', payloadPrunedAt: null });
      expect(await store.getMessage(app.id, scheduled.id)).toMatchObject({
        payload: '{"later":true}',
        payloadPrunedAt: null,
      });
    } finally {
      nextStart = now + DAY_MS;
      await pruner.stop();
      await opened.close();
    }
  }, 600_000);
});
