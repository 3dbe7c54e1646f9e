// One rule, one place: embedded mode, the HTTP API and the CLI refuse the same inputs with the same `code`, because
// all three go through the operations layer (src/operations/). A table of inputs, each tried at every entry point
// that can express it: `createHookline` in this process, the API of a `hookline serve` on loopback, and the
// `hookline` CLI as a real process against that server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookline, type Hookline } from '../src/index.js';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
/** Each CLI run starts node and compiles TypeScript: seconds each on a busy machine. A bound, not a timing check. */
const CLI_TIMEOUT_MS = 240_000;

const APP = 'acme';
const URL_OK = 'https://receiver.example.com/hook';
const PAID = 'invoice.paid';

/** What a case asks for, in the API's field names; each entry point translates it into its own call. */
type Call =
  | { kind: 'application'; input: { name: string; uid?: string } }
  | { kind: 'endpoint'; app: string; input: Record<string, unknown> }
  | {
      kind: 'publish';
      app: string;
      eventType: string;
      payload: unknown;
      eventId?: string;
      channels?: string[];
      deliverAt?: string;
    };

interface Case {
  name: string;
  call: Call;
  /** The `code` every entry point refuses it with; null: every entry point accepts it. */
  code: string | null;
}

const cases: Case[] = [
  {
    name: 'an endpoint whose nonRetryableStatuses is not a status policy',
    call: { kind: 'endpoint', app: APP, input: { url: URL_OK, nonRetryableStatuses: 'not-a-policy' } },
    code: 'validation',
  },
  {
    name: 'an endpoint with a usable status policy',
    call: { kind: 'endpoint', app: APP, input: { url: URL_OK, nonRetryableStatuses: '4xx,!429' } },
    code: null,
  },
  {
    name: 'an endpoint URL that is not http(s)',
    call: endpoint({ url: 'ftp://example.com/x' }),
    code: 'unsupported_scheme',
  },
  {
    name: 'an endpoint URL with credentials in it',
    call: endpoint({ url: 'https://user:pw@example.com/x' }),
    code: 'credentials_in_url',
  },
  {
    name: 'an endpoint uid that looks like an id',
    call: endpoint({ url: URL_OK, uid: 'ep_mine' }),
    code: 'validation',
  },
  { name: 'an endpoint uid with a space', call: endpoint({ url: URL_OK, uid: 'my endpoint' }), code: 'validation' },
  {
    name: 'an endpoint retry schedule with a negative delay',
    call: endpoint({ url: URL_OK, retrySchedule: [-5] }),
    code: 'validation',
  },
  {
    name: 'an endpoint custom header Hookline sets itself',
    call: endpoint({ url: URL_OK, headers: { 'webhook-signature': 'v1,forged' } }),
    code: 'reserved_header',
  },
  {
    name: 'an endpoint secret that is not whsec_',
    call: endpoint({ url: URL_OK, secret: 'hunter2' }),
    code: 'validation',
  },
  {
    name: 'an endpoint of an application that does not exist',
    call: { kind: 'endpoint', app: 'nobody', input: { url: URL_OK } },
    code: 'not_found',
  },
  {
    name: 'an application uid that looks like an id',
    call: { kind: 'application', input: { name: 'X', uid: 'app_mine' } },
    code: 'validation',
  },
  { name: 'an application with an empty name', call: { kind: 'application', input: { name: '' } }, code: 'validation' },
  { name: 'a publish to an application that does not exist', call: publish({ app: 'nobody' }), code: 'not_found' },
  {
    name: 'a publish with an event type name that has a space',
    call: publish({ eventType: 'invoice paid' }),
    code: 'validation',
  },
  { name: 'a publish whose payload is an array', call: publish({ payload: [1, 2] }), code: 'validation' },
  {
    name: "a publish whose payload breaks its event type's schema",
    call: publish({ payload: { amount: 'ten' } }),
    code: 'validation',
  },
  {
    name: 'a publish of an event type nobody declared (reject mode)',
    call: publish({ eventType: 'never.declared' }),
    code: 'unknown_event_type',
  },
  { name: 'a publish with an empty eventId', call: publish({ eventId: '' }), code: 'validation' },
  { name: 'a publish with an eventId already accepted', call: publish({ eventId: 'evt_taken' }), code: 'conflict' },
  {
    name: 'a publish with eleven channels',
    call: publish({ channels: Array.from({ length: 11 }, (_, i) => `ch${i}`) }),
    code: 'validation',
  },
  {
    name: 'a publish with a deliverAt that is not a time',
    call: publish({ deliverAt: 'not a time' }),
    code: 'validation',
  },
  { name: 'a publish that is fine', call: publish({}), code: null },
];

function endpoint(input: Record<string, unknown>): Call {
  return { kind: 'endpoint', app: APP, input };
}

function publish(overrides: Partial<Extract<Call, { kind: 'publish' }>>): Call {
  return { kind: 'publish', app: APP, eventType: PAID, payload: { amount: 10 }, ...overrides };
}

/** What an entry point did with a call: accepted, or refused with a code. */
type Answer = { accepted: true } | { accepted: false; code: string };

async function embeddedAnswer(hookline: Hookline, call: Call): Promise<Answer> {
  try {
    if (call.kind === 'application') await hookline.createApplication(call.input);
    else if (call.kind === 'endpoint') await hookline.createEndpoint(call.app, call.input as { url: string });
    else {
      await hookline.publish(call.app, call.eventType, call.payload as Record<string, unknown>, {
        ...(call.eventId === undefined ? {} : { eventId: call.eventId }),
        ...(call.channels === undefined ? {} : { channels: call.channels }),
        ...(call.deliverAt === undefined ? {} : { deliverAt: new Date(call.deliverAt) }),
      });
    }
    return { accepted: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { accepted: false, code };
  }
}

async function apiAnswer(server: TestHookline, call: Call): Promise<Answer> {
  const response =
    call.kind === 'application'
      ? await server.api.call('POST', '/api/v1/app', call.input)
      : call.kind === 'endpoint'
        ? await server.api.call('POST', `/api/v1/app/${call.app}/endpoint`, call.input)
        : await server.api.call('POST', `/api/v1/app/${call.app}/msg`, {
            eventType: call.eventType,
            payload: call.payload,
            ...(call.eventId === undefined ? {} : { eventId: call.eventId }),
            ...(call.channels === undefined ? {} : { channels: call.channels }),
            ...(call.deliverAt === undefined ? {} : { deliverAt: call.deliverAt }),
          });
  if (response.status < 300) return { accepted: true };
  expect(response.status).toBeLessThan(500);
  return { accepted: false, code: (response.body as { code: string }).code };
}

/** The CLI's arguments for a call, or null where the CLI has no way to say it. */
function cliArguments(call: Call): string[] | null {
  if (call.kind === 'application') {
    return ['apps', 'create', call.input.name, ...(call.input.uid === undefined ? [] : ['--uid', call.input.uid])];
  }
  if (call.kind === 'endpoint') {
    const { url, uid, nonRetryableStatuses, ...rest } = call.input;
    if (Object.keys(rest).length > 0) return null;
    return [
      'endpoints',
      'create',
      call.app,
      url as string,
      ...(uid === undefined ? [] : ['--uid', uid as string]),
      ...(nonRetryableStatuses === undefined ? [] : ['--non-retryable-statuses', nonRetryableStatuses as string]),
    ];
  }
  if (call.deliverAt !== undefined) return null;
  return [
    'send',
    call.app,
    call.eventType,
    JSON.stringify(call.payload),
    ...(call.eventId === undefined ? [] : ['--event-id', call.eventId]),
    ...(call.channels === undefined ? [] : ['--channels', call.channels.join(',')]),
  ];
}

function cliAnswer(server: TestHookline, args: string[]): Promise<Answer> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--json', ...args], {
    env: { ...process.env, HOOKLINE_URL: server.server.url, HOOKLINE_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  return new Promise((resolve, reject) =>
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      if (exitCode === 0) resolve({ accepted: true });
      else {
        try {
          resolve({ accepted: false, code: (JSON.parse(stderr) as { code: string }).code });
        } catch {
          reject(new Error(`hookline ${args.join(' ')} exited ${exitCode}: ${stderr}`));
        }
      }
    }),
  );
}

const expected = (item: Case): Answer =>
  item.code === null ? { accepted: true } : { accepted: false, code: item.code };

describe('the same input is refused with the same code by embedded mode, the API and the CLI', () => {
  let dir: string;
  let embedded: Hookline;
  let server: TestHookline;

  /** Each entry point's store gets the same starting point: the application, two declared types, one message. */
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-entry-points-'));
    embedded = await createHookline({
      database: join(dir, 'embedded.db'),
      unknownEventTypes: 'reject',
      logger: pino({ level: 'silent' }),
    });
    server = await startHookline({}, { unknownEventTypes: 'reject', allowPrivateNetworks: false });
    const schema = { '1': { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } } };
    for (const store of [embedded.store, server.server.store]) {
      const app = await store.createApplication({ name: 'Acme', uid: APP }, Date.now());
      await store.createEventType({ name: PAID, schemas: schema }, Date.now());
      await store.publish(app.id, { eventType: PAID, eventId: 'evt_taken', payload: '{"amount":1}' }, Date.now());
    }
  });

  afterAll(async () => {
    await embedded?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases.map((item) => [item.name, item] as const))('embedded: %s', async (_name, item) => {
    expect(await embeddedAnswer(embedded, item.call)).toEqual(expected(item));
  });

  it.each(cases.map((item) => [item.name, item] as const))('API: %s', async (_name, item) => {
    expect(await apiAnswer(server, item.call)).toEqual(expected(item));
  });

  it(
    'CLI: every case the CLI can express',
    async () => {
      const runnable = cases.flatMap((item) => {
        const args = cliArguments(item.call);
        return args === null ? [] : [{ item, args }];
      });
      expect(runnable.length).toBeGreaterThan(cases.length / 2);
      // Four processes at a time: each one is a node start and a TypeScript compile.
      const answers: Array<{ name: string; answer: Answer; expected: Answer }> = [];
      for (let i = 0; i < runnable.length; i += 4) {
        const slice = runnable.slice(i, i + 4);
        const results = await Promise.all(slice.map(({ args }) => cliAnswer(server, args)));
        slice.forEach(({ item }, j) => {
          answers.push({ name: item.name, answer: results[j] as Answer, expected: expected(item) });
        });
      }
      expect(answers.map(({ name, answer }) => ({ name, answer }))).toEqual(
        answers.map(({ name, expected: want }) => ({ name, answer: want })),
      );
    },
    CLI_TIMEOUT_MS * 2,
  );
});
