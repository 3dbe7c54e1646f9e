// The operator CLI as people and scripts run it: a real process against a real server on loopback.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstIdAt } from '../src/ids.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { CLI_TEST_TIMEOUT_MS, startCli } from './support/cli-process.js';
import { ADMIN_TOKEN, publish, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

/** A loopback URL where nothing listens: a port the OS just gave us, closed again. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const start = startCli;

describe('hookline CLI against a running server', () => {
  let hookline: TestHookline;
  const receiver = new TestReceiver();
  let env: Record<string, string>;
  let broken = true;
  const cli = (...args: string[]) => start(args, env).exited;

  beforeAll(async () => {
    await receiver.start();
    receiver.script('/flaky', () => (broken ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
    hookline = await startHookline({ retrySchedule: [0.05] });
    env = { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: ADMIN_TOKEN };
  });
  afterAll(async () => {
    await hookline?.stop();
    await receiver.stop();
  });

  it(
    'apps and endpoints: create, list and delete, in JSON and in columns',
    async () => {
      const created = await cli('--json', 'apps', 'create', 'Acme', '--uid', 'acme-cli');
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const app = JSON.parse(created.stdout) as { id: string; uid: string };
      expect(app.uid).toBe('acme-cli');

      const listed = JSON.parse((await cli('--json', 'apps', 'list')).stdout) as Array<{ id: string }>;
      expect(listed.map((item) => item.id)).toContain(app.id);
      const table = await cli('apps', 'list');
      expect(table.stdout).toMatch(/^ID\s+UID\s+NAME\s+CREATED\n/);
      expect(table.stdout).toContain('acme-cli');

      const endpoint = JSON.parse(
        (await cli('--json', 'endpoints', 'create', 'acme-cli', `${receiver.url}/cli`, '--event-types', 'a.b,c.d'))
          .stdout,
      ) as { id: string; filterTypes: string[] };
      expect(endpoint.filterTypes).toEqual(['a.b', 'c.d']);
      const endpoints = JSON.parse((await cli('--json', 'endpoints', 'list', 'acme-cli')).stdout) as Array<{
        id: string;
      }>;
      expect(endpoints.map((item) => item.id)).toEqual([endpoint.id]);
      const withUid = await cli('endpoints', 'create', 'acme-cli', `${receiver.url}/cli-uid`, '--uid', 'billing');
      expect(withUid.stdout).toMatch(
        new RegExp(`^created endpoint ep_\\w+ \\(uid billing\\) -> ${receiver.url}/cli-uid\\n`),
      );
      const columns = (await cli('endpoints', 'list', 'acme-cli')).stdout;
      expect(columns).toMatch(/^ID\s+UID\s+URL\s+STATE\s+EVENT TYPES\n/);
      expect(columns).toMatch(/ep_\w+\s+billing\s+http:/);
      expect((await cli('endpoints', 'delete', 'acme-cli', 'billing')).code).toBe(0);

      expect((await cli('endpoints', 'delete', 'acme-cli', endpoint.id)).code).toBe(0);
      expect(JSON.parse((await cli('--json', 'endpoints', 'list', 'acme-cli')).stdout)).toEqual([]);
      expect((await cli('apps', 'delete', 'acme-cli')).stdout).toContain('deleted application acme-cli');
      const gone = await cli('apps', 'delete', 'acme-cli');
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('404');
      expect(gone.stderr).toContain('hint:');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'endpoints update sets retry schedule, throttle, headers, status policy, disable/enable; secret and rotate',
    async () => {
      await cli('apps', 'create', 'Tuned', '--uid', 'tuned');
      await cli('endpoints', 'create', 'tuned', `${receiver.url}/tuned`, '--uid', 'main');
      const updated = await cli(
        '--json',
        ...['endpoints', 'update', 'tuned', 'main', '--retry-schedule', '5,60,300', '--throttle', '20'],
        ...['--status-policy', '4xx,!408,!429', '--header', 'X-Team: billing', '--header', 'X-Env: test', '--disable'],
      );
      expect(updated.stderr).toBe('');
      expect(JSON.parse(updated.stdout)).toMatchObject({
        retrySchedule: [5, 60, 300],
        throttleRate: 20,
        nonRetryableStatuses: '4xx,!408,!429',
        disabled: true,
      });
      const headers = await hookline.api.ok<{ headers: Record<string, string> }>(
        'GET',
        '/api/v1/app/tuned/endpoint/main/headers',
      );
      expect(headers.headers).toEqual({ 'X-Team': 'billing', 'X-Env': 'test' });

      const back = await cli(
        ...['endpoints', 'update', 'tuned', 'main', '--retry-schedule', 'default', '--throttle', 'none'],
        ...['--status-policy', 'none', '--remove-header', 'X-Env', '--enable'],
      );
      expect(back.code).toBe(0);
      expect(back.stdout).toContain('state:          enabled');
      expect(back.stdout).toContain("retry schedule: the server's default");
      expect(back.stdout).toContain('throttle:       none');
      const after = await hookline.api.ok<{ headers: Record<string, string> }>(
        'GET',
        '/api/v1/app/tuned/endpoint/main/headers',
      );
      expect(after.headers).toEqual({ 'X-Team': 'billing' });

      // The server judges the values; the CLI prints its refusal.
      const refused = await cli('endpoints', 'update', 'tuned', 'main', '--status-policy', '7xx');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('422');
      const nothing = await cli('endpoints', 'update', 'tuned', 'main');
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toContain('no change given');

      const secret = await cli('endpoints', 'secret', 'tuned', 'main');
      expect(secret.stdout).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);
      const rotated = await cli('endpoints', 'rotate', 'tuned', 'main');
      expect(rotated.code).toBe(0);
      const fresh = /whsec_\S+/.exec(rotated.stdout)?.[0];
      expect(fresh).toBeDefined();
      expect(fresh).not.toBe(secret.stdout.trim());
      expect((await cli('endpoints', 'secret', 'tuned', 'main')).stdout.trim()).toBe(fresh);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'endpoints create and update choose the signature scheme, payload format and an Ed25519 key; rotate takes --key-type',
    async () => {
      await cli('apps', 'create', 'Signed', '--uid', 'signed');
      const created = await cli(
        '--json',
        ...['endpoints', 'create', 'signed', `${receiver.url}/signed`, '--uid', 'gh'],
        ...['--signature-scheme', 'github', '--payload-format', 'form'],
      );
      expect(created.stderr).toBe('');
      expect(JSON.parse(created.stdout)).toMatchObject({ signatureScheme: 'github', payloadFormat: 'form' });
      const back = await cli('endpoints', 'update', 'signed', 'gh', '--signature-scheme', 'hmac-sha256');
      expect(back.stdout).toContain('signing:        hmac-sha256, body form');
      await cli('endpoints', 'create', 'signed', `${receiver.url}/ed`, '--uid', 'ed', '--key-type', 'ed25519');
      expect((await cli('endpoints', 'secret', 'signed', 'ed')).stdout).toMatch(/^whpk_[A-Za-z0-9+/=]+\n$/);
      const rotated = await cli('endpoints', 'rotate', 'signed', 'gh', '--key-type', 'ed25519');
      expect(rotated.code).toBe(1);
      expect(rotated.stderr).toContain('422');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'endpoints create and update set ordering; send takes --ordering-key; endpoints held lists held keys',
    async () => {
      await cli('apps', 'create', 'Ordered', '--uid', 'ordered');
      const created = await cli(
        '--json',
        ...['endpoints', 'create', 'ordered', `${receiver.url}/ordered`, '--uid', 'fifo'],
        ...['--ordering', 'fifo', '--on-dead-head', 'hold'],
      );
      expect(created.stderr).toBe('');
      expect(JSON.parse(created.stdout)).toMatchObject({ ordering: 'fifo', orderingOnDead: 'hold' });
      const back = await cli('endpoints', 'update', 'ordered', 'fifo', '--on-dead-head', 'skip');
      expect(back.stdout).toContain('ordering:       fifo per ordering key, dead head: skip');
      const sent = await cli('--json', 'send', 'ordered', 'order.updated', '{"n":1}', '--ordering-key', 'cus_1');
      expect(JSON.parse(sent.stdout)).toMatchObject({ orderingKey: 'cus_1' });
      const held = await cli('--json', 'endpoints', 'held', 'ordered', 'fifo');
      expect(held.code).toBe(0);
      expect(JSON.parse(held.stdout)).toEqual({ data: [] });
      const refused = await cli('endpoints', 'update', 'ordered', 'fifo', '--ordering', 'lifo');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('422');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'endpoints create and update set a payload filter; a bad one is the server 422 with where it is wrong',
    async () => {
      await cli('apps', 'create', 'Filtered', '--uid', 'filtered');
      const created = await cli(
        '--json',
        ...['endpoints', 'create', 'filtered', `${receiver.url}/filtered`, '--uid', 'eur'],
        ...['--payload-filter', '{"data.currency":"EUR"}'],
      );
      expect(created.stderr).toBe('');
      expect(JSON.parse(created.stdout)).toMatchObject({ payloadFilter: { 'data.currency': 'EUR' } });
      const changed = await cli('endpoints', 'update', 'filtered', 'eur', '--payload-filter', '{"data.n":{"$gt":1}}');
      expect(changed.stdout).toContain('payload filter: {"data.n":{"$gt":1}}');
      const refused = await cli(
        'endpoints',
        'update',
        'filtered',
        'eur',
        '--payload-filter',
        '{"data.n":{"$regex":"a"}}',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('422');
      expect(refused.stderr).toContain('$regex');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'operational-webhooks: create, list, secret and delete; the endpoint created gets the operational events it chose',
    async () => {
      const created = await cli(
        '--json',
        ...['operational-webhooks', 'create', `${receiver.url}/ops`, '--uid', 'ops'],
        ...['--event-types', 'endpoint.created,endpoint.deleted', '--description', 'on call'],
      );
      expect(created.stderr).toBe('');
      const operational = JSON.parse(created.stdout) as { id: string; filterTypes: string[] };
      expect(operational.filterTypes).toEqual(['endpoint.created', 'endpoint.deleted']);
      const columns = (await cli('operational-webhooks', 'list')).stdout;
      expect(columns).toMatch(/^ID\s+UID\s+URL\s+STATE\s+EVENT TYPES\n/);
      expect(columns).toContain(`${operational.id}  ops`);
      expect((await cli('operational-webhooks', 'secret', 'ops')).stdout).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);

      // A tenant endpoint created through the CLI is told to the operational endpoint, signed, by the engine.
      await cli('apps', 'create', 'Watched', '--uid', 'watched');
      const tenant = JSON.parse(
        (await cli('--json', 'endpoints', 'create', 'watched', `${receiver.url}/watched`)).stdout,
      ) as { id: string };
      const told = () =>
        receiver.requests
          .filter((r) => r.path === '/ops')
          .map((r) => JSON.parse(r.body) as { type: string; data: object });
      await waitFor(() => told().some((event) => event.type === 'endpoint.created'), 'endpoint.created told', 30_000);
      expect(told().find((event) => event.type === 'endpoint.created')?.data).toMatchObject({
        appUid: 'watched',
        endpointId: tenant.id,
      });
      expect(receiver.requests.find((r) => r.path === '/ops')?.headers['webhook-signature']).toMatch(/^v1,/);

      const refused = await cli(
        'operational-webhooks',
        'create',
        `${receiver.url}/ops2`,
        '--event-types',
        'order.paid',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('422');
      expect((await cli('operational-webhooks', 'delete', 'ops')).stdout).toContain('deleted operational webhook ops');
      expect(JSON.parse((await cli('--json', 'operational-webhooks', 'list')).stdout)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'a HOOKLINE_URL that ends in /api/v1 is refused with the address to use instead',
    async () => {
      const run = await start(['apps', 'list'], {
        HOOKLINE_URL: `${hookline.server.url}/api/v1`,
        HOOKLINE_TOKEN: ADMIN_TOKEN,
      }).exited;
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`without /api/v1 (the CLI adds it): use ${hookline.server.url}`);
      expect(run.stderr).not.toContain('/api/v1/api/v1');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'send publishes inline JSON and @file, and refuses a payload that is not a JSON object',
    async () => {
      await cli('apps', 'create', 'Sender', '--uid', 'sender');
      const inline = await cli('--json', 'send', 'sender', 'invoice.paid', '{"id":"in_1"}');
      expect(inline.code).toBe(0);
      const message = JSON.parse(inline.stdout) as { id: string; eventType: string; payload: unknown };
      expect(message).toMatchObject({ eventType: 'invoice.paid', payload: { id: 'in_1' } });
      const file = join(hookline.dir, 'payload.json');
      writeFileSync(file, '{"id":"in_2","amount":5}');
      const fromFile = await cli('send', 'sender', 'invoice.paid', `@${file}`);
      expect(fromFile.stdout).toMatch(/^sent msg_\w+ \(invoice\.paid\)\n$/);

      const bad = await cli('send', 'sender', 'invoice.paid', '{not json');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('the payload is not JSON');
      expect(bad.stderr).toContain('hint:');
      const array = await cli('send', 'sender', 'invoice.paid', '[1,2]');
      expect(array.stderr).toContain('must be a JSON object');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'a server that is not there gets a hint to check the URL; a wrong token a hint to check the token',
    async () => {
      const nobody = await closedPort();
      const refused = await start(['apps', 'list'], { HOOKLINE_URL: nobody, HOOKLINE_TOKEN: 'x' }).exited;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is hookline serve running at ${nobody}? set --url or HOOKLINE_URL`);
      const json = await start(['--json', 'apps', 'list'], { HOOKLINE_URL: nobody, HOOKLINE_TOKEN: 'x' }).exited;
      expect(JSON.parse(json.stderr)).toMatchObject({ code: 'unreachable' });

      const wrong = await start(['apps', 'list'], { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: 'wrong-token' })
        .exited;
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('401');
      expect(wrong.stderr).toContain('check --token or HOOKLINE_TOKEN');
      expect(wrong.stderr).not.toContain('wrong-token');
      const none = await start(['apps', 'list'], { HOOKLINE_URL: hookline.server.url }).exited;
      expect(none.stderr).toContain('set --token or HOOKLINE_TOKEN');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'tail prints attempts as they happen, filtered, and --count ends it',
    async () => {
      await cli('apps', 'create', 'Tailed', '--uid', 'tailed');
      await cli('endpoints', 'create', 'tailed', `${receiver.url}/tail`);
      const tail = start(
        ['--json', 'tail', 'tailed', '--event-type', 'order.created', '--interval', '100', '--count', '2'],
        env,
      );
      await waitFor(() => tail.stderr().includes('tailing'), 'tail to start');
      await cli('send', 'tailed', 'order.ignored', '{"n":0}');
      await cli('send', 'tailed', 'order.created', '{"n":1}');
      await cli('send', 'tailed', 'order.created', '{"n":2}');
      const run = await tail.exited;
      expect(run.code).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { eventType: string; status: number; responseStatusCode: number });
      expect(lines).toHaveLength(2);
      expect(lines.every((line) => line.eventType === 'order.created' && line.responseStatusCode === 200)).toBe(true);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'replay sends dead deliveries again, with plain progress lines off a TTY and a summary',
    async () => {
      // Set up through the API: the CLI under test here is replay.
      const { api } = hookline;
      await api.ok('POST', '/api/v1/app', { name: 'Replayed', uid: 'replayed' });
      const endpoint = (
        await api.ok<{ id: string }>('POST', '/api/v1/app/replayed/endpoint', { url: `${receiver.url}/flaky` })
      ).id;
      for (let i = 0; i < 3; i++) await publish(api, 'replayed', { n: i }, { eventType: 'job.done' });
      await waitFor(
        async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) >= 3,
        'three dead deliveries',
      );
      const dry = await cli('replay', 'replayed', '--endpoint', endpoint, '--dry-run');
      // What it would replay, one row each, then the count.
      const lines = dry.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^MESSAGE\s+ENDPOINT\s+STATE\s+LAST$/);
      expect(
        lines.slice(1, 4).every((line) => new RegExp(`^msg_\\w+\\s+${endpoint}\\s+dead\\s+HTTP 500$`).test(line)),
      ).toBe(true);
      expect(lines[4]).toBe('would replay 3 of 3 deliveries');
      const dryJson = JSON.parse((await cli('--json', 'replay', 'replayed', '--dry-run')).stdout) as {
        deliveries: Array<{ msgId: string; endpointId: string; state: string }>;
      };
      expect(dryJson.deliveries).toHaveLength(3);
      expect(dryJson.deliveries.every((target) => target.endpointId === endpoint && target.state === 'dead')).toBe(
        true,
      );

      broken = false;
      const run = await cli('replay', 'replayed', '--endpoint', endpoint, '--since', '2020-01-01T00:00:00Z');
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('replaying: 1/3\nreplaying: 2/3\nreplaying: 3/3\n');
      expect(run.stderr).not.toContain('\r');
      expect(run.stdout).toBe('replayed 3 of 3 deliveries\n');
      await waitFor(
        async () => receiver.on('/flaky').filter((request) => request.headers['webhook-id'] !== undefined).length >= 9,
        'three replayed deliveries to arrive',
      );
      await waitFor(
        async () => (await hookline.server.store.countDeliveries({ status: 'dead' })) === 0,
        'no dead deliveries left',
      );
      const again = JSON.parse((await cli('--json', 'replay', 'replayed')).stdout);
      expect(again).toMatchObject({ found: 0, queued: 0, failed: 0 });
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'replay reads --since and --until as the API reads a date-time: a bare number or a leap second is refused',
    async () => {
      // Date.parse took "1" as the year 2001, so this replayed everything since then.
      for (const args of [
        ['--since', '1'],
        ['--until', '2016-12-31T23:59:60Z'],
      ]) {
        const run = await cli('replay', 'replayed', '--dry-run', ...args);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`${args[0]} must be a date-time`);
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('hookline replay --retrying', () => {
  it(
    'also replays deliveries whose latest attempt failed while they still wait for a retry',
    async () => {
      const receiver = new TestReceiver();
      await receiver.start();
      let broken = true;
      receiver.script('/slow-retry', () => (broken ? { status: 503, body: 'busy' } : { status: 200, body: 'ok' }));
      // The retry after the first failure is an hour away: only a replay can deliver it within this test.
      const hookline = await startHookline({ retrySchedule: [3600] });
      const env = { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: ADMIN_TOKEN };
      try {
        await hookline.api.ok('POST', '/api/v1/app', { name: 'Retrying', uid: 'retrying' });
        await hookline.api.ok('POST', '/api/v1/app/retrying/endpoint', { url: `${receiver.url}/slow-retry` });
        await publish(hookline.api, 'retrying', { n: 1 }, { eventType: 'job.done' });
        await waitFor(() => receiver.on('/slow-retry').length === 1, 'the first, failing attempt');
        await waitFor(
          async () =>
            (
              await hookline.server.store.listRecentAttempts(
                (await hookline.server.store.getApplication('retrying'))?.id ?? '',
                { limit: 1 },
              )
            ).length === 1,
          'the failed attempt to be recorded',
        );
        expect(JSON.parse((await start(['--json', 'replay', 'retrying'], env).exited).stdout)).toMatchObject({
          found: 0,
        });
        broken = false;
        const run = await start(['--json', 'replay', 'retrying', '--retrying'], env).exited;
        expect(JSON.parse(run.stdout)).toMatchObject({ found: 1, queued: 1, failed: 0 });
        await waitFor(() => receiver.on('/slow-retry').length === 2, 'the replayed attempt');
      } finally {
        await hookline.stop();
        await receiver.stop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('hookline migrate', () => {
  it(
    'creates and migrates the database, then exits',
    async () => {
      const hookline = await startHookline();
      const database = join(hookline.dir, 'fresh', 'migrated.db');
      try {
        const run = await start(['--json', 'migrate', '--database', database], {}).exited;
        expect(run.code).toBe(0);
        // resealed / unreadable: the encryption-at-rest pass migrate runs over the secrets (none in a new database).
        expect(JSON.parse(run.stdout)).toEqual({ database, migrated: true, resealed: 0, unreadable: 0 });
        expect(existsSync(database)).toBe(true);
        const twice = await start(['migrate', '--database', database], {}).exited;
        expect(twice.stdout).toBe(
          `migrations applied to ${database}; 0 stored secret and header values rewritten under the configured keys\n`,
        );
      } finally {
        await hookline.stop();
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('hookline prune', () => {
  it(
    'runs one retention pass on the database, says what went, and exits',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookline-prune-'));
      const database = join(dir, 'prune.db');
      const DAY_MS = 86_400_000;
      try {
        const store = new SqliteStore({ path: database });
        await store.migrate();
        const app = await store.createApplication({ name: 'acme' }, Date.now());
        // Rows of a long-running server, written as they were (ids carry their time; this process made later ones).
        const insert = store.db.prepare(
          'INSERT INTO messages (id, app_id, event_type, payload, created_at) VALUES (?, ?, ?, ?, ?)',
        );
        const at = (days: number) => Date.now() - days * DAY_MS;
        const old = firstIdAt('msg', at(100));
        const middle = firstIdAt('msg', at(40));
        const recent = firstIdAt('msg', at(1));
        insert.run(old, app.id, 'invoice.paid', '{"a":1}', at(100));
        insert.run(middle, app.id, 'invoice.paid', '{"a":2}', at(40));
        insert.run(recent, app.id, 'invoice.paid', '{"a":3}', at(1));
        await store.close();

        const run = await start(['--json', 'prune', '--database', database], {}).exited;
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({
          database,
          payloadDays: 30,
          historyDays: 90,
          messages: 1,
          payloads: 1,
          logRows: 0,
        });
        const after = new SqliteStore({ path: database });
        try {
          expect(await after.getMessage(app.id, old)).toBeNull();
          expect(await after.getMessage(app.id, middle)).toMatchObject({ payload: '' });
          expect(await after.getMessage(app.id, recent)).toMatchObject({ payload: '{"a":3}', payloadPrunedAt: null });
        } finally {
          await after.close();
        }
        const text = await start(['prune', '--database', database], {}).exited;
        expect(text.stdout).toBe(
          `${database}: 0 payloads removed (older than 30 days), 0 messages deleted with their deliveries and attempts (older than 90 days), 0 log rows deleted\n`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
