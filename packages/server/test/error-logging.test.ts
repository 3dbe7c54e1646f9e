// Every 5xx the API answers is one log line an operator can find from the answer: the request id the client got in
// `x-request-id`, the method and route, the status and the error; never the body, the query or a token. Before,
// the Fastify app was created without the server's logger and 500s were logged nowhere.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/cli/serve.js';
import { defaultConfig } from '../src/config.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { ADMIN_TOKEN } from './support/hookline.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
    done();
  },
});
const dir = mkdtempSync(join(tmpdir(), 'hookline-logging-'));
let server: RunningServer;

beforeAll(async () => {
  server = await serve(
    { ...defaultConfig(), port: 0, database: join(dir, 'hookline.db'), adminToken: ADMIN_TOKEN, logLevel: 'info' },
    { logger: pino({ level: 'info' }, sink) },
  );
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

it('a 500 logs one error line with the request id the client was given, and nothing of the request', async () => {
  const app = (await (await call('POST', '/api/v1/app', { name: 'logged', uid: 'logged' })).json()) as { id: string };
  const db = (server.store as SqliteStore).db;
  // A real failure inside the store: the table is gone for as long as the request runs.
  db.exec('ALTER TABLE messages RENAME TO messages_away');
  const before = lines.length;
  let response: Response;
  try {
    response = await call('POST', `/api/v1/app/${app.id}/msg?marker=query-secret-123`, {
      eventType: 'logged.event',
      payload: { card: 'payload-secret-456' },
    });
  } finally {
    db.exec('ALTER TABLE messages_away RENAME TO messages');
  }
  expect(response.status).toBe(500);
  expect(await response.json()).toEqual({ code: 'internal_error', detail: 'internal server error' });
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[\w.:-]{8,}$/);

  const logged = lines.slice(before).filter((line) => line.reqId === requestId);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({
    level: 50,
    method: 'POST',
    route: '/api/v1/app/:appId/msg',
    statusCode: 500,
    error: { type: 'SqliteError', message: expect.stringContaining('no such table') },
  });
  const text = JSON.stringify(lines.slice(before));
  for (const secret of ['query-secret-123', 'payload-secret-456', ADMIN_TOKEN, app.id]) {
    expect(text).not.toContain(secret);
  }
});

it('a 4xx logs nothing, and every answer carries its request id', async () => {
  const before = lines.length;
  const response = await call('GET', '/api/v1/app/nope');
  expect(response.status).toBe(404);
  expect(response.headers.get('x-request-id')).toMatch(/^[\w.:-]{8,}$/);
  expect(lines.slice(before).filter((line) => (line.level as number) >= 40)).toEqual([]);
});

it('a caller-supplied x-request-id is kept when it is a plain token, and replaced when it is not', async () => {
  const kept = await fetch(`${server.url}/api/v1/health/`, { headers: { 'x-request-id': 'lb-7f3a.1:9' } });
  expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.1:9');
  const replaced = await fetch(`${server.url}/api/v1/health/`, { headers: { 'x-request-id': 'a b"{}' } });
  expect(replaced.headers.get('x-request-id')).not.toBe('a b"{}');
  expect(replaced.headers.get('x-request-id')).toMatch(/^[\w.:-]{8,}$/);
});
