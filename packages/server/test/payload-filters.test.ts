// Issue 14 §3, payload filters through the API on each store: kept, shown, patched and replaced; a bad filter is a
// 422 whose loc points at the bad part; a message (alone or in a batch) is delivered to a filtered endpoint only when
// its payload passes; the OpenAPI document describes the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { TestReceiver, waitFor } from './support/receiver.js';

interface EndpointOut {
  id: string;
  payloadFilter: Record<string, unknown> | null;
}

describe.each(await availableStores())('payload filters through the API (%s)', (kind) => {
  let hookline: StoreHookline;
  let receiver: TestReceiver;
  let appId: string;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    hookline = await startHooklineOn(kind);
    appId = (await hookline.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Filters' })).id;
  });
  afterAll(async () => {
    await hookline.stop();
    await receiver.stop();
  });

  const endpoints = () => `/api/v1/app/${appId}/endpoint`;

  it('keeps, shows, patches and replaces a filter; {} and null mean none', async () => {
    const filter = { 'data.amount': { $gte: 100 }, $or: [{ 'data.currency': 'EUR' }, { 'data.vip': true }] };
    const created = await hookline.api.ok<EndpointOut>('POST', endpoints(), {
      url: `${receiver.url}/kept`,
      payloadFilter: filter,
    });
    expect(created.payloadFilter).toEqual(filter);
    const path = `${endpoints()}/${created.id}`;
    expect((await hookline.api.ok<EndpointOut>('GET', path)).payloadFilter).toEqual(filter);
    expect((await hookline.api.ok<EndpointOut>('PATCH', path, { description: 'd' })).payloadFilter).toEqual(filter);
    expect((await hookline.api.ok<EndpointOut>('PATCH', path, { payloadFilter: { a: 1 } })).payloadFilter).toEqual({
      a: 1,
    });
    expect((await hookline.api.ok<EndpointOut>('PATCH', path, { payloadFilter: {} })).payloadFilter).toBeNull();
    await hookline.api.ok('PATCH', path, { payloadFilter: { a: 1 } });
    // PUT replaces the endpoint: a filter it leaves out is gone.
    expect((await hookline.api.ok<EndpointOut>('PUT', path, { url: `${receiver.url}/kept` })).payloadFilter).toBeNull();
  });

  it('refuses a bad filter with a 422 pointing at the bad part, on create and on update, changing nothing', async () => {
    const refused = await hookline.api.call<{ code: string; detail: Array<{ loc: unknown[]; msg: string }> }>(
      'POST',
      endpoints(),
      { url: `${receiver.url}/bad`, payloadFilter: { $or: [{ 'data.a': 1 }, { 'data.amount': { $gt: true } }] } },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation');
    expect(refused.body.detail[0]?.loc).toEqual(['body', 'payloadFilter', '$or', 1, 'data.amount', '$gt']);
    expect(refused.body.detail[0]?.msg).toMatch(/number or a string/);

    const created = await hookline.api.ok<EndpointOut>('POST', endpoints(), {
      url: `${receiver.url}/bad`,
      payloadFilter: { 'data.a': 1 },
    });
    for (const [payloadFilter, loc] of [
      [{ 'data.a': { $where: 'sleep(1000)' } }, ['data.a', '$where']],
      [{ 'data.a': { $regex: '(a+)+$' } }, ['data.a', '$regex']],
      [{ '__proto__.polluted': { $exists: true } }, ['__proto__.polluted']],
      [{ 'data.id': { $in: Array.from({ length: 10_000 }, (_, index) => index) } }, ['data.id', '$in']],
      [[1], null],
    ] as const) {
      const answer = await hookline.api.call<{ detail: Array<{ loc: unknown[] }> }>(
        'PATCH',
        `${endpoints()}/${created.id}`,
        { description: 'changed', payloadFilter },
      );
      expect(answer.status).toBe(422);
      if (loc !== null) expect(answer.body.detail[0]?.loc).toEqual(['body', 'payloadFilter', ...loc]);
    }
    const unchanged = await hookline.api.ok<EndpointOut & { description: string }>(
      'GET',
      `${endpoints()}/${created.id}`,
    );
    expect(unchanged).toMatchObject({ description: '', payloadFilter: { 'data.a': 1 } });
  });

  it('delivers to a filtered endpoint only the messages whose payload passes, published alone or in a batch', async () => {
    const app = (await hookline.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Fan-out' })).id;
    const everything = `/${kind}/everything`;
    const bigEur = `/${kind}/big-eur`;
    await hookline.api.ok('POST', `/api/v1/app/${app}/endpoint`, { url: `${receiver.url}${everything}` });
    const filtered = await hookline.api.ok<EndpointOut>('POST', `/api/v1/app/${app}/endpoint`, {
      url: `${receiver.url}${bigEur}`,
      payloadFilter: { 'data.amount': { $gt: 1000 }, 'data.currency': { $in: ['EUR'] } },
    });
    const payloads = [
      { data: { n: 1, amount: 5000, currency: 'EUR' } },
      { data: { n: 2, amount: 5000, currency: 'USD' } },
      { data: { n: 3, amount: 10, currency: 'EUR' } },
      { data: { n: 4 } },
    ];
    for (const payload of payloads.slice(0, 2)) {
      await hookline.api.ok('POST', `/api/v1/app/${app}/msg`, { eventType: 'invoice.paid', payload });
    }
    const batch = payloads.slice(2).map((payload) => ({ eventType: 'invoice.paid', payload }));
    batch.push({ eventType: 'invoice.paid', payload: { data: { n: 5, amount: 2000, currency: 'EUR' } } });
    await hookline.api.ok('POST', `/api/v1/app/${app}/msg/batch`, { messages: batch });

    const numbers = (path: string) =>
      receiver
        .on(path)
        .map((request) => (JSON.parse(request.body) as { data: { n: number } }).data.n)
        .sort();
    await waitFor(() => numbers(everything).length === 5 && numbers(bigEur).length === 2, 'the deliveries');
    expect(numbers(everything)).toEqual([1, 2, 3, 4, 5]);
    expect(numbers(bigEur)).toEqual([1, 5]);
    // Deliveries are made at publish: the filtered endpoint never had one for the others, not even a pending one.
    const stats = () =>
      hookline.api.ok<Record<string, number>>('GET', `/api/v1/app/${app}/endpoint/${filtered.id}/stats`);
    let last: Record<string, number> = {};
    await waitFor(async () => {
      last = await stats();
      return last.success === 2;
    }, 'both deliveries recorded');
    expect(last).toMatchObject({ success: 2, pending: 0, sending: 0, fail: 0 });
  });

  it('the OpenAPI document describes payloadFilter on EndpointIn, EndpointPatch and EndpointOut', async () => {
    const document = JSON.stringify(await hookline.api.ok('GET', '/api/v1/openapi.json'));
    const occurrences = document.split('"payloadFilter":{').length - 1;
    expect(occurrences).toBeGreaterThanOrEqual(3);
    expect(document).toContain('MongoDB query operators');
  });
});
