// A request looks its application up, a request beside it deletes the application, then the first one writes a row
// that refers to it: the database refuses with a foreign key violation. The API fuzz on PostgreSQL met it as a 500
// (an application-portal key for an application deleted meanwhile). It answers 404, as the request would have a
// moment later. The writes are made here with the application already gone, so the refusal is certain, not a race.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../test/support/services.js';
import { installErrorHandlers } from '../src/api/errors.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { availableStores } from './support/each-store.js';
import { storeInFreshSchema } from './support/postgres-schema.js';

async function openStore(kind: 'sqlite' | 'postgres'): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const store = new SqliteStore({ path: ':memory:' });
    await store.migrate();
    return { store, cleanup: () => store.close() };
  }
  const fresh = storeInFreshSchema(SERVICES.postgres.url);
  await fresh.store.migrate();
  return fresh;
}

describe.each(await availableStores())('a write that refers to a row deleted meanwhile (%s)', (kind) => {
  let opened: { store: Store; cleanup(): Promise<void> };
  let app: FastifyInstance;
  let goneAppId: string;

  beforeAll(async () => {
    opened = await openStore(kind);
    const { store } = opened;
    goneAppId = (await store.createApplication({ name: 'soon gone' }, Date.now())).id;
    await store.deleteApplication(goneAppId);
    app = Fastify();
    installErrorHandlers(app);
    app.post('/key', async () =>
      store.createApiKey(
        { name: 'portal', appId: goneAppId, keySha256: 'a'.repeat(64), prefix: 'hl_sk_abcd', last4: 'wxyz' },
        Date.now(),
      ),
    );
    const secret = `whsec_${'A'.repeat(32)}`;
    app.post('/endpoint', async () =>
      store.createEndpoint(goneAppId, { url: 'http://127.0.0.1:9/x', secret }, Date.now()),
    );
  });

  afterAll(async () => {
    await app?.close();
    await opened?.cleanup();
  });

  it.each(['/key', '/endpoint'])('POST %s answers 404 not_found, not 500', async (url) => {
    const response = await app.inject({ method: 'POST', url });
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 404,
      body: { code: 'not_found', detail: 'what this request refers to was deleted while it ran' },
    });
  });
});
