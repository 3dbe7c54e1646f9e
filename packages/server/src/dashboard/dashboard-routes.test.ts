// The dashboard's files: served without a token, with headers that keep a key-holding page safe, and nothing else.
import { describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { sha256Hex } from '../api/auth.js';
import type { ApiContext } from '../api/context.js';
import type { Store } from '../store/store.js';
import { DASHBOARD_PATHS } from './dashboard-routes.js';

const context: ApiContext = {
  store: {} as Store,
  engine: null,
  adminTokenSha256: sha256Hex('dashboard-test-token'),
  checkEndpointUrl: (url) => ({ ok: true, url: new URL(url) }),
  secretRotationGraceMs: 0,
  now: Date.now,
};

describe('dashboard files', () => {
  it('serves the page at / without a token, with a strict CSP and no referrer', async () => {
    const app = await createApp({ context });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.body).toContain('<script type="module" src="/app.js">');
    await app.close();
  });

  it('serves every module as JavaScript, and all of them together stay well under 200 KiB', async () => {
    const app = await createApp({ context });
    let total = 0;
    for (const path of DASHBOARD_PATHS.filter((p) => p.endsWith('.js'))) {
      const response = await app.inject({ method: 'GET', url: path });
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      total += response.rawPayload.length;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(200 * 1024);
    await app.close();
  });

  it('serves no other file: a path outside the list needs a token, a traversal finds nothing', async () => {
    const app = await createApp({ context });
    for (const url of ['/../package.json', '/views/../../dashboard-routes.ts', '/%2e%2e/package.json', '/nope.js']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.body).not.toContain('"name": "hookline"');
    }
    await app.close();
  });
});
