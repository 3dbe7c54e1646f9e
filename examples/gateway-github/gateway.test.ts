// Starts the gateway example: a real Hookline (SQLite) with the source setup.ts makes, and the app of app.ts,
// which is down at first. GitHub-signed POSTs (signed by @octokit/webhooks-methods) into the source are all
// answered 200 at once while the app is down; the down phase lasts until Hookline has tried and failed every one
// of them (a condition, not a fixed 30 s), then the app comes up on its address and receives every event exactly
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

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
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

  // The down phase: until every event has been tried and refused (connection refused) at least once.
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${hookline?.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;
  const endpoint = (await api<{ data: Array<{ id: string }> }>('/api/v1/app/github-gateway/endpoint')).data[0];
  await until(async () => {
    const failed = await api<{ data: Array<{ msgId: string; status: number }> }>(
      `/api/v1/app/github-gateway/attempt/endpoint/${endpoint?.id}?limit=250&status=2`,
    );
    return new Set(failed.data.map((attempt) => attempt.msgId)).size === EVENTS;
  }, 'every event to fail against the app that is down');
  expect(app).toBeUndefined();

  // The app comes up: every event arrives, verified with GitHub's secret, each once.
  app = await startApp({ secret: GITHUB_SECRET, port: appPort });
  await until(() => (app?.handled.length ?? 0) === EVENTS, `all ${EVENTS} events at the app`);
  expect([...(app?.handled ?? [])].sort()).toEqual([...deliveries].sort());
});
