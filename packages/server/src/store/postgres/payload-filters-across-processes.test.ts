// What only PostgreSQL's payload filters must promise: a process evaluates filters it has read and kept, and a
// filter changed, added or re-enabled by another process holds from that process's next publish on (the publish
// statement refuses to run on filters it was not given, postgres/messages.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { dropSchema, randomSchemaName } from '../../../test/support/postgres-schema.js';
import { newMessage, SECRET, T0 } from '../conformance/fixtures.js';
import { PostgresStore } from './postgres-store.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;
const EUR = '{"data":{"currency":"EUR","amount":10}}';

describe.skipIf(!available)('payload filters across PostgreSQL processes', () => {
  let schema = '';
  const stores: PostgresStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    if (schema !== '') await dropSchema(url, schema);
    schema = '';
  });

  it('a filter changed, added or re-enabled by one process holds for the next publish of another', async () => {
    schema = randomSchemaName();
    const [a, b] = [new PostgresStore({ url, schema, max: 2 }), new PostgresStore({ url, schema, max: 2 })];
    stores.push(a, b);
    await a.migrate();
    const app = await a.createApplication({ name: 'acme' }, T0);
    const hook = { url: 'https://receiver.example.com/hook', secret: SECRET };
    const usd = await a.createEndpoint(app.id, { ...hook, payloadFilter: { 'data.currency': 'USD' } }, T0);
    const publishEur = async (store: PostgresStore) =>
      (await store.publish(app.id, newMessage({ payload: EUR }), T0)).deliveries;

    // A reads the filter and keeps it; B changes it: A's next publish must use B's filter, not its copy.
    expect(await publishEur(a)).toBe(0);
    await b.updateEndpoint(app.id, usd.id, { payloadFilter: { 'data.currency': 'EUR' } }, T0 + 1);
    expect(await publishEur(a)).toBe(1);
    await b.updateEndpoint(app.id, usd.id, { payloadFilter: { 'data.currency': 'GBP' } }, T0 + 2);
    expect(await publishEur(a)).toBe(0);

    // B adds a filtered endpoint A has never seen, disables and re-enables it.
    const small = await b.createEndpoint(app.id, { ...hook, payloadFilter: { 'data.amount': { $lt: 100 } } }, T0 + 3);
    expect(await publishEur(a)).toBe(1);
    await b.updateEndpoint(app.id, small.id, { disabled: true }, T0 + 4);
    expect(await publishEur(a)).toBe(0);
    await b.updateEndpoint(app.id, small.id, { disabled: false, payloadFilter: { 'data.amount': 10 } }, T0 + 5);
    expect(await publishEur(a)).toBe(1);

    // The same holds inside publishMany's one transaction.
    const batch = await a.publishMany(app.id, [newMessage({ payload: EUR }), newMessage({ payload: EUR })], T0 + 6);
    expect(batch.map((result) => ('deliveries' in result ? result.deliveries : -1))).toEqual([1, 1]);
    await b.updateEndpoint(app.id, usd.id, { payloadFilter: null }, T0 + 7);
    const after = await a.publishMany(app.id, [newMessage({ payload: EUR })], T0 + 8);
    expect(after.map((result) => ('deliveries' in result ? result.deliveries : -1))).toEqual([2]);
  });
});
