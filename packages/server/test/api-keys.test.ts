// API keys through the HTTP API: shown once, stored as hashes, listed without secrets, revocable; admin keys reach
// everything, application-scoped keys only their application.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/api/auth.js';
import { serve } from '../src/cli/serve.js';
import { defaultConfig } from '../src/config.js';
import { ADMIN_TOKEN, Api, startHookline, type TestHookline } from './support/hookline.js';

let hookline: TestHookline;
let admin: Api;

beforeAll(async () => {
  hookline = await startHookline();
  admin = hookline.api;
});
afterAll(() => hookline.stop());

interface CreatedKey {
  id: string;
  key: string;
  name: string;
  appId: string | null;
  scope: string;
  prefix: string;
  last4: string;
  createdAt: string;
  lastUsedAt: string | null;
}

async function newApp(uid: string): Promise<string> {
  return (await admin.ok<{ id: string }>('POST', '/api/v1/app', { name: uid, uid })).id;
}

describe('authentication', () => {
  it('no token, a malformed header or an unknown token answer 401 with {code, detail}', async () => {
    const none = await fetch(`${hookline.server.url}/api/v1/app`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 'authentication_required', detail: expect.any(String) });
    const basic = await fetch(`${hookline.server.url}/api/v1/app`, { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
    const unknown = await new Api(hookline.server.url, 'hl_sk_not-a-key').call('GET', '/api/v1/app');
    expect(unknown).toEqual({ status: 401, body: { code: 'invalid_token', detail: 'the token is not valid' } });
  });

  it('the admin token from the configuration is a built-in admin key', async () => {
    expect((await new Api(hookline.server.url, ADMIN_TOKEN).call('GET', '/api/v1/auth/api-key')).status).toBe(200);
  });
});

describe('admin keys', () => {
  it('are shown once at creation, stored only as a hash, and work on every route', async () => {
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'ci' });
    expect(created).toMatchObject({ name: 'ci', appId: null, scope: 'admin', lastUsedAt: null });
    expect(created.key).toMatch(/^hl_sk_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.key.endsWith(created.last4)).toBe(true);

    // The database holds the hash, never the key.
    const row = hookline.server.store.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(created.id) as Record<
      string,
      unknown
    >;
    expect(row.key_sha256).toBe(sha256Hex(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(6));

    const withKey = new Api(hookline.server.url, created.key);
    const app = await withKey.ok<{ id: string }>('POST', '/api/v1/app', { name: 'made by a key' });
    expect((await withKey.call('GET', `/api/v1/app/${app.id}`)).status).toBe(200);
    expect((await withKey.call('GET', '/api/v1/auth/api-key')).status).toBe(200);
  });

  it('are listed without their secret, with when they were last used', async () => {
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'listed' });
    await new Api(hookline.server.url, created.key).ok('GET', '/api/v1/app');
    const list = await admin.call<{ data: CreatedKey[] }>('GET', '/api/v1/auth/api-key?limit=250');
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    const listed = list.body.data.find((key) => key.id === created.id);
    expect(listed).toMatchObject({ name: 'listed', prefix: created.prefix, last4: created.last4, scope: 'admin' });
    expect(listed).not.toHaveProperty('key');
    expect(listed?.lastUsedAt).toEqual(expect.any(String));
  });

  it('a revoked key answers 401 at once; revoking again answers 404', async () => {
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'short-lived' });
    const withKey = new Api(hookline.server.url, created.key);
    expect((await withKey.call('GET', '/api/v1/app')).status).toBe(200);
    expect((await admin.call('DELETE', `/api/v1/auth/api-key/${created.id}`)).status).toBe(204);
    expect((await withKey.call('GET', '/api/v1/app')).status).toBe(401);
    expect(await admin.call('DELETE', `/api/v1/auth/api-key/${created.id}`)).toEqual({
      status: 404,
      body: { code: 'not_found', detail: 'API key not found' },
    });
    const list = await admin.ok<{ data: CreatedKey[] }>('GET', '/api/v1/auth/api-key?limit=250');
    expect(list.data.map((key) => key.id)).not.toContain(created.id);
  });

  it('bad input to the key routes answers 4xx JSON', async () => {
    expect((await admin.call('POST', '/api/v1/auth/api-key', { name: '' })).status).toBe(422);
    expect((await admin.call('POST', '/api/v1/auth/api-key', { name: 'x', appId: 'no-such-app' })).status).toBe(404);
    expect((await admin.call('GET', '/api/v1/auth/api-key?appId=no-such-app')).status).toBe(404);
    expect((await admin.call('GET', '/api/v1/auth/api-key?limit=0')).status).toBe(422);
  });
});

describe('application-scoped keys', () => {
  it("reach their application's endpoints and messages, by id or uid", async () => {
    const appId = await newApp('scoped-own');
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'portal', appId: 'scoped-own' });
    expect(created).toMatchObject({ appId, scope: 'application' });
    const scoped = new Api(hookline.server.url, created.key);
    const endpoint = await scoped.ok<{ id: string }>('POST', '/api/v1/app/scoped-own/endpoint', {
      url: 'https://example.com/hook',
    });
    expect((await scoped.call('GET', `/api/v1/app/${appId}/endpoint/${endpoint.id}`)).status).toBe(200);
    expect((await scoped.call('GET', `/api/v1/app/${appId}/endpoint/${endpoint.id}/secret`)).status).toBe(200);
    const message = await scoped.ok<{ id: string }>('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'invoice.paid',
      payload: { n: 1 },
    });
    expect((await scoped.call('GET', `/api/v1/app/scoped-own/msg/${message.id}`)).status).toBe(200);
    expect((await scoped.call('GET', '/api/v1/app/scoped-own')).status).toBe(200);
  });

  it('cannot list or create applications, change their own, manage keys or use admin routes: 403', async () => {
    await newApp('scoped-limited');
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'p', appId: 'scoped-limited' });
    const scoped = new Api(hookline.server.url, created.key);
    for (const [method, path] of [
      ['GET', '/api/v1/app'],
      ['POST', '/api/v1/app'],
      ['DELETE', '/api/v1/app/scoped-limited'],
      ['GET', '/api/v1/auth/api-key'],
      ['POST', '/api/v1/auth/api-key'],
      ['POST', '/api/v1/auth/app-portal-access/scoped-limited'],
      ['POST', '/api/v1/admin/delivery/pause'],
    ] as const) {
      const response = await scoped.call(method, path, method === 'POST' ? { name: 'x' } : undefined);
      expect({ method, path, ...response }).toMatchObject({ method, path, status: 403, body: { code: 'forbidden' } });
    }
    expect((await scoped.call('GET', '/api/v1/app/scoped-limited')).status).toBe(200);
  });

  it("another application's id or uid answers exactly like a missing application", async () => {
    await newApp('scoped-mine');
    const otherId = await newApp('scoped-other');
    const created = await admin.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'p', appId: 'scoped-mine' });
    const scoped = new Api(hookline.server.url, created.key);
    const missing = await scoped.call('GET', '/api/v1/app/app_2Z0000000000000000000000/endpoint');
    expect(missing).toEqual({ status: 404, body: { code: 'not_found', detail: 'application not found' } });
    expect(await scoped.call('GET', `/api/v1/app/${otherId}/endpoint`)).toEqual(missing);
    expect(await scoped.call('GET', '/api/v1/app/scoped-other/endpoint')).toEqual(missing);
    expect(await scoped.call('GET', '/api/v1/app/scoped-other')).toEqual(
      await scoped.call('GET', '/api/v1/app/no-such-uid'),
    );
  });

  it('app-portal-access makes a key for one application; deleting the application ends its keys', async () => {
    const appId = await newApp('portal-app');
    const access = await admin.ok<CreatedKey & { token: string }>('POST', `/api/v1/auth/app-portal-access/${appId}`);
    expect(access).toMatchObject({ appId, scope: 'application', token: access.key });
    const portal = new Api(hookline.server.url, access.token);
    expect((await portal.call('GET', `/api/v1/app/${appId}/endpoint`)).status).toBe(200);
    expect((await admin.call('DELETE', `/api/v1/app/${appId}`)).status).toBe(204);
    expect((await portal.call('GET', `/api/v1/app/${appId}/endpoint`)).status).toBe(401);
  });
});

describe('logging', () => {
  it('no key or token reaches the logs, at the most verbose level', async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'hookline-log-'));
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const server = await serve(
      { ...defaultConfig(), port: 0, database: join(dir, 'h.db'), adminToken: ADMIN_TOKEN, logLevel: 'debug' },
      { logger },
    );
    let key = '';
    try {
      const api = new Api(server.url, ADMIN_TOKEN);
      const created = await api.ok<CreatedKey>('POST', '/api/v1/auth/api-key', { name: 'logged?' });
      key = created.key;
      const withKey = new Api(server.url, key);
      await withKey.call('GET', '/api/v1/app');
      await withKey.call('POST', '/api/v1/app', { name: 12 });
      await new Api(server.url, `${key}x`).call('GET', '/api/v1/app');
      await api.call('DELETE', `/api/v1/auth/api-key/${created.id}`);
      await withKey.call('GET', '/api/v1/app');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(key).not.toBe('');
    const all = lines.join('');
    expect(all).not.toContain(key.slice('hl_sk_'.length));
    expect(all).not.toContain(ADMIN_TOKEN);
  });
});
