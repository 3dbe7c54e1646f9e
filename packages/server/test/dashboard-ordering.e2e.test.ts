// An ordered endpoint in the dashboard, in headless Chromium against a real server and receiver on loopback: its
// settings say how it orders, a key held by its dead head is listed on the endpoint's page with the message holding
// it and how many wait behind, and "Replay head" releases it. Screenshots go to test-results/dashboard/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;
const available = chromiumAvailable();

describe.skipIf(!available)('an ordered endpoint in the dashboard, in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  const receiver = new TestReceiver();
  let accept = false;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await receiver.start();
    receiver.script('/ordered', () => (accept ? { status: 200 } : { status: 500, body: 'not now' }));
    hookline = await startHookline({ retrySchedule: [0.05], pollIntervalMs: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it('lists a key held by its dead head, and releases it by replaying the head', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Orders', uid: 'orders' });
    const endpoint = await hookline.api.ok<{ id: string }>('POST', '/api/v1/app/orders/endpoint', {
      url: `${receiver.url}/ordered`,
      ordering: 'fifo',
      orderingOnDead: 'hold',
    });
    const head = await publish(hookline.api, 'orders', { n: 0 }, { orderingKey: 'customer-42' });
    await publish(hookline.api, 'orders', { n: 1 }, { orderingKey: 'customer-42' });
    await publish(hookline.api, 'orders', { n: 2 }, { orderingKey: 'customer-42' });
    const heldPath = `/api/v1/app/orders/endpoint/${endpoint.id}/ordering/held`;
    await waitFor(
      async () => (await hookline.api.ok<{ data: unknown[] }>('GET', heldPath)).data.length === 1,
      'the key held by its dead head',
      30_000,
    );

    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${hookline.server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('hookline.key', token), ADMIN_TOKEN);
    await page.goto(`${hookline.server.url}/#/app/orders/endpoint/${endpoint.id}`);
    await page.getByRole('heading', { name: 'Held ordering keys' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'customer-42' });
    await row.waitFor();
    expect(await row.getByRole('link', { name: head.id }).isVisible()).toBe(true);
    expect(await row.getByRole('cell', { name: '2', exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('1 key is held.').isVisible()).toBe(true);
    expect(
      await page
        .getByRole('row')
        .filter({ hasText: 'one at a time per ordering key; a dead head holds its key' })
        .count(),
    ).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}40-ordering-held-key.png`, fullPage: true });

    accept = true;
    await row.getByRole('button', { name: 'Replay head' }).click();
    await page.getByText('No key is held: every key is flowing.').waitFor();
    const sent = () => receiver.on('/ordered').map((request) => (JSON.parse(request.body) as { n: number }).n);
    await waitFor(() => sent().includes(2), 'the two messages behind the head', 30_000);
    expect(sent()).toEqual([0, 0, 0, 1, 2]);
    await page.close();
  }, 90_000);
});
