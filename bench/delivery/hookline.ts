// Contender 3, Hookline: a real `hookline serve` (compiled build, SQLite durable by default; set
// HOOKLINE_SQLITE_SYNCHRONOUS=FULL-INLINE to compare with SQLite's own synchronous=FULL; the SSRF guard open for
// loopback) as its own process; events go in through its HTTP API exactly as a user's app sends them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { bundleHooklineServer, hooklineServerEntry } from '../lib/hookline-bundle.js';
import { type Child, startChild } from './child-process.js';
import type { Contender, ContenderContext, DeliveryRun } from './contender.js';
import { forEachConcurrently } from './delivery-client.js';
import { hooklineReadyLine } from './hookline-ready.js';

const serverMain = hooklineServerEntry;
const TOKEN = 'bench-admin-token-0123456789abcdef';

export function createContender(): Contender {
  let context: ContenderContext | undefined;
  let child: Child | undefined;
  let api: Pool | undefined;
  let dir: string | undefined;
  let parsedPayload: unknown;
  const appOf = new Map<string, string>();

  const ready = () => {
    if (context === undefined || api === undefined || dir === undefined) throw new Error('hookline: setup() first');
    return { context, api, dir };
  };

  async function call(
    method: 'POST' | 'GET' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const response = await ready().api.request({
      method,
      path,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  async function ok(method: 'POST' | 'GET' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
    const { status, json } = await call(method, path, body);
    if (status >= 300) throw new Error(`hookline: ${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }

  async function publishEvent(run: DeliveryRun, index: number): Promise<void> {
    const appId = appOf.get(run.id);
    if (appId === undefined) throw new Error(`hookline: prepare(${run.id}) first`);
    await ok('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'bench.event',
      eventId: `${run.id}-${index}`,
      payload: parsedPayload,
    });
  }

  /** Events `from` to `to - 1` in one `POST …/msg/batch`; every message must come back 202. */
  async function publishBatch(run: DeliveryRun, from: number, to: number): Promise<void> {
    const appId = appOf.get(run.id);
    if (appId === undefined) throw new Error(`hookline: prepare(${run.id}) first`);
    const messages = [];
    for (let index = from; index < to; index++) {
      messages.push({ eventType: 'bench.event', eventId: `${run.id}-${index}`, payload: parsedPayload });
    }
    // with_content=false: the answer need not carry the payloads back (the single publish's 202 does, but it is
    // one payload; here it would be a hundred).
    const answer = (await ok('POST', `/api/v1/app/${appId}/msg/batch?with_content=false`, { messages })) as {
      data: Array<{ status: number }>;
    };
    const refused = answer.data.filter((item) => item.status !== 202);
    if (answer.data.length !== to - from || refused.length > 0) {
      throw new Error(`hookline: batch ${from}-${to} answered ${JSON.stringify(refused.slice(0, 3))}`);
    }
  }

  async function publishAll(run: DeliveryRun): Promise<void> {
    await forEachConcurrently(run.events, ready().context.concurrency, (index) => publishEvent(run, index));
  }

  return {
    name: 'hookline',

    build: bundleHooklineServer,

    async setup(given) {
      context = given;
      parsedPayload = JSON.parse(given.payload);
      dir = mkdtempSync(join(tmpdir(), 'hookline-bench-'));
      const config = join(dir, 'hookline.json');
      writeFileSync(
        config,
        JSON.stringify({
          delivery: {
            // At most `concurrency` in flight to any one endpoint, as for the other contenders; twice that across
            // endpoints, so a hanging endpoint (the isolation figure) holds its own slots and not everyone's.
            concurrency: given.concurrency * 2,
            concurrencyPerEndpoint: given.concurrency,
            timeoutMs: 10_000,
            retrySchedule: [1, 2, 5, 10, 20, 30, 60],
          },
        }),
      );
      child = await startChild(
        serverMain,
        [
          'serve',
          '--port',
          '0',
          '--database',
          join(dir, 'hookline.db'),
          '--allow-private-networks',
          '--config',
          config,
        ],
        {
          readyTimeoutMs: 30_000,
          env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'info' },
          readyLine: hooklineReadyLine('all'),
          // For profiling the server under the bench, e.g. BENCH_HOOKLINE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p".
          nodeArgs: (process.env.BENCH_HOOKLINE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
        },
      );
      const url = child.ready.url;
      if (typeof url !== 'string')
        throw new Error(`hookline: ready line without a url: ${JSON.stringify(child.ready)}`);
      api = new Pool(url, { connections: given.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
      const health = await call('GET', '/api/v1/health/');
      if (health.status !== 204) throw new Error(`hookline: health answered ${health.status}`);
    },

    async prepare(run) {
      const { context } = ready();
      const app = (await ok('POST', '/api/v1/app', { name: run.id, uid: run.id })) as { id: string };
      appOf.set(run.id, app.id);
      for (const url of run.endpointUrls) {
        await ok('POST', `/api/v1/app/${app.id}/endpoint`, { url, secret: context.secret });
      }
    },

    async fill(run) {
      await ok('POST', '/api/v1/admin/delivery/pause');
      await publishAll(run);
    },

    async release() {
      await ok('POST', '/api/v1/admin/delivery/resume');
    },

    publish: publishAll,

    publishOne: publishEvent,

    publishBatch,

    async fillBacklog(deliveries) {
      // Bench fixture, not a product path: a million publishes through the API would take minutes, so the backlog
      // rows go straight into the database (WAL lets this second connection write beside the server). They are due
      // in a day, so they sit in the queue, in its indexes, through every measured run.
      const { dir } = ready();
      const app = (await ok('POST', '/api/v1/app', { name: 'backlog', uid: 'backlog' })) as { id: string };
      const endpoint = (await ok('POST', `/api/v1/app/${app.id}/endpoint`, { url: 'http://127.0.0.1:9/backlog' })) as {
        id: string;
      };
      const db = new Database(join(dir, 'hookline.db'));
      db.pragma('busy_timeout = 10000');
      try {
        const now = Date.now();
        const due = now + 86_400_000;
        const insertMessage = db.prepare(
          "INSERT INTO messages (id, app_id, event_type, payload, created_at) VALUES (?, ?, 'bench.backlog', '{}', ?)",
        );
        const insertDelivery = db.prepare(
          "INSERT INTO deliveries (id, message_id, endpoint_id, app_id, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
        );
        const chunk = 50_000;
        for (let done = 0; done < deliveries; done += chunk) {
          db.transaction(() => {
            for (let i = done; i < Math.min(deliveries, done + chunk); i++) {
              const suffix = String(i).padStart(10, '0');
              insertMessage.run(`msg_backlog${suffix}`, app.id, now);
              insertDelivery.run(`dlv_backlog${suffix}`, `msg_backlog${suffix}`, endpoint.id, app.id, due, now, now);
            }
          })();
        }
      } finally {
        db.close();
      }
    },

    metricsUrl() {
      if (child === undefined) throw new Error('hookline: setup() first');
      return `${child.ready.url}/metrics`;
    },

    processes: () => (child === undefined ? [] : [{ role: 'serve', pid: child.pid }]),

    async teardown() {
      await api?.close();
      api = undefined;
      await child?.stop();
      child = undefined;
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
