// The Dockerfile and compose.yaml, built and run for real with podman: on a Node 20 base made here from Debian
// packages (local-base.ts) in place of the public node:20 image, which this machine cannot pull. The image must
// start, answer health, deliver a signed webhook, keep its SQLite data in its volume across a restart, stop cleanly
// on SIGTERM, and run on PostgreSQL with the environment compose.yaml gives it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { standardWebhooks } from '@hookline/signatures';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { waitFor } from '../../packages/server/test/support/receiver.js';
import { SERVICES, serviceAvailable } from '../support/services.js';
import { localNodeBase } from './local-base.js';
import { containerToolsAvailable, Podman, writeContainersConf } from './podman.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_TOKEN = `container-test-${randomBytes(12).toString('hex')}`;
const DATA_DIR = '/var/lib/hookline';
/** Generous bounds for a cold build on a busy 2-core machine; a warm build takes seconds. Not timing assertions. */
const BUILD_TIMEOUT_MS = 30 * 60_000;
const START_TIMEOUT_MS = 120_000;

const tools = containerToolsAvailable();
const postgres = tools && (await serviceAvailable('postgres'));

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

function log(line: string): void {
  console.log(`[container] ${line}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function api<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

async function healthStatus(baseUrl: string): Promise<number | null> {
  try {
    return (await fetch(`${baseUrl}/api/v1/health/`)).status;
  } catch {
    return null;
  }
}

/** Compose's `${NAME:-default}` and `${NAME:?message}` interpolation, for the values compose.yaml uses. */
function interpolate(value: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name: string, kind?: string, rest?: string) => {
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (kind === '-') return rest ?? '';
    throw new Error(`compose.yaml needs ${name}: ${rest ?? ''}`);
  });
}

describe.skipIf(!tools)('the container image (Dockerfile, compose.yaml)', () => {
  let podman: Podman;
  let workDir: string;
  let base = '';
  let image = '';
  const containers: string[] = [];
  const volumes: string[] = [];

  async function start(name: string, env: Record<string, string>, volume?: string): Promise<string> {
    const port = await freePort();
    const args = ['run', '-d', '--name', name];
    // Loopback only, as every test here; the image's own default is every interface (HOST=0.0.0.0).
    for (const [key, value] of Object.entries({ ...env, HOST: '127.0.0.1', PORT: String(port) })) {
      args.push('-e', `${key}=${value}`);
    }
    if (volume !== undefined) args.push('-v', `${volume}:${DATA_DIR}`);
    containers.push(name);
    await podman.ok([...args, image]);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        const state = await podman.ok(['inspect', '--format', '{{.State.Status}}', name]);
        if (state === 'exited') {
          const logs = await podman.run(['logs', name]);
          throw new Error(`container ${name} exited:\n${logs.stdout}${logs.stderr}`);
        }
        return (await healthStatus(url)) === 204;
      },
      `container ${name} to answer GET /api/v1/health/`,
      START_TIMEOUT_MS,
    );
    return url;
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hookline-container-'));
    podman = new Podman(writeContainersConf(workDir));
    const baseStarted = Date.now();
    base = await localNodeBase(podman, log);
    const baseSeconds = (Date.now() - baseStarted) / 1000;
    image = `localhost/hookline-test:${process.pid}-${randomBytes(4).toString('hex')}`;
    const buildStarted = Date.now();
    const buildLog: string[] = [];
    try {
      await podman.ok(['build', '--format', 'docker', '--build-arg', `BASE=${base}`, '-t', image, ROOT], {
        onOutput: (chunk) => buildLog.push(chunk),
      });
    } catch (error) {
      log(buildLog.join('').slice(-20_000));
      throw error;
    }
    const buildSeconds = (Date.now() - buildStarted) / 1000;
    const size = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', image]));
    const baseSize = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', base]));
    log(
      `base ${base} ready in ${baseSeconds.toFixed(1)} s; image built in ${buildSeconds.toFixed(1)} s; ` +
        `${(size / 1e6).toFixed(1)} MB, of which Hookline adds ${((size - baseSize) / 1e6).toFixed(1)} MB`,
    );
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (podman === undefined) return;
    for (const name of containers) await podman.run(['rm', '-f', '-t', '5', name]);
    for (const volume of volumes) await podman.run(['volume', 'rm', '-f', volume]);
    // The tag only: the layers stay in podman's cache for the next run.
    if (image !== '') await podman.run(['rmi', image]);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('runs as a non-root user, with the data in a volume, HOOKLINE_* settings, a healthcheck and production dependencies only', async () => {
    const [inspected] = JSON.parse(await podman.ok(['image', 'inspect', image])) as Array<{
      Config: {
        User: string;
        Volumes: Record<string, unknown> | null;
        Env: string[];
        ExposedPorts: Record<string, unknown> | null;
        Entrypoint: string[];
        Cmd: string[];
      };
      // Docker-format images keep it here (an OCI image config has no healthcheck: hence --format docker).
      Healthcheck?: { Test: string[] };
      Size: number;
    }>;
    const config = inspected?.Config;
    expect(config?.User).toBe('hookline');
    expect(Object.keys(config?.Volumes ?? {})).toEqual([DATA_DIR]);
    expect(config?.Env).toContain(`HOOKLINE_DATABASE=${DATA_DIR}/hookline.db`);
    expect(Object.keys(config?.ExposedPorts ?? {})).toEqual(['8080/tcp']);
    expect(inspected?.Healthcheck?.Test.join(' ')).toContain('/api/v1/health/');
    expect([...(config?.Entrypoint ?? []), ...(config?.Cmd ?? [])]).toEqual(['hookline', 'serve']);

    // The runtime stage holds no compiler, no TypeScript, no test tooling: only what `hookline serve` loads.
    const probe = await podman.ok([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      image,
      '-c',
      'id -u; command -v g++ make python3 || true; cd /app/node_modules; ls -d typescript vitest svix @biomejs/biome better-sqlite3/build/Release/better_sqlite3.node fastify pg 2>/dev/null || true',
    ]);
    const [uid, ...rest] = probe.split('\n');
    expect(Number(uid)).not.toBe(0);
    expect(rest.sort()).toEqual(['better-sqlite3/build/Release/better_sqlite3.node', 'fastify', 'pg']);
    // What Hookline adds over its base (the production node_modules and the built server); a regression that ships
    // dev dependencies or build objects shows here.
    const baseSize = Number(await podman.ok(['image', 'inspect', '--format', '{{.Size}}', base]));
    expect(inspected?.Size ?? 0).toBeLessThan(baseSize + 60e6);
  });

  it('starts on SQLite, answers GET /api/v1/health/ with 204, delivers a signed webhook, keeps its data across a restart', async () => {
    const received: Received[] = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    try {
      const volume = `hookline-test-${process.pid}-${randomBytes(4).toString('hex')}`;
      volumes.push(volume);
      await podman.ok(['volume', 'create', volume]);
      const env = { HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN, HOOKLINE_ALLOW_PRIVATE_NETWORKS: 'true' };
      const first = `${volume}-a`;
      const url = await start(first, env, volume);
      expect(await healthStatus(url)).toBe(204);
      // The image's HEALTHCHECK, run as the engine would run it.
      expect((await podman.run(['healthcheck', 'run', first])).code).toBe(0);

      await api(url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' });
      const endpoint = await api<{ id: string }>(url, 'POST', '/api/v1/app/acme/endpoint', {
        url: `http://127.0.0.1:${receiverPort}/webhooks`,
      });
      const { key } = await api<{ key: string }>(url, 'GET', `/api/v1/app/acme/endpoint/${endpoint.id}/secret`);
      await api(url, 'POST', '/api/v1/app/acme/msg', { eventType: 'invoice.paid', payload: { invoiceId: 'in_1' } });
      await waitFor(() => received.length > 0, 'the container to deliver the webhook', START_TIMEOUT_MS);
      const delivery = received[0] as Received;
      await standardWebhooks.verify({ body: delivery.body, headers: delivery.headers, secret: key });
      expect(JSON.parse(delivery.body)).toEqual({ invoiceId: 'in_1' });

      // SIGTERM reaches the server as PID 1 and it stops cleanly (a process that ignored it would be killed: 137).
      await podman.ok(['stop', '-t', '60', first]);
      expect(await podman.ok(['inspect', '--format', '{{.State.ExitCode}}', first])).toBe('0');

      const second = await start(`${volume}-b`, env, volume);
      const app = await api<{ uid: string }>(second, 'GET', '/api/v1/app/acme');
      expect(app.uid).toBe('acme');
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it.skipIf(!postgres)("runs on PostgreSQL with compose.yaml's environment for the hookline service", async () => {
    const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { build?: string; environment?: Record<string, string>; ports?: string[] }>;
    };
    const service = compose.services.hookline;
    const db = compose.services.db;
    expect(service?.build).toBe('.');
    expect(service?.ports).toEqual(['127.0.0.1:8080:8080']);
    const env = Object.fromEntries(
      Object.entries(service?.environment ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value), { HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN }),
      ]),
    );
    // The URL points at the db service with the credentials that service is created with.
    const composed = new URL(env.HOOKLINE_DATABASE ?? '');
    const dbEnv = Object.fromEntries(
      Object.entries(db?.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), {})]),
    );
    expect(composed.hostname).toBe('db');
    expect(composed.username).toBe(dbEnv.POSTGRES_USER);
    expect(composed.password).toBe(dbEnv.POSTGRES_PASSWORD);
    expect(composed.pathname).toBe(`/${dbEnv.POSTGRES_DB}`);
    expect(env.HOOKLINE_ADMIN_TOKEN).toBe(ADMIN_TOKEN);

    // The machine's PostgreSQL stands in for the db service; a fresh schema keeps this run apart from others.
    const schema = `hl_${randomBytes(6).toString('hex')}`;
    const database = new URL(SERVICES.postgres.url);
    database.searchParams.set('schema', schema);
    try {
      const url = await start(`hookline-test-pg-${process.pid}-${randomBytes(4).toString('hex')}`, {
        ...env,
        HOOKLINE_DATABASE: database.toString(),
      });
      await api(url, 'POST', '/api/v1/app', { name: 'Acme', uid: 'acme' });
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ uid: string }>(`SELECT uid FROM ${schema}.applications`);
        expect(rows.map((row) => row.uid)).toEqual(['acme']);
      } finally {
        await client.end();
      }
    } finally {
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    }
  });
});
