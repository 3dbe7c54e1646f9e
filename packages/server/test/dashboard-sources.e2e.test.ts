// The dashboard's sources, in headless Chromium against a real server and receiver on loopback: the sources of an
// application with their ingest URL, and for one source the recent requests (accepted, duplicate, refused and why)
// with the delivery each accepted one produced. Screenshots go to test-results/dashboard/ (gitignored).

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;
const SECRET = 'dashboard-github-secret';

describe.skipIf(!chromiumAvailable())('dashboard sources, in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await receiver.start();
    hookline = await startHookline();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it('shows the ingest URL, each request accepted or refused with why, and the delivery it produced', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Shop', uid: 'shop' });
    await hookline.api.ok('POST', '/api/v1/app/shop/endpoint', { url: `${receiver.url}/github` });
    const source = await hookline.api.ok<{ id: string }>('POST', '/api/v1/app/shop/source', {
      uid: 'github',
      name: 'GitHub',
      verification: { type: 'signature', scheme: 'github', secrets: [SECRET] },
    });
    const body = JSON.stringify({ action: 'opened', issue: { number: 7 } });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(SECRET, body),
    };
    const post = (init: { headers: Record<string, string>; body: string }) =>
      fetch(`${hookline.server.url}/in/github`, { method: 'POST', ...init }).then((r) => r.status);
    expect(await post({ headers, body })).toBe(200);
    expect(await post({ headers, body })).toBe(200);
    expect(await post({ headers, body: body.replace('7', '8') })).toBe(401);
    await waitFor(() => receiver.on('/github').length === 1, 'the relay');
    await waitFor(async () => {
      const log = await hookline.api.ok<{ data: Array<{ messageId: string | null; outcome: string }> }>(
        'GET',
        '/api/v1/app/shop/source/github/request',
      );
      const accepted = log.data.find((r) => r.outcome === 'accepted');
      if (accepted?.messageId == null) return false;
      const attempts = await hookline.api.ok<{ data: unknown[] }>(
        'GET',
        `/api/v1/app/shop/attempt/msg/${accepted.messageId}`,
      );
      return attempts.data.length > 0;
    }, 'the accepted request to have its attempt recorded');

    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${hookline.server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('hookline.key', token), ADMIN_TOKEN);
    await page.goto(`${hookline.server.url}/#/app/shop/sources`);
    await page.getByRole('link', { name: 'GitHub' }).waitFor();
    const sources = page.getByRole('table', { name: 'sources' });
    await expect(sources.textContent()).resolves.toContain(`${hookline.server.url}/in/github`);
    await expect(sources.textContent()).resolves.toContain('github signature (1 secret)');
    await page.screenshot({ path: `${SCREENSHOTS}sources.png`, fullPage: true });

    await page.getByRole('link', { name: 'GitHub' }).click();
    const requests = page.getByRole('table', { name: 'recent requests' });
    await requests.waitFor();
    const rows = requests.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const texts = await rows.allTextContents();
    expect(texts[0]).toContain('rejected');
    expect(texts[0]).toContain('HOOKLINE_SIGNATURE_MISMATCH');
    expect(texts[1]).toContain('duplicate');
    expect(texts[2]).toContain('accepted');
    expect(texts[2]).toContain('issues.opened');
    expect(texts[2]).toContain('delivered 200');
    await page.screenshot({ path: `${SCREENSHOTS}source-requests.png`, fullPage: true });
    // The delivery link opens the message it became.
    await rows.nth(2).getByRole('link').click();
    await page.waitForURL(/#\/app\/shop\/msg\/msg_/);
    expect(source.id).toMatch(/^src_/);
    await page.close();
  });
});
