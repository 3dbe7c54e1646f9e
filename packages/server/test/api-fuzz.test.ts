// API fuzz: 10,000 generated malformed requests (wrong types, missing fields, huge strings, odd unicode, bad ids, bad
// iterators, oversized bodies, wrong content types, bad tokens) against a real Hookline over HTTP. Every answer must
// be a 2xx/3xx or a 4xx with a JSON {code, detail}; never a 5xx, never a dropped connection; the server stays healthy.
// Delivery is paused for the whole run, so no endpoint a request happens to create is ever contacted.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHookline, type TestHookline } from './support/hookline.js';

const BATCHES = 200;
const PER_BATCH = 50; // 200 x 50 = 10,000 requests
const SEED = 20261130;

let hookline: TestHookline;
let real: { app: string; endpoint: string; message: string; attempt: string | null };

beforeAll(async () => {
  hookline = await startHookline();
  const api = hookline.api;
  await api.ok('POST', '/api/v1/admin/delivery/pause');
  const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'fuzz', uid: 'fuzz-app' });
  const endpoint = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: 'http://127.0.0.1:9/never-contacted',
    uid: 'fuzz-ep',
  });
  await api.ok('POST', '/api/v1/event-type', {
    name: 'fuzz.typed',
    description: 'with a schema',
    schemas: { '1': { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } },
  });
  const message = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/msg`, {
    eventType: 'fuzz.typed',
    payload: { n: 1 },
  });
  real = { app: app.id, endpoint: endpoint.id, message: message.id, attempt: null };
});

afterAll(async () => {
  await hookline?.stop();
});

const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/api/v1/app'],
  ['POST', '/api/v1/app'],
  ['GET', '/api/v1/app/{app}'],
  ['PUT', '/api/v1/app/{app}'],
  ['PATCH', '/api/v1/app/{app}'],
  ['DELETE', '/api/v1/app/{app}'],
  ['GET', '/api/v1/event-type'],
  ['POST', '/api/v1/event-type'],
  ['GET', '/api/v1/event-type/{name}'],
  ['PUT', '/api/v1/event-type/{name}'],
  ['PATCH', '/api/v1/event-type/{name}'],
  ['DELETE', '/api/v1/event-type/{name}'],
  ['GET', '/api/v1/app/{app}/endpoint'],
  ['POST', '/api/v1/app/{app}/endpoint'],
  ['GET', '/api/v1/app/{app}/endpoint/{ep}'],
  ['PUT', '/api/v1/app/{app}/endpoint/{ep}'],
  ['PATCH', '/api/v1/app/{app}/endpoint/{ep}'],
  ['DELETE', '/api/v1/app/{app}/endpoint/{ep}'],
  ['GET', '/api/v1/app/{app}/endpoint/{ep}/secret'],
  ['POST', '/api/v1/app/{app}/endpoint/{ep}/secret/rotate'],
  ['GET', '/api/v1/app/{app}/endpoint/{ep}/headers'],
  ['PUT', '/api/v1/app/{app}/endpoint/{ep}/headers'],
  ['PATCH', '/api/v1/app/{app}/endpoint/{ep}/headers'],
  ['GET', '/api/v1/app/{app}/endpoint/{ep}/stats'],
  ['POST', '/api/v1/app/{app}/endpoint/{ep}/recover'],
  ['POST', '/api/v1/app/{app}/msg'],
  ['GET', '/api/v1/app/{app}/msg'],
  ['GET', '/api/v1/app/{app}/msg/{msg}'],
  ['GET', '/api/v1/app/{app}/msg/{msg}/endpoint'],
  ['GET', '/api/v1/app/{app}/msg/{msg}/attempt/{attempt}'],
  ['POST', '/api/v1/app/{app}/msg/{msg}/endpoint/{ep}/resend'],
  ['GET', '/api/v1/app/{app}/attempt/msg/{msg}'],
  ['GET', '/api/v1/app/{app}/attempt/endpoint/{ep}'],
  ['GET', '/api/v1/app/{app}/dead-letter'],
  ['GET', '/api/v1/health/'],
  ['GET', '/api/v1/openapi.json'],
];

const FIELD_NAMES = [
  'name',
  'uid',
  'rateLimit',
  'throttleRate',
  'metadata',
  'description',
  'schemas',
  'archived',
  'deprecated',
  'featureFlag',
  'featureFlags',
  'groupName',
  'url',
  'version',
  'filterTypes',
  'eventTypes',
  'channels',
  'disabled',
  'headerPrefix',
  'retrySchedule',
  'nonRetryableStatuses',
  'headers',
  'deleteHeaders',
  'secret',
  'key',
  'eventType',
  'eventId',
  'application',
  'payload',
  'tags',
  'since',
  'until',
  '__proto__',
  'constructor',
];
const QUERY_NAMES = [
  'limit',
  'iterator',
  'event_types',
  'channel',
  'before',
  'after',
  'with_content',
  'include_archived',
  'expunge',
  'get_if_exists',
  'status',
  'status_code_class',
  'endpoint_id',
  'with_msg',
  'since',
  'until',
  'endpointId',
  'order',
];

/** Strings that tend to break parsers: odd unicode, control characters, huge, path tricks, lookalike ids. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFFFF',
    '\uD800',
    '🦄',
    'é',
    '../..',
    '%00',
    '%',
    '%zz',
    "'; DROP TABLE applications;--",
  ),
  fc.constantFrom('app_', 'ep_0000000000000000000000', 'msg_zzzzzzzzzzzzzzzzzzzzzz', 'atmpt_!!!!!!!!!!!!!!!!!!!!!!'),
  fc.constantFrom('2026-13-45T99:99:99Z', 'not-a-date', '1e309', '-1', 'NaN', 'true', 'null', '[]', '{}'),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('http://127.0.0.1:9/x', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1/', 'javascript:alert(1)'),
);

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyString, { maxLength: 5 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Mostly the real ids, so requests reach the handlers behind the lookups; otherwise bad or over-long ones. */
const idValue = fc.oneof(
  { weight: 6, arbitrary: fc.constant('REAL') },
  { weight: 3, arbitrary: nastyString.filter((s) => s.length > 0) },
  { weight: 1, arbitrary: fc.nat({ max: 400 }).map((n) => 'a'.repeat(n + 1)) },
);

interface FuzzRequest {
  method: string;
  template: string;
  ids: Record<string, string>;
  query: Array<[string, string]>;
  body:
    | { kind: 'none' }
    | { kind: 'json'; value: unknown }
    | { kind: 'raw'; text: string; contentType: string }
    | { kind: 'oversized' };
  auth: 'admin' | 'none' | 'wrong';
}

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    methodOverride: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), { freq: 8 }),
    ids: fc.record({ app: idValue, ep: idValue, msg: idValue, name: idValue, attempt: idValue }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), nastyString), nastyString), { maxLength: 6 }),
    body: fc.oneof(
      { weight: 40, arbitrary: fc.constant({ kind: 'none' as const }) },
      {
        weight: 120,
        arbitrary: fc
          .dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), nastyString), oddValue, { maxKeys: 8 })
          .map((value) => ({ kind: 'json' as const, value })),
      },
      { weight: 40, arbitrary: oddValue.map((value) => ({ kind: 'json' as const, value })) },
      {
        weight: 40,
        arbitrary: fc
          .tuple(
            nastyString,
            fc.constantFrom(
              'application/json',
              'text/plain',
              'application/x-www-form-urlencoded',
              '',
              'application/json; charset=utf-16',
            ),
          )
          .map(([text, contentType]) => ({ kind: 'raw' as const, text, contentType })),
      },
      // About 1 in 240: some 40 bodies over the 1 MiB limit per run, without sending gigabytes.
      { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
    ),
    auth: fc.constantFrom('admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'none', 'wrong'),
  })
  .map(({ route, methodOverride, ids, query, body, auth }) => ({
    method: methodOverride ?? route[0],
    template: route[1],
    ids,
    query,
    body,
    auth: auth as FuzzRequest['auth'],
  }));

const OVERSIZED = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });

/** encodeURIComponent, with a lone surrogate (which it refuses) replaced by U+FFFD first. */
function percentEncode(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function urlOf(base: string, fuzz: FuzzRequest): string {
  const realIds: Record<string, string> = {
    app: real.app,
    ep: real.endpoint,
    msg: real.message,
    name: 'fuzz.typed',
    attempt: 'atmpt_0',
  };
  const path = fuzz.template.replace(/\{(\w+)\}/g, (_match, key: string) => {
    const value = fuzz.ids[key] as string;
    return percentEncode(value === 'REAL' ? (realIds[key] as string) : value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of fuzz.query) search.append(name, value);
  const query = search.toString();
  return `${base}${path}${query === '' ? '' : `?${query}`}`;
}

async function send(base: string, fuzz: FuzzRequest): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  if (fuzz.auth === 'admin') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  if (fuzz.auth === 'wrong') headers.authorization = 'Bearer wrong';
  let body: string | undefined;
  if (fuzz.body.kind === 'json') {
    body = JSON.stringify(fuzz.body.value) ?? 'null';
    headers['content-type'] = 'application/json';
  } else if (fuzz.body.kind === 'raw') {
    body = fuzz.body.text;
    if (fuzz.body.contentType !== '') headers['content-type'] = fuzz.body.contentType;
  } else if (fuzz.body.kind === 'oversized') {
    body = OVERSIZED;
    headers['content-type'] = 'application/json';
  }
  // The real app is deleted only by requests that name it; keep it so later requests reach deeper code.
  const method =
    fuzz.method === 'DELETE' && fuzz.ids.app === 'REAL' && fuzz.template === '/api/v1/app/{app}' ? 'GET' : fuzz.method;
  const response = await fetch(urlOf(base, fuzz), {
    method,
    headers,
    ...(body === undefined || method === 'GET' ? {} : { body }),
  });
  return { status: response.status, body: await response.text() };
}

function problemWith(answer: { status: number; body: string }): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return `a ${answer.status} without a JSON body: ${answer.body.slice(0, 200)}`;
    }
    const { code, detail } = (parsed ?? {}) as { code?: unknown; detail?: unknown };
    if (typeof code !== 'string' || (typeof detail !== 'string' && !Array.isArray(detail))) {
      return `a ${answer.status} without {code, detail}: ${answer.body.slice(0, 200)}`;
    }
  }
  return null;
}

it(`answers ${BATCHES * PER_BATCH} malformed requests without a 5xx or a crash, and stays healthy`, async () => {
  const base = hookline.server.url;
  let sent = 0;
  let firstProblem: string | null = null;
  const statuses = new Map<number, number>();
  // fc.check, not fc.assert: a failure reports the one bad request, not the whole (megabytes of) batch.
  const result = await fc.check(
    fc.asyncProperty(fc.array(request, { minLength: PER_BATCH, maxLength: PER_BATCH }), async (batch) => {
      const answers = await Promise.all(batch.map((fuzz) => send(base, fuzz)));
      sent += answers.length;
      answers.forEach((answer, index) => {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = problemWith(answer);
        if (problem !== null) {
          const fuzz = batch[index] as FuzzRequest;
          firstProblem ??= `${fuzz.method} ${urlOf('', fuzz).slice(0, 300)} (body ${fuzz.body.kind}) ${problem}`;
          throw new Error(firstProblem);
        }
      });
    }),
    { numRuns: BATCHES, seed: SEED, endOnFailure: true },
  );
  expect(firstProblem).toBeNull();
  expect(result.failed ? String(result.errorInstance).slice(0, 600) : null).toBeNull();
  expect(sent).toBe(BATCHES * PER_BATCH);
  // The run reached past authentication and validation: some requests succeeded, some were refused as invalid.
  expect([...statuses.entries()].filter(([status]) => status < 300).length).toBeGreaterThan(0);
  expect(statuses.get(422) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(401) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(413) ?? 0).toBeGreaterThan(0);

  const health = await fetch(`${base}/api/v1/health/`);
  expect(health.status).toBe(204);
  const created = await hookline.api.call('POST', `/api/v1/app/${real.app}/msg`, {
    eventType: 'fuzz.typed',
    payload: { n: 2 },
  });
  expect(created.status).toBe(202);
}, 300_000);
