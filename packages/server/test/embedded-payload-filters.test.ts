// Embedded mode's payload filters (issue 14 §3): createEndpoint takes a payloadFilter under the API's rules (a bad one
// throws the same validation error, pointing into the filter), and publish delivers only what passes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHookline, type Hookline, InvalidInputError } from '../src/index.js';
import { TestReceiver, waitFor } from './support/receiver.js';

let dir: string;
let receiver: TestReceiver;
let hookline: Hookline;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-embedded-filters-'));
  receiver = new TestReceiver();
  await receiver.start();
  hookline = await createHookline({
    database: join(dir, 'hookline.db'),
    allowPrivateNetworks: true,
    delivery: { retrySchedule: [0.05], pollIntervalMs: 100 },
    logger: pino({ level: 'silent' }),
  });
});

afterEach(async () => {
  await hookline.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('an endpoint created with a payload filter receives only the payloads that pass; a bad filter is refused', async () => {
  await hookline.createApplication({ name: 'Acme', uid: 'acme' });
  const refused = hookline.createEndpoint('acme', {
    url: `${receiver.url}/bad`,
    payloadFilter: { a: { $where: 'x' } },
  });
  await expect(refused).rejects.toThrow(InvalidInputError);
  await expect(refused).rejects.toMatchObject({ issues: [{ loc: ['payloadFilter', 'a', '$where'] }] });

  await hookline.createEndpoint('acme', { url: `${receiver.url}/all` });
  await hookline.createEndpoint('acme', { url: `${receiver.url}/big`, payloadFilter: { amount: { $gt: 100 } } });
  hookline.startWorker();
  for (const amount of [5, 500, 50, 5000]) await hookline.publish('acme', 'invoice.paid', { amount });
  const amounts = (path: string) =>
    receiver
      .on(path)
      .map((request) => (JSON.parse(request.body) as { amount: number }).amount)
      .sort((a, b) => a - b);
  await waitFor(() => amounts('/all').length === 4 && amounts('/big').length === 2, 'the deliveries');
  expect(amounts('/big')).toEqual([500, 5000]);
});
