// The API's edges over real HTTP: the generated OpenAPI document and reference page, pagination, limits, and the
// refusals (bad iterator, invalid schema, reserved header, unknown event type when so configured, taken uid).
import { connect } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startHookline, type TestHookline } from './support/hookline.js';

let hookline: TestHookline;
let api: Api;

beforeAll(async () => {
  hookline = await startHookline();
  api = hookline.api;
  await api.ok('POST', '/api/v1/admin/delivery/pause');
});

afterAll(async () => {
  await hookline?.stop();
});

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: { 'application/json': { schema: { required?: string[] } } } };
        responses: Record<string, unknown>;
      }
    >
  >;
}

describe('the OpenAPI document', () => {
  it('is served without a token, OpenAPI 3.1, with every resource route', async () => {
    const response = await fetch(`${hookline.server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /api/v1/app',
        'PUT /api/v1/app/{appId}',
        'DELETE /api/v1/event-type/{name}',
        'PATCH /api/v1/app/{appId}/endpoint/{endpointId}/headers',
        'GET /api/v1/app/{appId}/endpoint/{endpointId}/stats',
        'GET /api/v1/app/{appId}/msg',
        'GET /api/v1/app/{appId}/attempt/endpoint/{endpointId}',
        'GET /api/v1/app/{appId}/msg/{msgId}/attempt/{attemptId}',
        'GET /api/v1/app/{appId}/msg/{msgId}/endpoint',
        'GET /api/v1/health/',
      ]),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it("describes issue 14's capabilities: ordering, payload filters, signing choices, operational webhooks", async () => {
    const doc = (await (await fetch(`${hookline.server.url}/api/v1/openapi.json`)).json()) as OpenApiDocument;
    const bodyOf = (method: string, path: string) =>
      JSON.stringify(doc.paths[path]?.[method]?.requestBody?.content['application/json'].schema ?? null);
    const endpointIn = bodyOf('post', '/api/v1/app/{appId}/endpoint');
    for (const field of [
      'ordering',
      'orderingOnDead',
      'payloadFilter',
      'signatureScheme',
      'payloadFormat',
      'keyType',
    ]) {
      expect(endpointIn, field).toContain(`"${field}"`);
    }
    expect(endpointIn).toContain('"fifo"');
    expect(endpointIn).toContain('"hmac-sha256"');
    expect(endpointIn).toContain('"form"');
    expect(bodyOf('post', '/api/v1/app/{appId}/msg')).toContain('"orderingKey"');
    const operationalIn = bodyOf('post', '/api/v1/operational-webhook/endpoint');
    expect(operationalIn).toContain('"message.attempt.exhausted"');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/app/{appId}/endpoint/{endpointId}/ordering/held',
        '/api/v1/operational-webhook/endpoint',
        '/api/v1/operational-webhook/endpoint/{endpointId}',
        '/api/v1/operational-webhook/endpoint/{endpointId}/secret/rotate',
      ]),
    );
  });

  it('is a valid OpenAPI 3.1 document (checked against the OpenAPI 3.1 schema)', async () => {
    const doc: unknown = await (await fetch(`${hookline.server.url}/api/v1/openapi.json`)).json();
    const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? null).toBeNull();
    expect(result.valid).toBe(true);
  });

  it('documents the schemas the server enforces: an empty body misses exactly the required fields it lists', async () => {
    const doc = (await (await fetch(`${hookline.server.url}/api/v1/openapi.json`)).json()) as OpenApiDocument;
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'doc check' });
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const required = operation.requestBody?.content['application/json'].schema.required;
        if (
          required === undefined ||
          required.length === 0 ||
          path.includes('{endpointId}') ||
          path.includes('{msgId}')
        )
          continue;
        const url = path.replace('{appId}', app.id).replace('{name}', 'doc.check');
        const answer = await api.call<{ code: string; detail: Array<{ loc: string[] }> }>(
          method.toUpperCase(),
          url,
          {},
        );
        expect(answer.status, `${method} ${path}`).toBe(422);
        expect(answer.body.code).toBe('validation');
        expect(required).toContain(answer.body.detail[0]?.loc[1]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('has a reference page that renders it with no external script or style', async () => {
    const response = await fetch(`${hookline.server.url}/api/v1/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('/api/v1/openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!json-schema)/);
  });
});

describe('lists', () => {
  it('page messages to the end with no repeats and no gaps while new messages arrive between pages', async () => {
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'paging' });
    const before: string[] = [];
    for (let i = 0; i < 10; i++) {
      before.push(
        (await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } })).id,
      );
    }
    const seen: string[] = [];
    let iterator: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query: string = iterator === null ? '' : `&iterator=${iterator}`;
      const result = await api.ok<{
        data: Array<{ id: string }>;
        iterator: string | null;
        done: boolean;
        prevIterator: null;
      }>('GET', `/api/v1/app/${app.id}/msg?limit=3${query}`);
      seen.push(...result.data.map((message) => message.id));
      if (result.done) break;
      iterator = result.iterator;
      await api.ok('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: { late: page } });
    }
    expect(seen).toEqual([...before].reverse());
  });

  it('page back through prevIterator to the first page', async () => {
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'paging back' });
    for (let i = 0; i < 7; i++) await api.ok('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: { i } });
    type ListPage = {
      data: Array<{ id: string }>;
      iterator: string | null;
      prevIterator: string | null;
      done: boolean;
    };
    const list = (query: string) => api.ok<ListPage>('GET', `/api/v1/app/${app.id}/msg?limit=3${query}`);
    const first = await list('');
    const second = await list(`&iterator=${first.iterator}`);
    const third = await list(`&iterator=${second.iterator}`);
    expect(third.done).toBe(true);
    expect(third.prevIterator).toBe(`-${third.data[0]?.id}`);
    const backToSecond = await list(`&iterator=${third.prevIterator}`);
    expect(backToSecond.data).toEqual(second.data);
    expect(backToSecond.iterator).toBe(second.iterator);
    const backToFirst = await list(`&iterator=${backToSecond.prevIterator}`);
    expect(backToFirst.data).toEqual(first.data);
    expect(backToFirst.done).toBe(true);
    expect(backToFirst.prevIterator).toBeNull();

    await api.ok('POST', '/api/v1/event-type', { name: 'p.one', description: '' });
    await api.ok('POST', '/api/v1/event-type', { name: 'p.two', description: '' });
    const types = await api.ok<{ data: Array<{ name: string }> }>('GET', '/api/v1/event-type?limit=1&iterator=-p.two');
    expect(types.data.map((type) => type.name)).toEqual(['p.one']);
  });

  it('refuse a malformed iterator and a limit over 250 with 422, and take unknown query parameters', async () => {
    const bad = await api.call<{ code: string; detail: Array<{ loc: string[] }> }>('GET', '/api/v1/app?iterator=nope');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]?.loc).toEqual(['query', 'iterator']);
    expect((await api.call('GET', '/api/v1/app?limit=251')).status).toBe(422);
    expect((await api.call('GET', '/api/v1/app?limit=0')).status).toBe(422);
    expect((await api.call('GET', '/api/v1/app?limit=250&whatever=1&order=ascending')).status).toBe(200);
  });
});

describe('refusals', () => {
  it('an event type whose schema does not compile: 422 invalid_schema', async () => {
    const answer = await api.call<{ code: string }>('POST', '/api/v1/event-type', {
      name: 'bad.schema',
      description: '',
      schemas: { '1': { type: 'not-a-type' } },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('invalid_schema');
  });

  it('a custom header Hookline sets itself: 422 reserved_header; a taken uid: 409', async () => {
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'refusals', uid: 'refusals' });
    const answer = await api.call<{ code: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://127.0.0.1:9/x',
      headers: { 'webhook-signature': 'v1,forged' },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('reserved_header');
    const taken = await api.call<{ code: string }>('POST', '/api/v1/app', { name: 'again', uid: 'refusals' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('conflict');
  });

  it('a URL over 8 KiB answers 414, headers over 16 KiB answer 431, both JSON', async () => {
    const long = await fetch(`${hookline.server.url}/api/v1/app?x=${'a'.repeat(9000)}`);
    expect(long.status).toBe(414);
    expect(await long.json()).toMatchObject({ code: 'uri_too_long' });
    // fetch cannot send such headers; a raw request can.
    const raw = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(hookline.server.url);
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /api/v1/health/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain('"code":"headers_too_large"');
  });
});

describe('unknown event types', () => {
  it('are accepted by default', async () => {
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'accepting' });
    const answer = await api.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'never.created', payload: {} });
    expect(answer.status).toBe(202);
  });

  it('answer 422 unknown_event_type when the server is set to reject them', async () => {
    const strict = await startHookline({}, { unknownEventTypes: 'reject' });
    try {
      const app = await strict.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'strict' });
      const refused = await strict.api.call<{ code: string }>('POST', `/api/v1/app/${app.id}/msg`, {
        eventType: 'never.created',
        payload: {},
      });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('unknown_event_type');
      await strict.api.ok('POST', '/api/v1/event-type', { name: 'now.created', description: '' });
      const accepted = await strict.api.call('POST', `/api/v1/app/${app.id}/msg`, {
        eventType: 'now.created',
        payload: {},
      });
      expect(accepted.status).toBe(202);
    } finally {
      await strict.stop();
    }
  });
});
