// The dashboard end to end, in headless Chromium against a real server and a real receiver on loopback: sign in,
// create an endpoint, send a message, see it delivered; break the receiver, see the failure; fix it, replay, see
// it succeed. Screenshots go to test-results/dashboard/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
const FIRST_LOAD_JS_BUDGET_BYTES = 200 * 1024;
/** Bounds every wait on the page: a broken dashboard fails the test instead of hanging it. */
const UI_TIMEOUT_MS = 15_000;

const available = chromiumAvailable();

describe.skipIf(!available)('dashboard in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  let page: Page;
  const receiver = new TestReceiver();
  let receiverBroken = false;
  const scriptBytes = new Map<string, number>();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await receiver.start();
    receiver.script('/hook', () =>
      receiverBroken ? { status: 500, body: '{"error":"database down"}' } : { status: 200, body: '{"ok":true}' },
    );
    // Short retries: a failing delivery is dead after three attempts, well under a second.
    hookline = await startHookline({ retrySchedule: [0.1, 0.1] });
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Acme Corp', uid: 'acme' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`page console: ${message.text()}`);
    });
    page.on('response', async (response) => {
      if (response.status() >= 400) console.error(`page request: ${response.status()} ${response.url()}`);
      if (response.request().resourceType() !== 'script') return;
      const body = await response.body().catch(() => Buffer.alloc(0));
      scriptBytes.set(response.url(), body.length);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it('sign in, create an endpoint, deliver, fail, replay, succeed', async () => {
    await page.goto(`${hookline.server.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Hookline' }).waitFor();
    await page.waitForLoadState('networkidle');
    const firstLoadBytes = [...scriptBytes.values()].reduce((sum, n) => sum + n, 0);
    expect(scriptBytes.size).toBeGreaterThan(0);
    expect(firstLoadBytes).toBeLessThan(FIRST_LOAD_JS_BUDGET_BYTES);
    console.log(`dashboard first load: ${scriptBytes.size} scripts, ${firstLoadBytes} bytes of JS`);
    await page.screenshot({ path: `${SCREENSHOTS}01-sign-in.png` });

    // By keyboard alone: the key field has focus on load, Enter submits.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('key');
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate(() => sessionStorage.getItem('hookline.key'))).toBe(ADMIN_TOKEN);

    await page.getByRole('link', { name: 'Acme Corp' }).click();
    await page.getByRole('link', { name: 'Add an endpoint' }).click();
    await page.getByLabel('URL').fill(`${receiver.url}/hook`);
    await page.getByLabel('Description').fill('Billing service');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${receiver.url}/hook` }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}02-endpoint.png`, fullPage: true });

    // The signing secret: hidden until asked for, then shown; rotating replaces it.
    const secret = page.locator('#secret-value');
    expect(await secret.textContent()).toBe('');
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await expect.poll(() => secret.textContent()).toMatch(/^whsec_/);
    const before = await secret.textContent();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect.poll(() => secret.textContent()).not.toBe(before);
    expect(await secret.textContent()).toMatch(/^whsec_/);

    // Delivered.
    await page.getByLabel('Event type').fill('invoice.paid');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').getByRole('link', { name: /^msg_/ }).click();
    await expect
      .poll(() => page.getByTestId('delivery-status').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('delivered');
    expect(receiver.on('/hook')).toHaveLength(1);
    await page.screenshot({ path: `${SCREENSHOTS}03-delivered.png`, fullPage: true });

    // Broken receiver: the failure shows, with the response it gave.
    receiverBroken = true;
    await page.goBack();
    await page.getByRole('heading', { name: `${receiver.url}/hook` }).waitFor();
    await page.getByLabel('Event type').fill('invoice.paid');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').getByRole('link', { name: /^msg_/ }).click();
    await page.getByText('3 attempt(s)').waitFor();
    // Three attempts is the whole schedule here: no retry is left, so it is dead, not failing.
    await expect.poll(() => page.getByTestId('delivery-status').textContent()).toBe('dead');
    await page.getByText('HTTP 500').first().click();
    await page.getByText('"error": "database down"').first().waitFor();
    // What was sent, too: the signed headers of that attempt.
    await page
      .getByText(/webhook-signature: v1,/)
      .first()
      .waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}04-failed.png`, fullPage: true });

    // Fixed receiver, replayed: it succeeds, as a manual attempt.
    receiverBroken = false;
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => page.getByTestId('delivery-status').textContent(), { timeout: UI_TIMEOUT_MS })
      .toBe('delivered');
    await page.getByText('4 attempt(s)').waitFor();
    await expect(page.getByText(/HTTP 200 · \d+ ms · manual/).count()).resolves.toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}05-replayed.png`, fullPage: true });
  }, 120_000);

  it('the application page shows endpoint health and the charts', async () => {
    await page.goto(`${hookline.server.url}/#/app/acme`);
    await page.getByRole('heading', { name: /Acme Corp/ }).waitFor();
    await page
      .getByRole('img', { name: /Attempts per minute over the last 60 minutes: 2 succeeded, 3 failed/ })
      .waitFor();
    await page.getByRole('img', { name: /Response time: median/ }).waitFor();
    await page.getByRole('cell', { name: /40(\.0)? %/ }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}06-application.png`, fullPage: true });
  }, 60_000);

  it('the dead-letter view replays every dead delivery with a visible progress count', async () => {
    receiverBroken = true;
    for (let i = 0; i < 3; i++) await publish(hookline.api, 'acme', { invoice: i });
    await waitFor(async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) === 3, 'three dead');
    receiverBroken = false;
    await page.goto(`${hookline.server.url}/#/app/acme/dead-letter`);
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(4);
    await page.getByRole('button', { name: 'Replay all (3)' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 3 of 3.' }).waitFor();
    expect(await page.getByRole('progressbar', { name: 'Replay progress' }).getAttribute('value')).toBe('3');
    await page.screenshot({ path: `${SCREENSHOTS}07-dead-letter-replayed.png`, fullPage: true });
    await waitFor(async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) === 0, 'none dead');
  }, 60_000);

  it('"recover all failed since" on the endpoint page queues its dead deliveries again', async () => {
    receiverBroken = true;
    await publish(hookline.api, 'acme', { invoice: 'late' });
    await waitFor(async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) === 1, 'one dead');
    receiverBroken = false;
    const endpoint = (await hookline.api.ok<{ data: Array<{ id: string }> }>('GET', '/api/v1/app/acme/endpoint'))
      .data[0];
    await page.goto(`${hookline.server.url}/#/app/acme/endpoint/${endpoint?.id}`);
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByText('Queued 1 dead deliveries for another attempt.').waitFor();
    await waitFor(async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) === 0, 'none dead');
  }, 60_000);

  it('an application key signs in to that application only (the customer portal), and messages are searchable', async () => {
    const key = await hookline.api.ok<{ key: string }>('POST', '/api/v1/auth/api-key', {
      name: 'portal',
      appId: 'acme',
    });
    const portal = await browser.newPage();
    portal.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      await portal.goto(`${hookline.server.url}/`);
      await portal.getByLabel('API key').fill(key.key);
      await portal.getByRole('button', { name: 'Sign in' }).click();
      await portal.getByText('This key reaches one application only').waitFor();
      await portal.getByLabel('API key').fill(key.key);
      await portal.getByLabel('Application (optional)').fill('acme');
      await portal.getByRole('button', { name: 'Sign in' }).click();
      await portal.getByRole('heading', { name: /Acme Corp/ }).waitFor();
      expect(
        await portal.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).count(),
      ).toBe(0);

      await portal.getByRole('link', { name: 'Messages' }).click();
      await portal.getByLabel('Event type').fill('invoice.paid');
      await portal.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => portal.getByRole('cell', { name: 'invoice.paid' }).count()).toBe(2);
      await portal.screenshot({ path: `${SCREENSHOTS}08-portal-messages.png`, fullPage: true });
    } finally {
      await portal.close();
    }
  }, 60_000);
});
