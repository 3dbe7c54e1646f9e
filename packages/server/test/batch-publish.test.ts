// POST /api/v1/app/{app}/msg/batch on each store: every message gets the answer it would have got alone (the same
// status and code as POST …/msg), in order; the accepted ones are written together and delivered; an
// Idempotency-Key replays the whole answer; the batch's own limits refuse the whole request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { ADMIN_TOKEN } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

interface BatchItem {
  status: number;
  message?: { id: string; eventId: string | null; payload: unknown };
  code?: string;
  detail?: unknown;
}

describe.each(await availableStores())('batch publish (%s)', (kind) => {
  let hookline: StoreHookline;
  let receiver: TestReceiver;
  let appId: string;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    hookline = await startHooklineOn(kind);
    appId = (await hookline.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Batch' })).id;
    await hookline.api.ok('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.url}/hook` });
    await hookline.api.ok('POST', '/api/v1/event-type', {
      name: 'order.placed',
      description: 'an order',
      schemas: { '1': { type: 'object', required: ['order'], properties: { order: { type: 'string' } } } },
    });
  });
  afterAll(async () => {
    await hookline.stop();
    await receiver.stop();
  });

  const batch = (messages: unknown, path = `/api/v1/app/${appId}/msg/batch`) =>
    hookline.api.call<{ data: BatchItem[] }>('POST', path, { messages });

  it('answers each message as POST …/msg answers it alone, in order, and delivers the accepted ones', async () => {
    await hookline.api.ok('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'invoice.paid',
      eventId: 'evt_taken',
      payload: {},
    });
    const messages = [
      { eventType: 'invoice.paid', eventId: 'evt_b1', payload: { n: 1 } },
      { payload: { n: 2 } },
      { eventType: 'order.placed', payload: { n: 3 } },
      { eventType: 'invoice.paid', eventId: 'evt_taken', payload: { n: 4 } },
      { eventType: 'invoice.paid', payload: { n: 5 }, deliverAt: '2999-01-01T00:00:00Z' },
      { eventType: 'order.placed', eventId: 'evt_b6', payload: { order: 'o_6' }, channels: ['eu'] },
      { eventType: 'invoice.paid', eventId: 'evt_b1', payload: { n: 7 } },
    ];
    const answer = await batch(messages);
    expect(answer.status).toBe(200);
    const items = answer.body.data;
    expect(items.map((item) => item.status)).toEqual([202, 422, 422, 409, 422, 202, 409]);
    expect(items[0]?.message).toMatchObject({ eventId: 'evt_b1', payload: { n: 1 } });
    expect(items[5]?.message).toMatchObject({ eventId: 'evt_b6', payload: { order: 'o_6' } });
    // Where a refused message's problem is: inside the batch, then as the single publish says it.
    expect(items[1]?.detail).toEqual([expect.objectContaining({ loc: ['body', 'messages', 1, 'eventType'] })]);

    // Every refused one gets the status and code the single publish gives the same input (the first evt_b1 has
    // landed, so the last message is a duplicate alone too).
    for (const [index, item] of items.entries()) {
      if (item.status === 202) continue;
      const alone = await hookline.api.call<{ code: string }>('POST', `/api/v1/app/${appId}/msg`, messages[index]);
      expect({ index, status: alone.status, code: alone.body.code }).toEqual({
        index,
        status: item.status,
        code: item.code,
      });
    }

    await waitFor(() => receiver.on('/hook').length >= 3, 'the deliveries');
    const delivered = receiver.on('/hook').map((request) => JSON.parse(request.body) as unknown);
    expect(delivered).toEqual(expect.arrayContaining([{ n: 1 }, { order: 'o_6' }]));
    const listed = await hookline.api.ok<{ data: Array<{ eventId: string | null }> }>(
      'GET',
      `/api/v1/app/${appId}/msg?limit=50`,
    );
    expect(listed.data.filter((message) => message.eventId === 'evt_b1')).toHaveLength(1);
  });

  it('replays the whole answer for the same Idempotency-Key and publishes nothing twice', async () => {
    const body = JSON.stringify({
      messages: [
        { eventType: 'invoice.paid', eventId: 'evt_k1', payload: { k: 1 } },
        { eventType: 'invoice.paid', payload: { k: 2 } },
      ],
    });
    const send = () =>
      fetch(`${hookline.server.url}/api/v1/app/${appId}/msg/batch`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': 'b-1',
        },
        body,
      });
    const first = await send();
    const firstText = await first.text();
    const second = await send();
    expect(second.status).toBe(first.status);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(firstText);
    const listed = await hookline.api.ok<{ data: Array<{ payload: { k?: number } }> }>(
      'GET',
      `/api/v1/app/${appId}/msg?limit=100`,
    );
    expect(listed.data.filter((message) => message.payload.k === 2)).toHaveLength(1);
  });

  it('parallel identical batches with one Idempotency-Key publish once, and all get one answer', async () => {
    const body = JSON.stringify({ messages: [{ eventType: 'invoice.paid', payload: { k: 'parallel' } }] });
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const response = await fetch(`${hookline.server.url}/api/v1/app/${appId}/msg/batch`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            'content-type': 'application/json',
            'idempotency-key': 'b-parallel',
          },
          body,
        });
        return `${response.status} ${await response.text()}`;
      }),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^200 /);
    const listed = await hookline.api.ok<{ data: Array<{ payload: { k?: string } }> }>(
      'GET',
      `/api/v1/app/${appId}/msg?limit=100`,
    );
    expect(listed.data.filter((message) => message.payload.k === 'parallel')).toHaveLength(1);
  });

  it('a batch whose every message is refused is answered 200 and replayed as it was', async () => {
    const send = (eventType: string) =>
      fetch(`${hookline.server.url}/api/v1/app/${appId}/msg/batch`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'idempotency-key': 'b-none',
        },
        body: JSON.stringify({ messages: [{ eventType, payload: 'not an object' }] }),
      });
    const first = await send('invoice.paid');
    const firstText = await first.text();
    expect(first.status).toBe(200);
    expect(JSON.parse(firstText)).toMatchObject({ data: [{ status: 422 }] });
    const again = await send('invoice.paid');
    expect([again.status, again.headers.get('idempotent-replayed'), await again.text()]).toEqual([
      200,
      'true',
      firstText,
    ]);
  });

  it('refuses the whole request for an unknown application, no messages, or more than 1,000', async () => {
    const one = [{ eventType: 'invoice.paid', payload: {} }];
    expect((await batch(one, '/api/v1/app/app_nope/msg/batch')).status).toBe(404);
    expect((await batch([])).status).toBe(422);
    expect((await batch('not a list')).status).toBe(422);
    const tooMany = await batch(Array.from({ length: 1001 }, () => one[0]));
    expect(tooMany.status).toBe(422);
  });

  it('takes 1,000 messages of ~1 KiB in one request', async () => {
    const payload = { text: 'x'.repeat(1000) };
    const answer = await batch(
      Array.from({ length: 1000 }, (_, i) => ({ eventType: 'bulk.one', eventId: `bulk_${i}`, payload })),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data.every((item) => item.status === 202)).toBe(true);
    expect(answer.body.data.map((item) => item.message?.eventId)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `bulk_${i}`),
    );
  });
});
