// The dashboard shows and edits an endpoint's payload filter (issue 14 §3), in headless Chromium against a real
// server: created with a filter, shown on the endpoint page, a bad filter answered with the server's 422 pointing
// into it, cleared. Screenshots go to test-results/dashboard/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;

describe.skipIf(!chromiumAvailable())('dashboard: payload filter on the endpoint page', () => {
  let hookline: TestHookline;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    hookline = await startHookline({});
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Filters Inc', uid: 'filters' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
  });

  it('creates an endpoint with a filter, shows it, refuses a bad one with where it is wrong, clears it', async () => {
    await page.goto(`${hookline.server.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Hookline' }).waitFor();
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Filters Inc' }).click();
    await page.getByRole('link', { name: 'Add an endpoint' }).click();
    await page.getByLabel('URL').fill('https://billing.example.com/hook');
    await page.getByLabel('Payload filter').fill('{"data.amount": {"$gte": 1000}, "data.currency": {"$in": ["EUR"]}}');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: 'https://billing.example.com/hook' }).waitFor();
    const shown = page.getByRole('row', { name: /Payload filter/ });
    await expect
      .poll(() => shown.textContent())
      .toContain('{"data.amount":{"$gte":1000},"data.currency":{"$in":["EUR"]}}');
    await page.screenshot({ path: `${SCREENSHOTS}payload-filter-endpoint.png`, fullPage: true });

    await page.getByRole('link', { name: /Edit/ }).first().click();
    await page.getByRole('heading', { name: 'Edit endpoint' }).waitFor();
    expect(await page.getByLabel('Payload filter').inputValue()).toContain('"$gte": 1000');
    await page.getByLabel('Payload filter').fill('{"data.amount": {"$regex": "^1"}}');
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect.poll(() => alert.textContent()).toContain('payloadFilter.data.amount.$regex');
    await page.screenshot({ path: `${SCREENSHOTS}payload-filter-refused.png`, fullPage: true });

    await page.getByLabel('Payload filter').fill('');
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('heading', { name: 'https://billing.example.com/hook' }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /Payload filter/ }).textContent()).toContain('every payload');
  });
});
