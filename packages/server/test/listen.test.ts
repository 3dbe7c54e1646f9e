// `hookline listen` as people run it: a child process reads the server's stream with an API key scoped to the
// application and forwards each event to a local app, signed with the session's secret, one line per event. Also
// the filters (--events, --source) and --replay, and the route's plain-JSON answer for clients that do not stream.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, startCli } from './support/cli-process.js';
import { startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let hookline: TestHookline;
let localApp: TestReceiver;
let key: string;

beforeAll(async () => {
  hookline = await startHookline();
  localApp = new TestReceiver();
  await localApp.start();
  await hookline.api.ok('POST', '/api/v1/app', { name: 'dev', uid: 'dev' });
  key = (await hookline.api.ok<{ key: string }>('POST', '/api/v1/auth/api-key', { name: 'listen', appId: 'dev' })).key;
});

afterAll(async () => {
  await hookline?.stop();
  await localApp?.stop();
});

it('forwards 100 events to a local app, signed, and prints 100 lines', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const cli = startCli(
    ['listen', 'dev', '--forward-to', `${localApp.url}/webhooks`, '--secret', SECRET, '--count', '100'],
    { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: key },
  );
  await waitFor(() => cli.stderr().includes('listening to dev'), 'listen to connect', 60_000);
  for (let i = 0; i < 100; i++) {
    await hookline.api.ok('POST', '/api/v1/app/dev/msg', { eventType: 'invoice.paid', payload: { n: i } });
  }
  const run = await cli.exited;
  expect(run.code).toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(100);
  for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}invoice\.paid {2}200 {2}\d+ms {2}msg_\w+$/);
  const received = localApp.on('/webhooks');
  expect(received).toHaveLength(100);
  // Signed as a delivery: standardwebhooks verifies each with the session's secret, in publish order.
  const payloads = received.map((r) => new StandardWebhook(SECRET).verify(r.body, r.headers as Record<string, string>));
  expect(payloads).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })));
  expect(received[0]?.headers['webhook-event-type']).toBe('invoice.paid');
});

it('--events and --replay: the last events of the wanted types first, then new ones; --print-json', {
  timeout: CLI_TEST_TIMEOUT_MS,
}, async () => {
  await hookline.api.ok('POST', '/api/v1/app/dev/msg', { eventType: 'order.created', payload: { old: 1 } });
  await hookline.api.ok('POST', '/api/v1/app/dev/msg', { eventType: 'order.ignored', payload: { old: 2 } });
  const cli = startCli(
    [
      'listen',
      'dev',
      '--forward-to',
      `${localApp.url}/filtered`,
      '--events',
      'order.created',
      '--replay',
      '2',
      '--print-json',
      '--count',
      '2',
    ],
    { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: key },
  );
  await waitFor(() => cli.stderr().includes('listening to dev'), 'listen to connect', 60_000);
  await hookline.api.ok('POST', '/api/v1/app/dev/msg', { eventType: 'order.ignored', payload: { new: 0 } });
  await hookline.api.ok('POST', '/api/v1/app/dev/msg', { eventType: 'order.created', payload: { new: 1 } });
  const run = await cli.exited;
  const printed = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { eventType: string; payload: string; forwarded: { status: number } });
  expect(printed.map((e) => [e.eventType, JSON.parse(e.payload), e.forwarded.status])).toEqual([
    ['order.created', { old: 1 }, 200],
    ['order.created', { new: 1 }, 200],
  ]);
  expect(localApp.on('/filtered')).toHaveLength(2);
});

it('without Accept: text/event-stream the route answers the replay as JSON and ends; other apps are not found', async () => {
  const page = await hookline.api.ok<{ data: Array<{ eventType: string }> }>(
    'GET',
    '/api/v1/app/dev/listen?replay=3&events=order.created',
  );
  expect(page.data.map((e) => e.eventType)).toEqual(['order.created', 'order.created']);
  expect((await hookline.api.call('GET', '/api/v1/app/nope/listen')).status).toBe(404);
  expect((await hookline.api.call('GET', '/api/v1/app/dev/listen?source=nope')).status).toBe(404);
});
