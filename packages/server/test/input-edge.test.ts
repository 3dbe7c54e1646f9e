// Input that used to become a 500 (issue 16, items 5-9), each answered 422 `{code, detail}` at the edge on both
// stores, and nothing it touched stored: non-finite numbers, NUL, lone surrogates, dates JavaScript cannot hold,
// JSON nested past the limit. Each case is sent as raw text, since JSON.stringify cannot write some of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../src/input/well-formed.js';
import { availableStores, startHooklineOn } from './support/each-store.js';
import { ADMIN_TOKEN, type TestHookline } from './support/hookline.js';

interface Answer {
  status: number;
  body: { code?: string; detail?: unknown; data?: unknown[] } | null;
}

async function send(base: string, method: string, path: string, text?: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(text === undefined ? {} : { body: text }),
  });
  const raw = await response.text();
  return { status: response.status, body: raw === '' ? null : JSON.parse(raw) };
}

function expect422(answer: Answer, loc: Array<string | number>) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(422);
  expect(answer.body?.code).toBe('validation');
  expect(answer.body?.detail).toEqual([expect.objectContaining({ loc })]);
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

for (const store of await availableStores()) {
  describe(`input refused at the edge (${store})`, () => {
    let hookline: TestHookline;
    let base: string;
    let app: string;
    let endpoint: string;
    const call = (method: string, path: string, text?: string) => send(base, method, path, text);

    beforeAll(async () => {
      hookline = await startHooklineOn(store);
      base = hookline.server.url;
      await hookline.api.ok('POST', '/api/v1/admin/delivery/pause');
      app = (await hookline.api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'edge', uid: 'edge' })).id;
      endpoint = (
        await hookline.api.ok<{ id: string }>('POST', `/api/v1/app/${app}/endpoint`, {
          url: 'http://127.0.0.1:9/never',
          uid: 'edge-ep',
        })
      ).id;
    });
    afterAll(async () => {
      await hookline?.stop();
    });

    /** The lists and a publish still answer: nothing refused was stored. */
    async function stillHealthy() {
      expect((await call('GET', '/api/v1/app')).status).toBe(200);
      expect((await call('GET', `/api/v1/app/${app}/endpoint`)).status).toBe(200);
      expect((await call('GET', `/api/v1/app/${app}/msg?channel=a`)).status).toBe(200);
      const published = await call('POST', `/api/v1/app/${app}/msg`, '{"eventType":"edge.ok","payload":{"n":1}}');
      expect(published.status).toBe(202);
    }

    it('non-finite numbers (coerced "1e400", "Infinity", a JSON 1e400 in a payload) answer 422', async () => {
      expect422(await call('GET', '/api/v1/app?limit=1e400'), ['query', 'limit']);
      expect422(await call('GET', `/api/v1/app/${app}/msg?limit=Infinity`), ['query', 'limit']);
      expect422(await call('GET', `/api/v1/app/${app}/attempt/feed?limit=-Infinity`), ['query', 'limit']);
      expect422(
        await call('POST', `/api/v1/app/${app}/endpoint`, '{"url":"http://127.0.0.1:9/x","throttleRate":"1e400"}'),
        ['body', 'throttleRate'],
      );
      expect422(await call('PATCH', `/api/v1/app/${app}/endpoint/${endpoint}`, '{"rateLimit":"Infinity"}'), [
        'body',
        'rateLimit',
      ]);
      expect422(await call('POST', '/api/v1/app', '{"name":"b","rateLimit":"Infinity"}'), ['body', 'rateLimit']);
      expect422(await call('PUT', `/api/v1/app/${app}`, '{"name":"b","throttleRate":"1e400"}'), [
        'body',
        'throttleRate',
      ]);
      // JSON.parse reads 1e400 as Infinity and JSON.stringify writes it as null: the payload would change silently.
      expect422(await call('POST', `/api/v1/app/${app}/msg`, '{"eventType":"edge.x","payload":{"amount":1e400}}'), [
        'body',
        'payload',
        'amount',
      ]);
      expect422(
        await call('POST', `/api/v1/app/${app}/endpoint`, '{"url":"http://127.0.0.1:9/x","retrySchedule":["1e400"]}'),
        ['body', 'retrySchedule', 0],
      );
      // Where a string is expected, coercion turned the number 1e400 into the name "Infinity": the fuzz found it.
      expect422(await call('POST', '/api/v1/app', '{"name":1e400}'), ['body', 'name']);
      expect422(await call('POST', `/api/v1/auth/app-portal-access/${app}`, '{"name":-1e400}'), ['body', 'name']);
      expect422(
        await call('POST', `/api/v1/app/${app}/endpoint`, '{"url":"http://127.0.0.1:9/x","channels":[1e400]}'),
        ['body', 'channels', 0],
      );
      await stillHealthy();
    });

    it('NUL in a path id, a query value, a name or a payload answers 422', async () => {
      expect422(await call('GET', '/api/v1/app/a%00b'), ['path', 'appId']);
      expect422(await call('GET', `/api/v1/app/${app}/endpoint/e%00`), ['path', 'endpointId']);
      expect422(await call('GET', `/api/v1/app/${app}/msg?channel=%00`), ['query', 'channel']);
      expect422(await call('GET', `/api/v1/app/${app}/msg?event_types=a,b%00`), ['query', 'event_types', 0]);
      expect422(await call('POST', '/api/v1/app', '{"name":"a\\u0000b"}'), ['body', 'name']);
      expect422(await call('POST', '/api/v1/event-type', '{"name":"t.nul","description":"a\\u0000"}'), [
        'body',
        'description',
      ]);
      expect422(await call('POST', `/api/v1/app/${app}/msg`, '{"eventType":"edge.x","payload":{"a\\u0000":1}}'), [
        'body',
        'payload',
        'a\u0000',
      ]);
      expect422(await call('PATCH', `/api/v1/app/${app}/endpoint/${endpoint}`, '{"metadata":{"k":"v\\u0000"}}'), [
        'body',
        'metadata',
        'k',
      ]);
      await stillHealthy();
    });

    it('a lone surrogate in filterTypes, channels, headers or a payload answers 422, and publishing still works', async () => {
      expect422(
        await call('POST', `/api/v1/app/${app}/endpoint`, '{"url":"http://127.0.0.1:9/x","filterTypes":["\\ud800"]}'),
        ['body', 'filterTypes', 0],
      );
      expect422(await call('PATCH', `/api/v1/app/${app}/endpoint/${endpoint}`, '{"channels":["ok","\\udc00x"]}'), [
        'body',
        'channels',
        1,
      ]);
      expect422(
        await call('PATCH', `/api/v1/app/${app}/endpoint/${endpoint}/headers`, '{"headers":{"x-a":"\\ud83d"}}'),
        ['body', 'headers', 'x-a'],
      );
      expect422(
        await call('POST', `/api/v1/app/${app}/msg`, '{"eventType":"edge.x","payload":{"s":"\\ud800"},"tags":["t"]}'),
        ['body', 'payload', 's'],
      );
      expect422(
        await call('POST', `/api/v1/app/${app}/msg`, '{"eventType":"edge.x","payload":{},"channels":["\\ud800"]}'),
        ['body', 'channels', 0],
      );
      // A well-formed pair (an emoji) is fine.
      const emoji = await call(
        'POST',
        `/api/v1/app/${app}/msg`,
        '{"eventType":"edge.x","payload":{"s":"\\ud83e\\udd84"}}',
      );
      expect(emoji.status).toBe(202);
      await stillHealthy();
    });

    it('dates JavaScript cannot hold (a leap second, a 30th of February) answer 422 wherever a date is read', async () => {
      const leap = '2016-12-31T23:59:60Z';
      for (const name of ['before', 'after']) {
        expect422(await call('GET', `/api/v1/app/${app}/msg?${name}=${leap}`), ['query', name]);
        expect422(await call('GET', `/api/v1/app/${app}/attempt/endpoint/${endpoint}?${name}=${leap}`), [
          'query',
          name,
        ]);
        expect422(await call('GET', `/api/v1/app/${app}/msg?${name}=2016-02-30T00:00:00Z`), ['query', name]);
      }
      expect422(await call('GET', `/api/v1/app/${app}/attempt/feed?since=${leap}`), ['query', 'since']);
      expect422(await call('POST', `/api/v1/app/${app}/endpoint/${endpoint}/recover`, `{"since":"${leap}"}`), [
        'body',
        'since',
      ]);
      expect422(
        await call(
          'POST',
          `/api/v1/app/${app}/endpoint/${endpoint}/recover`,
          `{"since":"2016-01-01T00:00:00Z","until":"${leap}"}`,
        ),
        ['body', 'until'],
      );
      expect422(
        await call('POST', `/api/v1/app/${app}/msg`, `{"eventType":"edge.x","payload":{},"deliverAt":"${leap}"}`),
        ['body', 'deliverAt'],
      );
      // An hour-only offset is ISO 8601 and was accepted by the schema while Date.parse gave NaN: now it is read.
      const hourOffset = encodeURIComponent('2000-01-01T01:00:00+01');
      const listed = await call('GET', `/api/v1/app/${app}/msg?after=${hourOffset}`);
      expect(listed.status).toBe(200);
      expect(listed.body?.data?.length).toBeGreaterThan(0);
      const none = await call('GET', `/api/v1/app/${app}/msg?before=${hourOffset}`);
      expect(none.body?.data).toEqual([]);
      await stillHealthy();
    });

    it(`JSON nested deeper than ${MAX_JSON_DEPTH} levels answers 422; ${MAX_JSON_DEPTH} levels are accepted`, async () => {
      const publish = (payloadDepth: number) =>
        call('POST', `/api/v1/app/${app}/msg`, `{"eventType":"edge.deep","payload":{"a":${nested(payloadDepth - 1)}}}`);
      // The body is level 1 and the payload level 2: the deepest payload accepted nests MAX_JSON_DEPTH - 1 levels.
      expect((await publish(MAX_JSON_DEPTH - 1)).status).toBe(202);
      const tooDeep = await publish(MAX_JSON_DEPTH);
      expect(tooDeep.status).toBe(422);
      expect(tooDeep.body?.code).toBe('validation');
      // The first level past the limit is named, and the answer stays small however deep the input goes.
      const thousands = await publish(5000);
      expect422(thousands, ['body', 'payload', 'a', ...Array.from({ length: MAX_JSON_DEPTH - 2 }, () => 0)]);
      expect(JSON.stringify(thousands.body).length).toBeLessThan(2000);
      // An event type's JSON Schema is compiled by ajv, which recurses too.
      const deepSchema = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const schema = await call(
        'POST',
        '/api/v1/event-type',
        `{"name":"t.deep","description":"d","schemas":{"1":${deepSchema}}}`,
      );
      expect(schema.status).toBe(422);
      expect(schema.body?.code).toBe('validation');
      await stillHealthy();
    });
  });
}
