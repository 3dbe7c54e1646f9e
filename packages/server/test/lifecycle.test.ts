// Shutdown and logs: stop() waits for sends in flight (bounded), gives back leases it cannot wait for, and logs
// never carry secrets or tokens.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { serve } from '../src/cli/serve.js';
import { defaultConfig, type ServerConfig } from '../src/config.js';
import { ADMIN_TOKEN, Api, appWithEndpoint, publish } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

let receiver: TestReceiver;
let dir: string;

beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  dir = mkdtempSync(join(tmpdir(), 'hookline-life-'));
});

afterEach(async () => {
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(overrides: Partial<ServerConfig['delivery']> = {}, shutdownDrainMs = 300): ServerConfig {
  const base = defaultConfig();
  return {
    ...base,
    port: 0,
    database: join(dir, 'h.db'),
    adminToken: ADMIN_TOKEN,
    allowPrivateNetworks: true,
    shutdownDrainMs,
    delivery: { ...base.delivery, timeoutMs: 10_000, pollIntervalMs: 200, ...overrides },
  };
}

it('on stop, sends still hanging after the drain bound are aborted and their leases given back, not left sending', async () => {
  receiver.script('/hang', () => 'hang');
  const server = await serve(config(), { logger: pino({ level: 'silent' }) });
  const api = new Api(server.url);
  const { appId } = await appWithEndpoint(api, `${receiver.url}/hang`);
  for (let i = 0; i < 3; i++) await publish(api, appId, { n: i });
  await waitFor(() => receiver.on('/hang').length === 3, 'three hanging sends');
  await server.close();
  const db = new Database(join(dir, 'h.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT status, attempts, lease_until FROM deliveries').all();
    expect(rows).toEqual([
      { status: 'pending', attempts: 0, lease_until: null },
      { status: 'pending', attempts: 0, lease_until: null },
      { status: 'pending', attempts: 0, lease_until: null },
    ]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM attempts').get() as { n: number }).n).toBe(0);
  } finally {
    db.close();
  }
});

it('on stop, a send in flight within the drain bound finishes and is recorded', async () => {
  receiver.script('/slowish', () => ({ status: 200, delayMs: 500 }));
  const server = await serve(config({}, 5000), { logger: pino({ level: 'silent' }) });
  const api = new Api(server.url);
  const { appId } = await appWithEndpoint(api, `${receiver.url}/slowish`);
  await publish(api, appId, { n: 1 });
  await waitFor(() => receiver.on('/slowish').length === 1, 'the send');
  await server.close();
  const db = new Database(join(dir, 'h.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT status, attempts FROM deliveries').get()).toEqual({ status: 'succeeded', attempts: 1 });
    expect(db.prepare('SELECT outcome, status_code FROM attempts').get()).toEqual({
      outcome: 'succeeded',
      status_code: 200,
    });
  } finally {
    db.close();
  }
});

it('logs carry no secret, signature or token', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  receiver.script('/gone', () => ({ status: 410 }));
  const server = await serve(config(), { logger: pino({ level: 'debug' }, sink) });
  const api = new Api(server.url);
  const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/gone`);
  await publish(api, appId, { n: 1 });
  await waitFor(() => lines.some((line) => line.includes('endpoint disabled')), 'the disable log line');
  await fetch(`${server.url}/api/v1/app`, { headers: { authorization: 'Bearer wrong-token-value-123' } });
  await server.close();
  const log = lines.join('');
  expect(log).toContain('hookline started');
  for (const needle of [secret, secret.slice(6), ADMIN_TOKEN, 'wrong-token-value-123', 'v1,']) {
    expect(log).not.toContain(needle);
  }
});
