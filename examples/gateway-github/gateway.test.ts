// Starts the gateway example: a real Hookline (SQLite) with the source setup.ts makes, and the app of app.ts,
// which is down at first. GitHub-signed POSTs (signed by @octokit/webhooks-methods) into the source are all
// answered 200 at once while the app is down; the down phase lasts until Hookline has been refused several times
// (a condition, not a fixed 30 s; its circuit breaker opens meanwhile), then the app comes up on its address and receives every event exactly
// once, verified with GitHub's own secret.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../packages/server/src/cli/serve.js';
import { defaultConfig } from '../../packages/server/src/config.js';
import { type GithubApp, startApp } from './app.js';
import { setUpGateway } from './setup.js';

const EVENTS = 20;
/** Refused attempts that end the down phase. */
const DOWN_FAILURES = 3;
const GITHUB_SECRET = 'It\u2019s a Secret to Everybody';
const TOKEN = 'gateway-example-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'hookline-gateway-'));
let hookline: RunningServer | undefined;
let app: GithubApp | undefined;

afterAll(async () => {
  await app?.close();
  await hookline?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
  state: () => Promise<string> = async () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${await state()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('GitHub events posted while the app is down are all acknowledged, and all reach it once it is up', {
  timeout: 120_000,
}, async () => {
  const base = defaultConfig();
  hookline = await serve(
    {
      ...base,
      port: 0,
      database: join(dir, 'hookline.db'),
      adminToken: TOKEN,
      allowPrivateNetworks: true,
      logLevel: 'silent',
      // Retries a second or two apart instead of the production schedule's minutes, so the test waits seconds.
      delivery: { ...base.delivery, retrySchedule: [0.5, 1, 1, 2, 2, 2, 2, 2, 2, 2], pollIntervalMs: 200 },
    },
    { logger: pino({ level: 'silent' }), print: () => undefined },
  );
  const appPort = await freePort();
  const ingestUrl = await setUpGateway({
    hooklineUrl: hookline.url,
    token: TOKEN,
    githubSecret: GITHUB_SECRET,
    appUrl: `http://127.0.0.1:${appPort}/github`,
  });

  // GitHub posts while the app is down: every request is acknowledged at once.
  const deliveries: string[] = [];
  for (let n = 0; n < EVENTS; n++) {
    const body = JSON.stringify({ action: 'opened', issue: { number: n }, repository: { full_name: 'octo/repo' } });
    const delivery = randomUUID();
    deliveries.push(delivery);
    const response = await fetch(ingestUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': delivery,
        'x-hub-signature-256': await sign(GITHUB_SECRET, body),
      },
      body,
    });
    expect(response.status).toBe(200);
  }

  // The down phase: until Hookline has been refused (connection refused) DOWN_FAILURES times.
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${hookline?.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;
  await until(
    async () => {
      const feed = await api<{ data: Array<{ msgId: string; status: number }> }>(
        '/api/v1/app/github-gateway/attempt/feed?after=atmpt_0&limit=1000',
      );
      // Svix's attempt status: 2 is a failure. Past a few refused attempts the endpoint's circuit opens and Hookline
      // only probes, so "every event tried" may never come while the app is down: several failures say it is.
      return feed.data.filter((attempt) => attempt.status === 2).length >= DOWN_FAILURES;
    },
    'Hookline to be refused by the app that is down',
    60_000,
    async () =>
      JSON.stringify({
        messages: await api('/api/v1/app/github-gateway/msg?limit=3'),
        feed: await api('/api/v1/app/github-gateway/attempt/feed?after=atmpt_0&limit=3'),
        requests: await api('/api/v1/app/github-gateway/source/github/request?limit=2'),
      }).slice(0, 3000),
  );
  expect(app).toBeUndefined();

  // The app comes up: every event arrives, verified with GitHub's secret, each once.
  app = await startApp({ secret: GITHUB_SECRET, port: appPort });
  await until(() => (app?.handled.length ?? 0) === EVENTS, `all ${EVENTS} events at the app`);
  expect([...(app?.handled ?? [])].sort()).toEqual([...deliveries].sort());
});
