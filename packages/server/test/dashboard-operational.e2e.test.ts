// The operational events in the dashboard, in headless Chromium against a real server: an admin follows the nav's
// "Operational events" to the operational application's messages, and sees what Hookline told the operator.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

/** Bounds every wait on the page: a broken dashboard fails the test instead of hanging it. */
const UI_TIMEOUT_MS = 15_000;

describe.skipIf(!chromiumAvailable())('operational events in the dashboard, in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    hookline = await startHookline({
      operationalWebhookUrl: `${receiver.url}/ops`,
      operationalWebhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it("an admin's nav leads to the operational events, each with its delivery state", async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Tenant', uid: 'tenant' });
    await hookline.api.ok('POST', '/api/v1/app/tenant/endpoint', { url: `${receiver.url}/tenant` });
    await waitFor(() => receiver.on('/ops').length === 1, 'the operational event delivered');
    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(`${hookline.server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('hookline.key', token), ADMIN_TOKEN);
    await page.goto(`${hookline.server.url}/#/apps`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operational events' }).click();
    const row = page.getByRole('row').filter({ hasText: 'endpoint.created' });
    await row.getByText('1 delivered').waitFor();
    expect(await row.count()).toBe(1);
    await page.close();
  }, 60_000);
});
