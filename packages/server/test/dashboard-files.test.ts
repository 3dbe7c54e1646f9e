// The dashboard's files, from a real server: served without a token, with headers that keep a key-holding page
// safe, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_PATHS } from '../src/dashboard/dashboard-routes.js';
import { startHookline, type TestHookline } from './support/hookline.js';

describe('dashboard files', () => {
  let hookline: TestHookline;
  beforeAll(async () => {
    hookline = await startHookline();
  });
  afterAll(async () => {
    await hookline?.stop();
  });

  it('serves the page at / without a token, with a strict CSP and no referrer', async () => {
    const response = await fetch(`${hookline.server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<script type="module" src="/app.js">');
  });

  it('serves every module as JavaScript, and all of them together stay well under 200 KiB', async () => {
    let total = 0;
    for (const path of DASHBOARD_PATHS.filter((p) => p.endsWith('.js'))) {
      const response = await fetch(`${hookline.server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      total += (await response.arrayBuffer()).byteLength;
    }
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(200 * 1024);
  });

  it('serves no other file: a path outside the list is refused, a traversal finds nothing', async () => {
    for (const path of ['/../package.json', '/views/../../dashboard-routes.ts', '/%2e%2e/package.json', '/nope.js']) {
      const response = await fetch(`${hookline.server.url}${path}`);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
      expect(await response.text()).not.toContain('"name": "hookline"');
    }
  });
});
