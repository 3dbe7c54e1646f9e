// One server per process, forked by run.ts: `servers.ts <name>`. It listens on loopback port 0 and reports over
// IPC what the load needs (port, application, API key). Hookline also answers `mark` (where its messages table
// ends now) and `stored` (the request tags of the messages stored after a mark: run.ts checks them per request).
//   baseline  a bare Fastify route that parses the same JSON body and answers 202 with the same shape of body
//   hookline  `hookline serve` on a temp SQLite file (synchronous=FULL, so each publish is on disk before its 202),
//             one application with one endpoint, an admin API key (auth on), delivery paused: the publish path
//             is measured, not the sends (deliveries are still written, one per message)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { serve } from '../../packages/server/src/cli/serve.js';
import { defaultConfig } from '../../packages/server/src/config.js';
import type { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';

export type ServerName = 'baseline' | 'hookline';

export interface ServerReady {
  port: number;
  appId: string;
  apiKey: string;
}

export type ServerQuestion = { ask: 'mark' } | { ask: 'stored'; after: number };

/** What the harness may ask a server after it is ready; the bare route stores nothing and is never asked. */
interface Answers {
  mark(): number;
  stored(after: number): string[];
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const name = process.argv[2] as ServerName;
const send = (message: unknown) => process.send?.(message);

async function baseline(): Promise<Answers | null> {
  let answered = 0;
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.post('/api/v1/app/:appId/msg', async (request, reply) => {
    const body = request.body as { eventType: string; payload: unknown };
    answered++;
    return reply.code(202).send({
      id: `msg_${answered}`,
      eventType: body.eventType,
      eventId: null,
      payload: body.payload,
      channels: null,
      timestamp: new Date().toISOString(),
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  send({
    port: typeof address === 'object' && address !== null ? address.port : 0,
    appId: 'app_bench',
    apiKey: 'none',
  });
  return null;
}

async function hookline(): Promise<Answers> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-api-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = await serve(
    {
      ...defaultConfig(),
      port: 0,
      database: join(dir, 'hookline.db'),
      adminToken: ADMIN_TOKEN,
      allowPrivateNetworks: true,
      logLevel: 'warn',
    },
    { logger: pino({ level: 'warn' }) },
  );
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text === '' ? null : JSON.parse(text)) as T;
  };
  await call('POST', '/api/v1/admin/delivery/pause');
  const app = await call<{ id: string }>('POST', '/api/v1/app', { name: 'bench' });
  // Port 9 (discard) on loopback: nothing is sent while delivery is paused; the URL only has to be valid.
  await call('POST', `/api/v1/app/${app.id}/endpoint`, { url: 'http://127.0.0.1:9/hook' });
  const key = await call<{ key: string }>('POST', '/api/v1/auth/api-key', { name: 'bench' });
  // Read beside the server's connection, untimed, between phases.
  const db = (server.store as SqliteStore).db;
  const end = db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM messages').pluck();
  const since = db.prepare('SELECT payload FROM messages WHERE rowid > ?').pluck();
  send({ port: new URL(server.url).port, appId: app.id, apiKey: key.key });
  return {
    mark: () => end.get() as number,
    stored: (after) =>
      (since.all(after) as Array<string | Buffer>).map((payload) => {
        const parsed = JSON.parse(payload.toString()) as { metadata?: { request?: unknown } };
        return String(parsed.metadata?.request ?? '');
      }),
  };
}

const answers = name === 'baseline' ? await baseline() : await hookline();
process.on('message', (question: ServerQuestion) => {
  if (answers === null) throw new Error(`the ${name} server stores nothing to ask about`);
  if (question.ask === 'mark') send({ mark: answers.mark() });
  else send({ tags: answers.stored(question.after) });
});
process.on('disconnect', () => process.exit(0));
