// One unreadable sealed value must not poison a list (issue 16 item 5's rule, for encryption at rest): rows written
// under a key the server is not given (HOOKLINE_ENCRYPTION_KEY changed without HOOKLINE_ENCRYPTION_OLD_KEYS) are
// still listed and read, their secrets left out; 503 `secret_unreadable` is answered only where the sealed value
// itself is needed (an endpoint's secret or headers, a PATCH that merges into them, a source's ingest), and writing
// a new value over it (PUT headers, a new verification) is how the operator mends it. On both stores.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../test/support/services.js';
import type { ServerConfig } from '../src/config.js';
import { encryptionKeyId } from '../src/store/secret-box.js';
import { availableStores } from './support/each-store.js';
import { startHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const idOfA = encryptionKeyId(Buffer.from(keyA, 'base64'));
const TOKEN = 'gateway-token-0123456789';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function databaseOf(kind: string): string {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-unreadable-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'hookline.db');
  }
  const schema = randomSchemaName();
  cleanups.push(() => dropSchema(SERVICES.postgres.url, schema));
  const url = new URL(SERVICES.postgres.url);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function start(database: string, encryption: ServerConfig['encryption']) {
  const hookline = await startHookline({}, { database, encryption });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await hookline.server.close();
  };
  cleanups.push(close);
  return { ...hookline, close };
}

for (const kind of await availableStores()) {
  describe(`rows sealed under a key the server is not given (${kind})`, () => {
    it('are listed and read with their secrets left out; only what needs the secret answers 503', async () => {
      const database = databaseOf(kind);
      const first = await start(database, { key: keyA, oldKeys: [] });
      await first.api.ok('POST', '/api/v1/app', { name: 'shop', uid: 'shop' });
      await first.api.ok('POST', '/api/v1/app/shop/endpoint', {
        uid: 'with-headers',
        url: 'http://127.0.0.1:9/a',
        headers: { 'x-api-token': 'tk_123' },
      });
      await first.api.ok('POST', '/api/v1/app/shop/endpoint', { uid: 'plain', url: 'http://127.0.0.1:9/b' });
      await first.api.ok('POST', '/api/v1/app/shop/source', {
        uid: 'gw',
        name: 'gateway',
        verification: { type: 'header-token', header: 'x-gateway-token', token: TOKEN },
      });
      await first.close();

      const second = await start(database, { key: keyB, oldKeys: [] });
      const { api } = second;
      const status = async (method: string, path: string, body?: unknown) => {
        const answer = await api.call<{ code?: string; detail?: string }>(method, path, body);
        return answer.status >= 500 ? `${answer.status} ${answer.body.code}` : answer.status;
      };

      // Lists and reads answer, whole.
      const endpoints = await api.call<{ data: Array<{ uid: string }> }>('GET', '/api/v1/app/shop/endpoint');
      expect(endpoints.status).toBe(200);
      expect(endpoints.body.data.map((endpoint) => endpoint.uid).sort()).toEqual(['plain', 'with-headers']);
      expect(await status('GET', '/api/v1/app/shop/endpoint/with-headers')).toBe(200);
      const sources = await api.call<{ data: Array<{ uid: string; verification: Record<string, unknown> }> }>(
        'GET',
        '/api/v1/app/shop/source',
      );
      expect(sources.status).toBe(200);
      expect(sources.body.data).toEqual([
        expect.objectContaining({ uid: 'gw', verification: { type: 'unreadable', keyId: idOfA } }),
      ]);
      expect((await api.call('GET', '/api/v1/source')).status).toBe(200);
      expect(await status('GET', '/api/v1/app/shop/source/gw')).toBe(200);
      // A change that does not touch the sealed value goes through.
      expect(await status('PATCH', '/api/v1/app/shop/endpoint/with-headers', { description: 'still here' })).toBe(200);
      expect(await status('PATCH', '/api/v1/app/shop/source/gw', { name: 'renamed' })).toBe(200);

      // What needs the sealed value itself: 503 secret_unreadable, naming the key.
      expect(await status('GET', '/api/v1/app/shop/endpoint/with-headers/secret')).toBe('503 secret_unreadable');
      expect(await status('GET', '/api/v1/app/shop/endpoint/with-headers/headers')).toBe('503 secret_unreadable');
      expect(
        await status('PATCH', '/api/v1/app/shop/endpoint/with-headers/headers', { headers: { 'x-more': '1' } }),
      ).toBe('503 secret_unreadable');
      const headers = await api.call<{ detail: string }>('GET', '/api/v1/app/shop/endpoint/with-headers/headers');
      expect(headers.body.detail).toContain(idOfA);
      const ingest = await fetch(`${second.server.url}/in/gw`, {
        method: 'POST',
        headers: { 'x-gateway-token': TOKEN, 'content-type': 'application/json' },
        body: '{"type":"a.b"}',
      });
      expect(ingest.status).toBe(503);

      // Writing a new value mends it.
      expect(await status('PUT', '/api/v1/app/shop/endpoint/with-headers/headers', { headers: { 'x-new': 'v' } })).toBe(
        204,
      );
      expect(
        (await api.ok<{ headers: object }>('GET', '/api/v1/app/shop/endpoint/with-headers/headers')).headers,
      ).toEqual({ 'x-new': 'v' });
      const verification = { type: 'header-token', header: 'x-gateway-token', token: `${TOKEN}-new` };
      expect(await status('PATCH', '/api/v1/app/shop/source/gw', { verification })).toBe(200);
      const mended = await fetch(`${second.server.url}/in/gw`, {
        method: 'POST',
        headers: { 'x-gateway-token': `${TOKEN}-new`, 'content-type': 'application/json' },
        body: '{"type":"a.b"}',
      });
      expect(mended.status).toBe(200);
    });
  });
}
