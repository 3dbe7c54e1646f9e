// Retention in the dashboard, in headless Chromium against a real server and receiver on loopback (issue 14 §2): the
// applications page says how long payloads and history are kept, and a message whose payload was pruned says so
// where its payload and the body sent would be. Screenshots go to test-results/dashboard/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, attemptsOf, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;
const DAY_MS = 86_400_000;
const available = chromiumAvailable();

describe.skipIf(!available)('retention in the dashboard, in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await receiver.start();
    hookline = await startHookline(
      {},
      { retention: { payloadDays: 7, historyDays: 30, batchSize: 50, batchPauseMs: 0, intervalMs: 60_000 } },
    );
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it('shows the retention settings, and "payload pruned" for a message whose payload went', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Shop', uid: 'shop' });
    await hookline.api.ok('POST', '/api/v1/app/shop/endpoint', { url: `${receiver.url}/hook` });
    const message = await publish(hookline.api, 'shop', { secret: 'card ending 4242' });
    await waitFor(async () => (await attemptsOf(hookline.api, 'shop', message.id)).length === 1, 'the delivery');
    expect(await hookline.server.pruner.runPass(Date.now() + 8 * DAY_MS)).toMatchObject({ payloads: 1 });

    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${hookline.server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('hookline.key', token), ADMIN_TOKEN);
    await page.goto(`${hookline.server.url}/#/apps`);
    await page
      .getByText('Retention: payloads are kept 7 days, messages with their deliveries and attempts 30 days.')
      .waitFor();

    await page.goto(`${hookline.server.url}/#/app/shop/msg/${message.id}`);
    await page.getByRole('heading', { name: 'Payload' }).waitFor();
    await page
      .getByText(/^Payload pruned .* by retention/)
      .first()
      .waitFor();
    expect(await page.getByText('card ending 4242').count()).toBe(0);
    expect(await page.locator('pre.sent-body').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}50-retention-payload-pruned.png`, fullPage: true });
    await page.close();
  }, 90_000);
});
