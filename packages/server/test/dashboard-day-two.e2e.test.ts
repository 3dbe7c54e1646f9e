// The dashboard on day two, in headless Chromium against a real server and receiver on loopback: what an operator
// reads when deliveries go wrong (the newest failure, why nothing answered, the exact body sent, what the charts
// count), signing in with a wrong key, and the dead-letter list after a replay. Screenshots go to
// test-results/dashboard/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../../../test/support/chromium.js';
import { ADMIN_TOKEN, attemptsOf, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/dashboard/', import.meta.url));
/** Bounds every wait on the page: a broken dashboard fails the test instead of hanging it. */
const UI_TIMEOUT_MS = 15_000;
/** A port nothing listens on: every attempt there is refused, with no HTTP response. */
const CLOSED_PORT_URL = 'http://127.0.0.1:1/refused';

const available = chromiumAvailable();

describe.skipIf(!available)('dashboard on day two, in headless Chromium', () => {
  let hookline: TestHookline;
  let browser: Browser;
  let page: Page;
  const receiver = new TestReceiver();
  let deadLetterBroken = true;

  async function endpointIn(app: string, url: string, extra: Record<string, unknown> = {}): Promise<string> {
    const endpoint = await hookline.api.ok<{ id: string }>('POST', `/api/v1/app/${app}/endpoint`, { url, ...extra });
    return endpoint.id;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await receiver.start();
    // Three different failures in turn, so the newest is told apart from the oldest.
    receiver.script('/sequence', (_request, count) => ({ status: [500, 502, 503][count - 1] ?? 200, body: 'no' }));
    receiver.script('/dead-letter', () => (deadLetterBroken ? { status: 500 } : { status: 200 }));
    hookline = await startHookline({ retrySchedule: [0.05, 0.05] });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    // Signed in as the dashboard keeps a session (the key in this tab's sessionStorage); signing in by the form is
    // the first test's, in a tab of its own, so each test also runs alone (-t).
    await page.goto(`${hookline.server.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('hookline.key', token), ADMIN_TOKEN);
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.stop();
    await receiver.stop();
  });

  it('a wrong key at sign-in stays on the sign-in page and says the server did not accept it', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(`${hookline.server.url}/`);
    await page.getByLabel('API key').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The server did not accept this key.' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in to Hookline' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('hookline.key'))).toBeNull();
    await page.screenshot({ path: `${SCREENSHOTS}20-sign-in-refused.png`, fullPage: true });
    // The right key then signs in from the same form.
    await page.getByLabel('API key').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.close();
  }, 60_000);

  it("the application page's Last failure is the newest failure, and the charts say they count attempts", async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Order', uid: 'order' });
    await endpointIn('order', `${receiver.url}/sequence`);
    const message = await publish(hookline.api, 'order', { n: 1 });
    await waitFor(async () => (await attemptsOf(hookline.api, 'order', message.id)).length === 3, 'three attempts');
    await page.goto(`${hookline.server.url}/#/app/order`);
    const row = page.getByRole('row').filter({ hasText: `${receiver.url}/sequence` });
    // 500, then 502, then 503: the newest is 503.
    await expect.poll(() => row.getByRole('cell').nth(4).textContent()).toMatch(/^503/);
    await page.getByText('Attempts per minute (every try, retries included)').waitFor();
    await page.getByText('failed attempts (3)').waitFor();
    await page.getByText('Attempts that succeeded, per endpoint').waitFor();
    await page.getByRole('columnheader', { name: 'Success (recent attempts)' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}21-application-last-failure.png`, fullPage: true });
  }, 60_000);

  it('an attempt that got no response says why in its summary line', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Refused', uid: 'refused' });
    await endpointIn('refused', CLOSED_PORT_URL);
    const message = await publish(hookline.api, 'refused', { n: 1 });
    await waitFor(async () => (await attemptsOf(hookline.api, 'refused', message.id)).length === 3, 'three attempts');
    await page.goto(`${hookline.server.url}/#/app/refused/msg/${message.id}`);
    await page.getByText('3 attempt(s)').waitFor();
    const summaries = page.locator('summary');
    expect(await summaries.count()).toBe(3);
    for (const text of await summaries.allTextContents()) expect(text).toContain('no response (ECONNREFUSED');
    await page.screenshot({ path: `${SCREENSHOTS}22-no-response.png`, fullPage: true });
  }, 60_000);

  it('the request body shown for an attempt is the bytes the receiver got', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Bytes', uid: 'bytes' });
    await endpointIn('bytes', `${receiver.url}/bytes`);
    // Spacing, a trailing zero, key order and characters beyond ASCII: what the API stored is what went out.
    const response = await fetch(`${hookline.server.url}/api/v1/app/bytes/msg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{ "eventType": "invoice.paid", "payload": { "z": 10.50, "name": "Zoë 🧾", "a": [1, {"b": null}] } }',
    });
    expect(response.status).toBe(202);
    const message = (await response.json()) as { id: string };
    await waitFor(() => receiver.on('/bytes').length === 1, 'the delivery');
    const received = receiver.on('/bytes')[0]?.body;
    await page.goto(`${hookline.server.url}/#/app/bytes/msg/${message.id}`);
    await page.getByText('1 attempt(s)').waitFor();
    await page.locator('summary').first().click();
    const shown = await page.locator('pre.sent-body').first().textContent();
    expect(shown).toBe(received);
    await page
      .getByText(`(exactly as sent, ${Buffer.byteLength(received ?? '')} bytes)`)
      .first()
      .waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}23-exact-body.png`, fullPage: true });
  }, 60_000);

  it('after Replay all, the replayed deliveries leave the dead-letter list without a reload', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Dead', uid: 'dead' });
    await endpointIn('dead', `${receiver.url}/dead-letter`);
    for (let i = 0; i < 3; i++) await publish(hookline.api, 'dead', { i });
    const app = await hookline.api.ok<{ id: string }>('GET', '/api/v1/app/dead');
    await waitFor(
      async () => (await hookline.server.store.countDeliveries({ status: 'dead', appId: app.id })) === 3,
      'three dead',
    );
    deadLetterBroken = false;
    await page.goto(`${hookline.server.url}/#/app/dead/dead-letter`);
    await page.getByRole('button', { name: 'Replay all (3)' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 3 of 3.' }).waitFor();
    await page.getByText('No dead letters').waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Replay all/ }).count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}24-dead-letter-after-replay.png`, fullPage: true });
  }, 60_000);

  it('the endpoint forms set and change the retry schedule, throttle, status policy and custom headers', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Forms', uid: 'forms' });
    await page.goto(`${hookline.server.url}/#/app/forms/endpoint-new`);
    await page.getByLabel('URL').fill(`${receiver.url}/forms`);
    await page.getByLabel('Retry schedule (seconds)').fill('0.05, 0.05');
    await page.getByLabel('Throttle (deliveries per second)').fill('5');
    await page.getByLabel('Statuses that are not retried').fill('banana');
    await page.getByLabel('Custom headers').fill('X-Team: billing\nAuthorization: Bearer s3cret');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    // The server's word on a bad value, in the form, and nothing created.
    await page.getByRole('alert').filter({ hasText: 'nonRetryableStatuses' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}25-endpoint-form-refused.png`, fullPage: true });
    await page.getByLabel('Statuses that are not retried').fill('4xx,!429');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${receiver.url}/forms` }).waitFor();
    await page.getByRole('cell', { name: '0.05, 0.05 s' }).waitFor();
    await page.getByRole('cell', { name: 'X-Team: billing; Authorization: (hidden)' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}26-endpoint-settings.png`, fullPage: true });

    const [created] = (
      await hookline.api.ok<{ data: Array<Record<string, unknown> & { id: string }> }>(
        'GET',
        '/api/v1/app/forms/endpoint',
      )
    ).data;
    expect(created).toMatchObject({ retrySchedule: [0.05, 0.05], throttleRate: 5, nonRetryableStatuses: '4xx,!429' });
    const id = created?.id ?? '';
    expect(await hookline.api.ok('GET', `/api/v1/app/forms/endpoint/${id}/headers`)).toEqual({
      headers: { 'X-Team': 'billing' },
      sensitive: ['Authorization'],
    });
    await publish(hookline.api, 'forms', { n: 1 });
    await waitFor(() => receiver.on('/forms').length === 1, 'the delivery');
    expect(receiver.on('/forms')[0]?.headers).toMatchObject({ 'x-team': 'billing', authorization: 'Bearer s3cret' });

    // Edit: the form shows what is set; a change of throttle and headers, a hidden header removed, a policy cleared.
    await page.getByRole('link', { name: 'Edit' }).click();
    expect(await page.getByLabel('Retry schedule (seconds)').inputValue()).toBe('0.05, 0.05');
    expect(await page.getByLabel('Custom headers').inputValue()).toBe('X-Team: billing');
    await page.getByLabel('Throttle (deliveries per second)').fill('');
    await page.getByLabel('Statuses that are not retried').fill('');
    await page.getByLabel('Custom headers').fill('X-Team: payments\nX-Region: eu');
    await page.getByLabel('Remove Authorization').check();
    await page.screenshot({ path: `${SCREENSHOTS}27-endpoint-edit.png`, fullPage: true });
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('cell', { name: 'X-Team: payments; X-Region: eu' }).waitFor();
    expect(await hookline.api.ok('GET', `/api/v1/app/forms/endpoint/${id}`)).toMatchObject({
      retrySchedule: [0.05, 0.05],
      throttleRate: null,
      nonRetryableStatuses: null,
    });
    expect(await hookline.api.ok('GET', `/api/v1/app/forms/endpoint/${id}/headers`)).toEqual({
      headers: { 'X-Team': 'payments', 'X-Region': 'eu' },
      sensitive: [],
    });
  }, 60_000);

  it('"Send a test event" on an endpoint page goes to that endpoint alone', async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'Tests', uid: 'tests' });
    const one = await endpointIn('tests', `${receiver.url}/one`, { filterTypes: ['user.created'] });
    await endpointIn('tests', `${receiver.url}/two`);
    await page.goto(`${hookline.server.url}/#/app/tests/endpoint/${one}`);
    await page.getByLabel('Event type').fill('invoice.paid');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').getByRole('link', { name: /^msg_/ }).click();
    await expect.poll(() => page.getByTestId('delivery-status').allTextContents()).toEqual(['delivered']);
    expect(await page.getByRole('region', { name: `Delivery to ${receiver.url}/one` }).count()).toBe(1);
    expect(receiver.on('/one')).toHaveLength(1);
    expect(receiver.on('/two')).toHaveLength(0);
    await page.screenshot({ path: `${SCREENSHOTS}28-test-event-one-endpoint.png`, fullPage: true });
  }, 60_000);

  it("the message list shows each message's deliveries by state, and can keep only those failing", async () => {
    await hookline.api.ok('POST', '/api/v1/app', { name: 'List', uid: 'list' });
    await endpointIn('list', `${receiver.url}/list-ok`);
    await endpointIn('list', `${receiver.url}/list-broken`, { filterTypes: ['order.failed'] });
    receiver.script('/list-broken', () => ({ status: 500 }));
    await publish(hookline.api, 'list', { n: 1 }, { eventType: 'order.placed' });
    const failing = await publish(hookline.api, 'list', { n: 2 }, { eventType: 'order.failed' });
    await publish(hookline.api, 'list', { n: 3 }, { eventType: 'order.placed' });
    const app = await hookline.api.ok<{ id: string }>('GET', '/api/v1/app/list');
    await waitFor(
      async () => (await hookline.server.store.countDeliveries({ status: 'dead', appId: app.id })) === 1,
      'one dead',
    );
    await waitFor(() => receiver.on('/list-ok').length === 3, 'three delivered');
    await page.goto(`${hookline.server.url}/#/app/list/messages`);
    const cells = page.getByTestId('message-deliveries');
    await expect.poll(() => cells.allTextContents()).toEqual(['1 delivered', '1 dead1 delivered', '1 delivered']);
    await page.screenshot({ path: `${SCREENSHOTS}29-messages-status.png`, fullPage: true });

    await page.getByLabel('Only messages with a failing or dead delivery').check();
    const visible = page.locator('tbody tr:visible');
    await expect.poll(() => visible.count()).toBe(1);
    expect(await visible.getByRole('link').textContent()).toBe(failing.id);
    await page.getByText('1 with a failing or dead delivery among the 3 newest messages.').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}30-messages-failing.png`, fullPage: true });
  }, 60_000);
});
